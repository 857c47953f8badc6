"""An audit's findings: every payment with its checks, the balances, and each mismatch named.

The names below are what the report, the CLI, the API and the explorer call each
way a chain, an endpoint or an index can fail an audit; tests match on them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from gigledger.payments import Payment

# The trust anchor and the header chain.
GENESIS_MISMATCH = "genesis does not match the pinned hash"
NO_AUTHORITIES = "genesis lists no authorities"
CHECKPOINT_MISMATCH = "checkpoint does not match"
HEADER_HASH_MISMATCH = "header hash mismatch"
HEADER_MISSING = "header missing"
CHAIN_BROKEN = "header not on the canonical chain"
SEAL_NOT_BY_AUTHORITY = "seal not by an authority"
EQUIVOCATION = "equivocation: two sealed headers at one height"
# What the verified headers commit to.
RECEIPTS_ROOT_MISMATCH = "receipts root mismatch"
TRANSACTIONS_ROOT_MISMATCH = "transactions root mismatch"
LOG_FORGED = "endpoint log differs from the verified receipt"
LOG_HIDDEN = "endpoint hid a log"
STATE_PROOF_INVALID = "state proof invalid"
GIG_NOT_ON_CHAIN = "payment's gig has no verified GigCreated"
ESCROW_BALANCE_MISMATCH = "escrow balance mismatch"
REGISTRY_PROOF_INVALID = "registry record proof invalid"
REGISTRY_ANSWER_DIFFERS = "endpoint's registry answer differs from the proven record"
# The index against the verified chain.
MISSING_FROM_INDEX = "payment missing from index"
NOT_ON_CHAIN = "payment not on chain"
DIFFERS_FROM_CHAIN = "payment differs from chain"
HOLDINGS_DIFFER_FROM_ROWS = "index holdings differ from its payment rows"
REPUTATION_DIFFERS_FROM_CHAIN = "reputation differs from chain"
VOLUME_DIFFERS_FROM_CHAIN = "volume differs from chain"
GIG_MISSING_FROM_INDEX = "gig missing from index"
GIG_ROW_NOT_ON_CHAIN = "gig not on chain"
GIG_DIFFERS_FROM_CHAIN = "gig differs from chain"

#: What an index row of the account's record can get wrong (the explorer marks its record by these).
RECORD_MISMATCHES = frozenset({
    REGISTRY_PROOF_INVALID, REGISTRY_ANSWER_DIFFERS, REPUTATION_DIFFERS_FROM_CHAIN, VOLUME_DIFFERS_FROM_CHAIN,
    GIG_MISSING_FROM_INDEX, GIG_ROW_NOT_ON_CHAIN, GIG_DIFFERS_FROM_CHAIN,
})

#: The seal status of blocks on a chain whose genesis lists no authorities (Anvil, Hardhat).
UNSEALED_CHAIN = "unsealed chain: no authorities"


@dataclass(frozen=True)
class Mismatch:
    """One thing the chain and the index (or the chain and itself) disagree on."""

    name: str
    detail: str
    transaction_hash: str | None = None
    log_index: int | None = None
    evidence: dict[str, Any] | None = None  # e.g. both headers of an equivocation


@dataclass(frozen=True)
class AuditRow:
    """One payment as the verified chain has it, with the outcome of each check."""

    payment: Payment
    log_in_receipt: bool  # taken from a receipt proved in receiptsRoot, its transaction in transactionsRoot
    receipts_root: bool
    seal: str  # "sealed by 0x...", UNSEALED_CHAIN, or why the seal failed
    in_index: bool | None  # None when no index claims were given
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class BalanceCheck:
    """The escrow's balance of one token on chain against what the index implies it holds."""

    token: str
    on_chain: int
    indexed: int
    proven: bool = True  # False: read without a state proof (an ERC-20 of unknown layout)

    @property
    def ok(self) -> bool:
        return self.on_chain == self.indexed


@dataclass(frozen=True)
class RegistryRecord:
    """The registry's record of the account at the audit's head: its counters and its
    volume per token (earned as freelancer, paid as client)."""

    counters: dict[str, int]  # completed, on_time, missed_deadlines, disputes_*, attestations, score_sum
    volumes: dict[str, tuple[int, int]]  # token (the zero address for ETH) -> (earned, paid)
    proven: bool  # by a storage proof against the head's stateRoot; False: as the endpoint answered


@dataclass(frozen=True)
class Coverage:
    """What the audit verified: the header range, and the blocks its bloom scan matched."""

    anchor: str
    first_block: int
    head: int
    head_hash: str
    blocks_scanned: int
    blocks_matched: int


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
    coverage: Coverage | None = None
    registry: RegistryRecord | None = None  # None: its proof failed, or the chain was not verified

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def record_ok(self) -> bool:
        """Whether the account's record (registry, reputation, volume and gig rows) is borne out."""
        return self.registry is not None and not (self.names() & RECORD_MISMATCHES)

    def names(self) -> set[str]:
        """The names of every mismatch found."""
        return {m.name for m in self.mismatches}

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
                "coverage": asdict(self.coverage) if self.coverage else None,
                "payments": self.table_rows(),
                "balances": [
                    {
                        "token": b.token, "on_chain": str(b.on_chain), "indexed": str(b.indexed),
                        "proven": b.proven, "ok": b.ok,
                    }
                    for b in self.balances
                ],
                "registry": self._registry_json(),
                "mismatches": [asdict(m) for m in self.mismatches],
            },
            indent=2,
        )

    def _registry_json(self) -> dict[str, Any] | None:
        if self.registry is None:
            return None
        volumes = {t: {"earned": str(e), "paid": str(p)} for t, (e, p) in self.registry.volumes.items()}
        return {"proven": self.registry.proven, "counters": self.registry.counters, "volumes": volumes}

    def to_csv(self) -> str:
        """One CSV line per payment, for spreadsheets."""
        rows = self.table_rows()
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(AUDIT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def to_table(self) -> Any:
        """A rich Table of the payments and, under it, the coverage and the mismatches' names."""
        from rich.table import Table

        table = Table(title=f"Escrow payments of {self.account}", caption=self._caption())
        for column in AUDIT_COLUMNS:
            table.add_column(column)
        for row in self.table_rows():
            table.add_row(*(str(row[c]) for c in AUDIT_COLUMNS))
        return table

    def _caption(self) -> str:
        scanned = ""
        if self.coverage:
            c = self.coverage
            scanned = (
                f"headers {c.first_block}..{c.head} verified from {c.anchor}; "
                f"{c.blocks_scanned} blocks scanned, {c.blocks_matched} matched. "
            )
        if self.registry is not None:
            scanned += "registry record " + ("proven by a storage proof. " if self.registry.proven else "unproven. ")
        if self.ok:
            return scanned + "every payment verified against the chain"
        return scanned + "MISMATCHES: " + "; ".join(f"{m.name} ({m.detail})" for m in self.mismatches)


AUDIT_COLUMNS = (
    "block", "transaction", "log_index", "gig_id", "kind", "direction", "token", "amount", "fee",
    "log_in_receipt", "receipts_root", "seal", "in_index", "status",
)
