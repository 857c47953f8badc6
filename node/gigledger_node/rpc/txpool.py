"""The txpool_ namespace, in geth's shapes: what the pool holds, pending and queued.

"pending" are the transactions that can go into the next block (each sender's
gapless run from its state nonce); "queued" wait for a nonce gap to fill.
Accounts are checksummed and nonces are decimal strings, as geth answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_typing import Address
from eth_utils import to_checksum_address

from gigledger_node.chain.txpool import PooledTx
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.serialize import hex_int, transaction_json

Grouped = dict[str, dict[str, dict[str, Any]]]


class TxPoolNamespace:
    """Handlers for txpool_status, txpool_content and txpool_inspect."""

    def __init__(self, ctx: RpcContext) -> None:
        self.ctx = ctx

    def methods(self) -> dict[str, Any]:
        return {
            "txpool_status": self.status,
            "txpool_content": self.content,
            "txpool_inspect": self.inspect,
        }

    def status(self) -> dict[str, str]:
        pending, queued = self._split()
        return {"pending": hex_int(len(pending)), "queued": hex_int(len(queued))}

    def content(self) -> dict[str, Grouped]:
        return self._grouped(lambda p: transaction_json(p.tx, None, None))

    def inspect(self) -> dict[str, Grouped]:
        return self._grouped(_summary)

    def _grouped(self, render: Callable[[PooledTx], Any]) -> dict[str, Grouped]:
        pending, queued = self._split()
        return {"pending": _by_account(pending, render), "queued": _by_account(queued, render)}

    def _split(self) -> tuple[list[PooledTx], list[PooledTx]]:
        pending: list[PooledTx] = []
        queued: list[PooledTx] = []
        state = self.ctx.ledger.state_at(self.ctx.ledger.head())
        for pooled in self.ctx.node.pool.all():
            ready = self.ctx.node.pool.next_nonce(pooled.sender, state.get_nonce(Address(pooled.sender)))
            (pending if pooled.tx.nonce < ready else queued).append(pooled)
        return pending, queued


def _by_account(pooled: list[PooledTx], render: Callable[[PooledTx], Any]) -> Grouped:
    grouped: Grouped = {}
    for entry in sorted(pooled, key=lambda p: (p.sender, p.tx.nonce)):
        grouped.setdefault(to_checksum_address(entry.sender), {})[str(entry.tx.nonce)] = render(entry)
    return grouped


def _summary(pooled: PooledTx) -> str:
    """geth's one-line summary; its "gas price" of a fee-market transaction is the fee cap."""
    tx = pooled.tx
    to = to_checksum_address(tx.to) if tx.to else "contract creation"
    return f"{to}: {tx.value} wei + {tx.gas} gas × {pooled.max_fee} wei"
