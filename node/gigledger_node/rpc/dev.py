"""Test-chain controls (evm_*, anvil_mine and hardhat_mine, debug_setHead), registered only with --dev.

Ape and Hardhat-style test runners isolate tests with evm_snapshot/evm_revert;
a snapshot here is the head block number, and reverting rewinds the chain to it
(dropping pending transactions), which is exact because blocks are the only
way state changes. evm_setAutomine(false) holds transactions in the pool so a
seeder can pack many into one evm_mine block, as on Anvil.
"""

from __future__ import annotations

import itertools
from typing import Any

from gigledger_node.rpc import params
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.errors import InvalidParams
from gigledger_node.rpc.serialize import hex_int

MAX_BLOCKS_PER_MINE = 1_000_000


class DevNamespace:
    """Snapshots, mining on demand and clock control for a throwaway chain."""

    def __init__(self, ctx: RpcContext) -> None:
        self.ctx = ctx
        self._snapshots: dict[int, int] = {}  # snapshot id -> head block number
        self._ids = itertools.count(1)

    def methods(self) -> dict[str, Any]:
        return {
            "evm_snapshot": self.snapshot,
            "evm_revert": self.revert,
            "evm_mine": self.mine,
            "anvil_mine": self.anvil_mine,
            "hardhat_mine": self.hardhat_mine,
            "evm_setAutomine": self.set_automine,
            "evm_increaseTime": self.increase_time,
            "evm_setNextBlockTimestamp": self.set_next_block_timestamp,
            "debug_setHead": self.set_head,
        }

    def snapshot(self) -> str:
        snapshot_id = next(self._ids)
        self._snapshots[snapshot_id] = self.ctx.ledger.head().block_number
        return hex_int(snapshot_id)

    def revert(self, snapshot_id: Any) -> bool:
        wanted = params.quantity(snapshot_id, "snapshot id")
        number = self._snapshots.get(wanted)
        if number is None:
            return False
        self._snapshots = {i: n for i, n in self._snapshots.items() if i < wanted}
        self.ctx.node.rewind(number)
        return True

    def mine(self, timestamp: Any = None) -> str:
        """Seal one block now, automine or not (empty if nothing is pending); it holds
        what fits under the block gas limit, so a big pool can take several."""
        if timestamp is not None:
            self.ctx.node.clock.jump_to(params.quantity(timestamp, "timestamp"))
        self.ctx.node.produce(allow_empty=True)
        return hex_int(0)

    def anvil_mine(self, count: Any = None, interval: Any = None) -> None:
        """Anvil's anvil_mine: seal ``count`` blocks (default 1) in one call."""
        self.mine_blocks(count, interval)

    def hardhat_mine(self, count: Any = None, interval: Any = None) -> bool:
        """Hardhat's hardhat_mine: seal ``count`` blocks (default 1) in one call."""
        self.mine_blocks(count, interval)
        return True

    def mine_blocks(self, count: Any, interval: Any) -> None:
        """Seal ``count`` blocks now, each a real block, sealed and committed (pending
        transactions go into the first ones); with ``interval``, each block's
        timestamp is that many seconds after its parent's. Runs on a call worker
        (rpc/server.py), so the loop keeps answering meanwhile."""
        blocks = 1 if count is None else params.quantity(count, "block count")
        step = None if interval is None else params.quantity(interval, "interval")
        if not 1 <= blocks <= MAX_BLOCKS_PER_MINE:
            raise InvalidParams(f"block count must be 1..{MAX_BLOCKS_PER_MINE}")
        if step is not None and step < 1:
            raise InvalidParams("interval must be at least 1 second")
        for _ in range(blocks):
            if step is not None:
                self.ctx.node.clock.jump_to(self.ctx.ledger.head().timestamp + step)
            self.ctx.node.produce(allow_empty=True)

    def set_automine(self, enabled: Any) -> bool:
        """Off: transactions wait in the pool until evm_mine. On: seal on demand again,
        starting with whatever is pending. (With --block-time the timer seals either way.)"""
        if not isinstance(enabled, bool):
            raise InvalidParams("evm_setAutomine takes true or false")
        self.ctx.automine = enabled
        if enabled:
            self.ctx.wake_producer()
        return True

    def increase_time(self, seconds: Any) -> int:
        self.ctx.node.clock.offset += params.quantity(seconds, "seconds")
        return self.ctx.node.clock.offset

    def set_next_block_timestamp(self, timestamp: Any) -> None:
        self.ctx.node.clock.jump_to(params.quantity(timestamp, "timestamp"))

    def set_head(self, number: Any) -> None:
        target = params.quantity(number, "block number")
        if target > self.ctx.ledger.head().block_number:
            raise InvalidParams("debug_setHead can only rewind")
        self.ctx.node.rewind(target)
