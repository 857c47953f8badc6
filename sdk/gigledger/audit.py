"""Auditing an account's escrow payments against the chain, not against an index.

What counts as a payment is defined once, here (`payments_of`), and both the
indexer and the auditor use it. `audit_account` reads the account's escrow logs
straight from a JSON-RPC endpoint and checks, for every payment:

- the log is in its transaction's receipt;
- the receipts trie rebuilt from all the block's receipts (EIP-2718 encoding)
  has the header's receiptsRoot, and the header fields hash to the block hash;
- the header was sealed by an authority (the list given, or the one in the
  genesis header; a chain without one reports "unsealed chain: no authorities");

then reconciles what an index claims (its payment rows, and what it says the
escrow still holds per token) with the chain, naming every mismatch.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import rlp
from eth_utils import to_checksum_address
from trie import HexaryTrie
from web3 import Web3

from gigledger.deployment import Deployment
from gigledger.events import (
    CreditWithdrawn,
    Event,
    GigCancelled,
    GigCreated,
    GigRefunded,
    GigReleased,
    GigResolved,
    MilestoneReleased,
    PaymentCredited,
    decode_log,
    event_topics,
)
from gigledger.gigs import GIG_EVENTS
from gigledger.seal import SealError, authorities_from_genesis, checked_header, recover_sealer

# ---------------------------------------------------------------- what a payment is

#: Directions, seen from the escrow: money in, money out, a payout credited (kept).
IN, OUT, HELD = "in", "out", "held"


@dataclass(frozen=True)
class Payment:
    """Money into or out of the escrow for one account, from one log."""

    transaction_hash: str
    log_index: int
    block_number: int
    block_hash: str
    account: str
    kind: str
    direction: str
    gig_id: int | None
    token: str
    amount: int
    fee: int = 0

    @property
    def key(self) -> tuple[str, int, str]:
        """What identifies a payment: one account's share of one log."""
        return (self.transaction_hash.lower(), self.log_index, self.account)

    @property
    def escrow_change(self) -> int:
        """How this payment changes what the escrow holds in its token."""
        return -self.amount if self.direction == OUT else self.amount


def _payment(event: Event, account: str, kind: str, direction: str, token: str, amount: int, fee: int = 0) -> Payment:
    return Payment(
        transaction_hash=event.transaction_hash,
        log_index=event.log_index,
        block_number=event.block_number,
        block_hash=event.block_hash,
        account=account,
        kind=kind,
        direction=direction,
        gig_id=getattr(event, "gig_id", None),
        token=token,
        amount=amount,
        fee=fee,
    )


def payments_of(event: Event, gig_token: str | None) -> list[Payment]:
    """The payments one escrow event makes; ``gig_token`` is the token of the gig it
    is about (its events other than GigCreated do not repeat it). Zero legs are left out."""
    match event:
        case GigCreated():
            legs = [(event.client, "deposit", IN, event.amount, 0)]
        case GigCancelled():
            legs = [(event.client, "cancel_refund", OUT, event.refund, 0)]
        case MilestoneReleased():
            legs = [(event.freelancer, "milestone", OUT, event.amount, event.fee)]
        case GigReleased():
            legs = [(event.freelancer, "release", OUT, event.amount, event.fee)]
        case GigRefunded():
            legs = [(event.client, "refund", OUT, event.amount, 0)]
        case GigResolved():
            legs = [
                (event.client, "resolution", OUT, event.to_client, 0),
                (event.freelancer, "resolution", OUT, event.to_freelancer, event.fee),
            ]
        case PaymentCredited():
            return [_payment(event, event.account, "credited", HELD, event.token, event.amount)]
        case CreditWithdrawn():
            return [_payment(event, event.account, "withdrawal", OUT, event.token, event.amount)]
        case _:
            return []
    token = event.token if isinstance(event, GigCreated) else gig_token
    if token is None:
        raise ValueError(f"{event.name} of gig {event.gig_id}: the gig's token is unknown")
    return [_payment(event, who, kind, way, token, amount, fee) for who, kind, way, amount, fee in legs if amount]


# ---------------------------------------------------------------- the report

#: Mismatch names: what the report calls each way a payment or balance can fail.
MISSING_FROM_INDEX = "payment missing from index"
NOT_ON_CHAIN = "payment not on chain"
DIFFERS_FROM_CHAIN = "payment differs from chain"
LOG_NOT_IN_RECEIPT = "log not in receipt"
RECEIPTS_ROOT_MISMATCH = "receipts root mismatch"
HEADER_HASH_MISMATCH = "header hash mismatch"
SEAL_NOT_BY_AUTHORITY = "seal not by an authority"
ESCROW_BALANCE_MISMATCH = "escrow balance mismatch"

#: The seal status of a chain whose genesis lists no authorities (Anvil, Hardhat).
UNSEALED_CHAIN = "unsealed chain: no authorities"


@dataclass(frozen=True)
class Mismatch:
    """One thing the chain and the index (or the chain and itself) disagree on."""

    name: str
    detail: str
    transaction_hash: str | None = None
    log_index: int | None = None


@dataclass(frozen=True)
class AuditRow:
    """One payment as the chain has it, with the outcome of each check."""

    payment: Payment
    log_in_receipt: bool
    receipts_root: bool
    seal: str  # "sealed by 0x...", UNSEALED_CHAIN, or why the seal failed
    in_index: bool | None  # None when no index claims were given
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class BalanceCheck:
    """The escrow's balance of one token on chain against what the index says it holds."""

    token: str
    on_chain: int
    indexed: int

    @property
    def ok(self) -> bool:
        return self.on_chain == self.indexed


@dataclass(frozen=True)
class AuditReport:
    """Every escrow payment of an account, each verified against the chain."""

    account: str
    chain_id: int
    escrow: str
    authorities: list[str]
    rows: list[AuditRow]
    balances: list[BalanceCheck]
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def table_rows(self) -> list[dict[str, Any]]:
        """One flat dict per payment: what the table and the CSV show."""
        return [
            {
                "block": row.payment.block_number,
                "transaction": row.payment.transaction_hash,
                "log_index": row.payment.log_index,
                "gig_id": row.payment.gig_id,
                "kind": row.payment.kind,
                "direction": row.payment.direction,
                "token": row.payment.token,
                "amount": str(row.payment.amount),
                "fee": str(row.payment.fee),
                "log_in_receipt": row.log_in_receipt,
                "receipts_root": row.receipts_root,
                "seal": row.seal,
                "in_index": row.in_index,
                "status": "ok" if row.ok else "; ".join(row.problems),
            }
            for row in self.rows
        ]

    def to_json(self) -> str:
        """The whole report as JSON; amounts as decimal strings."""
        return json.dumps(
            {
                "account": self.account,
                "chain_id": self.chain_id,
                "escrow": self.escrow,
                "authorities": self.authorities,
                "ok": self.ok,
                "payments": self.table_rows(),
                "balances": [
                    {"token": b.token, "on_chain": str(b.on_chain), "indexed": str(b.indexed), "ok": b.ok}
                    for b in self.balances
                ],
                "mismatches": [asdict(m) for m in self.mismatches],
            },
            indent=2,
        )

    def to_csv(self) -> str:
        """One CSV line per payment, for spreadsheets."""
        rows = self.table_rows()
        out = io.StringIO()
        columns = list(rows[0]) if rows else list(AUDIT_COLUMNS)
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def to_table(self):
        """A rich Table of the payments and, under it, the mismatches' names."""
        from rich.table import Table

        table = Table(title=f"Escrow payments of {self.account}", caption=self._caption())
        for column in AUDIT_COLUMNS:
            table.add_column(column)
        for row in self.table_rows():
            table.add_row(*(str(row[c]) for c in AUDIT_COLUMNS))
        return table

    def _caption(self) -> str:
        if self.ok:
            return "every payment verified against the chain"
        return "MISMATCHES: " + "; ".join(f"{m.name} ({m.detail})" for m in self.mismatches)


AUDIT_COLUMNS = (
    "block", "transaction", "log_index", "gig_id", "kind", "direction", "token", "amount", "fee",
    "log_in_receipt", "receipts_root", "seal", "in_index", "status",
)


# ---------------------------------------------------------------- reading the chain


class RpcFailed(RuntimeError):
    """The endpoint answered a JSON-RPC call with an error."""


def _rpc(w3: Web3, method: str, params: list) -> Any:
    """A raw JSON-RPC call: hex strings in, hex strings out, no web3 formatting."""
    response = w3.provider.make_request(method, params)
    if response.get("error"):
        raise RpcFailed(f"{method}: {response['error']}")
    return response["result"]


def _topic(address: str) -> str:
    return "0x" + address.lower().removeprefix("0x").rjust(64, "0")


def _logs(w3: Web3, address: str, topics: list, from_block: int) -> list[dict]:
    return _rpc(w3, "eth_getLogs", [{"address": address, "fromBlock": hex(from_block), "toBlock": "latest", "topics": topics}])


def chain_payments(w3: Web3, deployment: Deployment, account: str) -> list[Payment]:
    """Every escrow payment of ``account``, read from the chain's logs alone."""
    account = to_checksum_address(account)
    topics = event_topics()
    gig_topics = [topics[e.__name__] for e in GIG_EVENTS]
    credit_topics = [topics["PaymentCredited"], topics["CreditWithdrawn"]]
    raw = (
        _logs(w3, deployment.escrow, [gig_topics, None, _topic(account)], deployment.block)
        + _logs(w3, deployment.escrow, [gig_topics, None, None, _topic(account)], deployment.block)
        + _logs(w3, deployment.escrow, [credit_topics, _topic(account)], deployment.block)
    )
    events = {(e.transaction_hash, e.log_index): e for e in map(decode_log, raw) if e is not None}
    tokens = _gig_tokens(w3, deployment, {e.gig_id for e in events.values() if hasattr(e, "gig_id")})
    ordered = sorted(events.values(), key=lambda e: (e.block_number, e.log_index))
    return [
        p
        for event in ordered
        for p in payments_of(event, tokens.get(getattr(event, "gig_id", None)))
        if p.account == account
    ]


def _gig_tokens(w3: Web3, deployment: Deployment, gig_ids: set[int]) -> dict[int, str]:
    """Each gig's token, from its GigCreated log."""
    created_topic = event_topics()["GigCreated"]
    ids = sorted(gig_ids)
    tokens: dict[int, str] = {}
    for start in range(0, len(ids), 100):
        chunk = ["0x" + format(gig_id, "064x") for gig_id in ids[start : start + 100]]
        for log in _logs(w3, deployment.escrow, [created_topic, chunk], deployment.block):
            event = decode_log(log)
            tokens[event.gig_id] = event.token
    return tokens


def encode_receipt(receipt: Mapping[str, Any]) -> bytes:
    """A JSON-RPC receipt as the receipts trie holds it (EIP-2718 typed envelope)."""
    logs = [
        [bytes.fromhex(log["address"][2:]), [bytes.fromhex(t[2:]) for t in log["topics"]], bytes.fromhex(log["data"][2:])]
        for log in receipt["logs"]
    ]
    body = rlp.encode(
        [int(receipt["status"], 16), int(receipt["cumulativeGasUsed"], 16), bytes.fromhex(receipt["logsBloom"][2:]), logs]
    )
    kind = int(receipt.get("type") or "0x0", 16)
    return body if kind == 0 else bytes([kind]) + body


def receipts_root(receipts: Sequence[Mapping[str, Any]]) -> bytes:
    """The root of the trie keyed by rlp(transaction index) holding each encoded receipt."""
    trie = HexaryTrie({})
    for receipt in receipts:
        trie[rlp.encode(int(receipt["transactionIndex"], 16))] = encode_receipt(receipt)
    return trie.root_hash


def _block_receipts(w3: Web3, block: Mapping[str, Any]) -> list[dict]:
    """All receipts of a block: eth_getBlockReceipts where served, else one by one."""
    try:
        return _rpc(w3, "eth_getBlockReceipts", [block["hash"]])
    except RpcFailed:
        return [_rpc(w3, "eth_getTransactionReceipt", [tx]) for tx in block["transactions"]]


@dataclass
class _BlockCheck:
    receipts_root: bool
    seal: str
    problems: list[Mismatch]


class _Verifier:
    """Checks payments against the chain, fetching each block once."""

    def __init__(self, w3: Web3, authorities: list[str]) -> None:
        self.w3 = w3
        self.authorities = authorities
        self.allowed = {a.lower() for a in authorities}
        self.blocks: dict[str, _BlockCheck] = {}

    def block(self, block_hash: str) -> _BlockCheck:
        if block_hash not in self.blocks:
            self.blocks[block_hash] = self._check_block(block_hash)
        return self.blocks[block_hash]

    def _check_block(self, block_hash: str) -> _BlockCheck:
        block = _rpc(self.w3, "eth_getBlockByHash", [block_hash, False])
        problems = []
        try:
            checked_header(block)
        except SealError as error:
            problems.append(Mismatch(HEADER_HASH_MISMATCH, str(error)))
        root = receipts_root(_block_receipts(self.w3, block))
        root_ok = "0x" + root.hex() == block["receiptsRoot"].lower()
        if not root_ok:
            problems.append(Mismatch(
                RECEIPTS_ROOT_MISMATCH,
                f"block {int(block['number'], 16)}: rebuilt 0x{root.hex()}, header {block['receiptsRoot']}",
            ))
        seal, sealed_by_authority = self._seal(block)
        if not sealed_by_authority:
            problems.append(Mismatch(SEAL_NOT_BY_AUTHORITY, f"block {int(block['number'], 16)}: {seal}"))
        return _BlockCheck(root_ok, seal, problems)

    def _seal(self, block: Mapping[str, Any]) -> tuple[str, bool]:
        """What the seal says, and whether that is acceptable (an unsealed chain is)."""
        if not self.authorities:
            return UNSEALED_CHAIN, True
        try:
            sealer = recover_sealer(block)
        except SealError as error:
            return f"no valid seal: {error}", False
        if sealer.lower() not in self.allowed:
            return f"sealed by {sealer}, who is not an authority", False
        return f"sealed by {sealer}", True

    def log_in_receipt(self, payment: Payment, address: str) -> bool:
        receipt = _rpc(self.w3, "eth_getTransactionReceipt", [payment.transaction_hash])
        if receipt is None or receipt["blockHash"].lower() != payment.block_hash.lower():
            return False
        for log in receipt["logs"]:
            if int(log["logIndex"], 16) == payment.log_index:
                return log["address"].lower() == address.lower()
        return False


def _claim_differences(chain: Payment, claimed: Payment) -> list[str]:
    fields = ("kind", "direction", "gig_id", "token", "amount", "fee", "block_number")
    return [
        f"{name}: index {getattr(claimed, name)}, chain {getattr(chain, name)}"
        for name in fields
        if getattr(claimed, name) != getattr(chain, name)
    ]


def _escrow_balance(w3: Web3, escrow: str, token: str) -> int:
    if int(token, 16) == 0:
        return int(_rpc(w3, "eth_getBalance", [escrow, "latest"]), 16)
    data = "0x70a08231" + escrow.lower()[2:].rjust(64, "0")  # balanceOf(address)
    return int(_rpc(w3, "eth_call", [{"to": token, "data": data}, "latest"]), 16)


def chain_authorities(w3: Web3) -> list[str]:
    """The authorities the genesis header lists; empty on a chain without a PoA seal."""
    return authorities_from_genesis(_rpc(w3, "eth_getBlockByNumber", ["0x0", False]))


def claims_from_api(api_url: str, account: str, *, timeout: float = 30.0) -> tuple[list[Payment], dict[str, int]]:
    """What a GigLedger query API claims: the account's payment rows (every page)
    and what the escrow holds per token. Pass them to `audit_account` as
    ``claimed`` and ``held`` to check the index behind that API against the chain."""
    import httpx

    from gigledger.payments import payment_from_api  # it builds on this module

    base = api_url.rstrip("/")
    claimed: list[Payment] = []
    with httpx.Client(base_url=base, timeout=timeout) as client:
        offset: int | None = 0
        while offset is not None:
            page = client.get(f"/accounts/{account}/payments", params={"offset": offset, "limit": 1000})
            page.raise_for_status()
            body = page.json()
            claimed.extend(payment_from_api(row) for row in body["items"])
            offset = body["next_offset"]
        holdings = client.get("/escrow/holdings")
        holdings.raise_for_status()
    return claimed, {token: int(amount) for token, amount in holdings.json()["holdings"].items()}


def audit_account(
    w3: Web3,
    deployment: Deployment,
    account: str,
    *,
    authorities: list[str] | None,
    held: Mapping[str, int] | None = None,
    claimed: Iterable[Payment] | None = None,
) -> AuditReport:
    """Verify every escrow payment of ``account`` against the chain.

    ``authorities``: who may seal blocks; None reads them from the genesis header.
    ``held``: per token, what an index says the escrow still holds; each is
    compared with the escrow's balance on chain. ``claimed``: an index's payment
    rows for the account; each must match a payment on chain, and vice versa.
    """
    account = to_checksum_address(account)
    authorities = chain_authorities(w3) if authorities is None else list(authorities)
    verifier = _Verifier(w3, authorities)
    claims = None if claimed is None else {p.key: p for p in claimed}
    mismatches: list[Mismatch] = []
    rows = []
    for payment in chain_payments(w3, deployment, account):
        problems = list(verifier.block(payment.block_hash).problems)
        in_receipt = verifier.log_in_receipt(payment, deployment.escrow)
        if not in_receipt:
            problems.append(Mismatch(LOG_NOT_IN_RECEIPT, f"log {payment.log_index} of {payment.transaction_hash}"))
        in_index = None
        if claims is not None:
            claim = claims.pop(payment.key, None)
            in_index = claim is not None
            if claim is None:
                problems.append(Mismatch(MISSING_FROM_INDEX, f"{payment.kind} of {payment.amount} in gig {payment.gig_id}"))
            elif differences := _claim_differences(payment, claim):
                problems.append(Mismatch(DIFFERS_FROM_CHAIN, "; ".join(differences)))
        located = [Mismatch(m.name, m.detail, payment.transaction_hash, payment.log_index) for m in problems]
        mismatches.extend(located)
        block = verifier.block(payment.block_hash)
        rows.append(AuditRow(payment, in_receipt, block.receipts_root, block.seal, in_index, tuple(m.name for m in located)))
    for fake in (claims or {}).values():
        mismatches.append(Mismatch(
            NOT_ON_CHAIN, f"{fake.kind} of {fake.amount} in gig {fake.gig_id}", fake.transaction_hash, fake.log_index
        ))
    balances = [BalanceCheck(token, _escrow_balance(w3, deployment.escrow, token), amount) for token, amount in (held or {}).items()]
    mismatches.extend(
        Mismatch(ESCROW_BALANCE_MISMATCH, f"token {b.token}: on chain {b.on_chain}, index {b.indexed}")
        for b in balances
        if not b.ok
    )
    return AuditReport(account, deployment.chain_id, deployment.escrow, authorities, rows, balances, mismatches)

