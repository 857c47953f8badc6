"""eth_subscribe over WebSocket: newHeads and logs, pushed as blocks are committed, and
newPendingTransactions, pushed as transactions are admitted."""

from __future__ import annotations

import asyncio
from typing import Any

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.producer import ProducedBlock
from gigledger_node.rpc.errors import InvalidParams
from gigledger_node.rpc.filters import LogCriteria, random_id
from gigledger_node.rpc.serialize import header_json, hex_bytes, log_json

MAX_SUBSCRIPTIONS = 100
MAX_QUEUED_MESSAGES = 10_000


class Subscriptions:
    """One WebSocket connection's subscriptions and its outgoing message queue."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        # Blocks and admissions may be announced from other threads (the producer, call
        # workers); the queue belongs to the connection's event loop, so pushes hop there.
        self._loop = asyncio.get_running_loop()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(MAX_QUEUED_MESSAGES)
        self._subscriptions: dict[str, LogCriteria | None] = {}  # None: newHeads
        self._pending: set[str] = set()  # newPendingTransactions

    def methods(self) -> dict[str, Any]:
        return {"eth_subscribe": self.subscribe, "eth_unsubscribe": self.unsubscribe}

    def subscribe(self, kind: Any, options: Any = None) -> str:
        if len(self._subscriptions) + len(self._pending) >= MAX_SUBSCRIPTIONS:
            raise InvalidParams("too many subscriptions on this connection")
        subscription_id = random_id()
        if kind == "newPendingTransactions":
            self._pending.add(subscription_id)
            return subscription_id
        if kind == "newHeads":
            criteria = None
        elif kind == "logs":
            criteria = LogCriteria.parse(options if options is not None else {})
        else:
            raise InvalidParams(f"unsupported subscription type {kind!r:.40}")
        self._subscriptions[subscription_id] = criteria
        return subscription_id

    def unsubscribe(self, subscription_id: Any) -> bool:
        existed = str(subscription_id) in self._subscriptions or str(subscription_id) in self._pending
        self._subscriptions.pop(str(subscription_id), None)
        self._pending.discard(str(subscription_id))
        return existed

    def on_pending(self, tx_hash: bytes) -> None:
        """Queue the hash of a newly admitted transaction for each pending subscription."""
        for subscription_id in list(self._pending):
            self._push(subscription_id, hex_bytes(tx_hash))

    def on_block(self, produced: ProducedBlock) -> None:
        """Queue a notification for every subscription the block concerns."""
        header = produced.block.header
        logs = None
        for subscription_id, criteria in list(self._subscriptions.items()):
            if criteria is None:
                self._push(subscription_id, header_json(header))
                continue
            logs = logs if logs is not None else self.ledger.log_index.block_logs(header)
            for entry in logs:
                if criteria.matches(entry):
                    self._push(subscription_id, log_json(entry))

    def _push(self, subscription_id: str, result: Any) -> None:
        message = {
            "jsonrpc": "2.0",
            "method": "eth_subscription",
            "params": {"subscription": subscription_id, "result": result},
        }
        self._loop.call_soon_threadsafe(self._enqueue, message)

    def _enqueue(self, message: dict[str, Any]) -> None:
        try:
            self.outbox.put_nowait(message)
        except asyncio.QueueFull:
            self._subscriptions.clear()  # a client that does not read loses its feeds
            self._pending.clear()
