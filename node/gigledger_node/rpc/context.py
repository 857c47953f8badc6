"""What the namespace modules share: the chain node and a few server-side services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from eth.abc import BlockHeaderAPI
from eth_account.signers.local import LocalAccount

from gigledger_node.chain.calls import CallLimits
from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.node import ChainNode
from gigledger_node.rpc import params
from gigledger_node.rpc.errors import InvalidParams, ServerError


@dataclass
class RpcContext:
    """State handed to every namespace's handlers."""

    node: ChainNode
    dev: bool = False
    # Replaced by the server with "seal soon"; a no-op until then.
    wake_producer: Callable[[], None] = lambda: None
    # Whether a submitted transaction gets sealed on demand; evm_setAutomine turns it off.
    automine: bool = True
    # Keys eth_sendTransaction may sign with; only ever filled in --dev.
    local_accounts: dict[bytes, LocalAccount] = field(default_factory=dict)
    # Told the hash of each transaction admitted over RPC (pending filters and subscriptions).
    pending_listeners: list[Callable[[bytes], None]] = field(default_factory=list)

    def announce_pending(self, tx_hash: bytes) -> None:
        for listener in self.pending_listeners:
            listener(tx_hash)

    # Gas cap and time budget of eth_call / eth_estimateGas (--rpc-gas-cap, --rpc-evm-timeout).
    call_limits: CallLimits = field(default_factory=CallLimits)

    @property
    def ledger(self) -> Ledger:
        return self.node.ledger

    def header(self, block: object) -> BlockHeaderAPI | None:
        """The canonical header a block parameter names, or None if there is none."""
        block = params.block_id(block)
        if isinstance(block, bytes):
            return self.ledger.header_by_hash(block)
        if block == "earliest":
            return self.ledger.header_by_number(0)
        if isinstance(block, str):  # latest, pending, safe, finalized: one authority, no reorgs
            return self.ledger.head()
        return self.ledger.header_by_number(block)

    def state_header(self, block: object = "latest") -> BlockHeaderAPI:
        """Like :meth:`header`, for state queries, where a missing block is an error."""
        header = self.header(block)
        if header is None:
            raise ServerError("header not found")
        return header

    def block_number(self, block: object, name: str) -> int:
        """A block number from a number or a tag (for eth_getLogs ranges)."""
        resolved = params.block_id(block)
        if isinstance(resolved, bytes):
            raise InvalidParams(f"invalid argument: {name} must be a number or tag")
        header = self.header(block)
        if header is not None:
            return header.block_number
        if isinstance(resolved, int):
            return resolved  # a number past the head
        raise InvalidParams(f"invalid argument: no block {name}")
