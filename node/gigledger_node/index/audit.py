"""Auditing an account: the index's claims, checked by the SDK's auditor against the chain.

The index says which payments an account made and received and what the escrow
still holds; `gigledger.audit.audit_account` verifies the chain from the pinned
anchor to the index's checkpoint (one head, so indexer lag is never a mismatch)
and names every way the two disagree. What the escrow holds is what the index's
payment rows imply (all accounts'), so a deleted or altered row also shows as a
balance the chain does not have; the index's own holdings table must agree
with those rows too.

The account's record is reconciled the same way: its `reputation` row's
counters with the registry's record proved by a storage proof at the head, its
gig counts with the verified GigCreated and GigAccepted logs, its `volumes`
rows with the proved volume per token, and every `gigs` row it is a party to
with the gig folded from the verified logs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from web3 import Web3

from gigledger.anchor import TrustAnchor
from gigledger.audit import PARTICIPATION, ChainAudit, ClaimedRecord, reconcile, record_differences, verify_account
from gigledger.audit_registry import COUNTERS
from gigledger.deployment import Deployment
from gigledger.payments import OUT, Payment
from gigledger.report import (
    DIFFERS_FROM_CHAIN,
    GIG_DIFFERS_FROM_CHAIN,
    GIG_MISSING_FROM_INDEX,
    GIG_ROW_NOT_ON_CHAIN,
    HOLDINGS_DIFFER_FROM_ROWS,
    AuditReport,
    Mismatch,
)
from gigledger_node.index import db
from gigledger_node.index.gig_rows import GigRow
from gigledger_node.index.queries import PaymentRecord, Queries, checked_address


def claimed_payment(record: PaymentRecord) -> Payment:
    """An index payment row in the auditor's terms (the index keeps no block hash)."""
    return Payment(
        transaction_hash=record.transaction_hash,
        log_index=record.log_index,
        block_number=record.block_number,
        block_hash="",
        account=record.account,
        kind=record.kind,
        direction=record.direction,
        gig_id=record.gig_id,
        token=record.token,
        amount=record.amount,
        fee=record.fee,
    )


def held_by_rows(queries: Queries) -> dict[str, int]:
    """Per token, what the index's payment rows say the escrow holds (money in and kept, less money out)."""
    query = select(db.payments.c.token, db.payments.c.direction, db.payments.c.amount)  # uint256 as text: summed here
    held: Counter[str] = Counter()
    with queries.engine.connect() as conn:
        for token, direction, amount in conn.execute(query):
            held[token] += -int(amount) if direction == OUT else int(amount)
    return {token: held.get(token, 0) for token in sorted({*held, *queries.held_by_escrow()})}


def _timestamp_differences(queries: Queries, verified: ChainAudit) -> list[Mismatch]:
    """Index payment rows whose timestamp is not their verified block's."""
    chain = {v.payment.key: v.timestamp for v in verified.payments}
    return [
        Mismatch(
            DIFFERS_FROM_CHAIN, f"timestamp: index {row.timestamp}, chain {chain[payment.key]}",
            row.transaction_hash, row.log_index,
        )
        for row in queries.all_payments(verified.account)
        if (payment := claimed_payment(row)).key in chain and chain[payment.key] != row.timestamp
    ]


def audit_from_index(
    queries: Queries,
    w3: Web3,
    deployment: Deployment,
    account: str,
    *,
    anchor: TrustAnchor | None = None,
    require_seals: bool | None = None,
    token_layouts: Mapping[str, Mapping[str, Any]] | None = None,
    cache_dir: Path | None = None,
) -> AuditReport:
    """Audit ``account``'s payment history as the index holds it, at the index's checkpoint.

    ``anchor`` defaults to the manifest's genesis hash; ``require_seals`` to
    whether the manifest records authorities (its operator's statement that the
    chain is sealed). ``token_layouts``: per ERC-20, its storage layout, to prove its balance.
    """
    account = checked_address(account)
    verified = verify_account(
        w3,
        deployment,
        account,
        anchor=anchor,
        require_seals=bool(deployment.authorities) if require_seals is None else require_seals,
        head=queries.status().checkpoint_block,
        tokens=held_by_rows(queries),
        token_layouts=token_layouts,
        cache_dir=cache_dir,
        record_tokens=volume_tokens(queries, account),
    )
    return reconcile_index(queries, verified)


def reconcile_index(queries: Queries, verified: ChainAudit) -> AuditReport:
    """The index's rows, read now, against a chain audit (which may have been kept)."""
    held = held_by_rows(queries)
    report = reconcile(verified, held=held, claimed=[claimed_payment(r) for r in queries.all_payments(verified.account)])
    report.mismatches.extend(_timestamp_differences(queries, verified))
    report.mismatches.extend(_record_differences(queries, verified))
    tables = queries.held_by_escrow()
    report.mismatches.extend(
        Mismatch(HOLDINGS_DIFFER_FROM_ROWS, f"token {token}: holdings table {tables.get(token, 0)}, payment rows {amount}")
        for token, amount in held.items()
        if tables.get(token, 0) != amount
    )
    return report


# ---------------------------------------------------------------- the account's record


def volume_tokens(queries: Queries, account: str) -> list[str]:
    """The tokens the index keeps a volume row in for ``account`` (each proved by the audit)."""
    query = select(db.volumes.c.token).where(db.volumes.c.account == checked_address(account))
    with queries.engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


def _record_differences(queries: Queries, verified: ChainAudit) -> list[Mismatch]:
    """The account's reputation, volume and gig rows against the proved record and the verified gigs."""
    if verified.coverage is None:
        return []
    account = verified.account
    with queries.engine.connect() as conn:
        reputation = conn.execute(select(db.reputation).where(db.reputation.c.account == account)).first()
        volumes = {r.token: (r.earned, r.paid) for r in conn.execute(select(db.volumes).where(db.volumes.c.account == account))}
        gigs = {
            r.gig_id: r._asdict()
            for r in conn.execute(select(db.gigs).where(or_(db.gigs.c.client == account, db.gigs.c.freelancer == account)))
        }
    counters = {} if reputation is None else {name: getattr(reputation, name) for name in (*COUNTERS, *PARTICIPATION)}
    return [*record_differences(verified, ClaimedRecord(counters, volumes)), *_gig_differences(gigs, verified)]


def _gig_differences(indexed: dict[int, dict[str, Any]], verified: ChainAudit) -> list[Mismatch]:
    problems = []
    for gig_id in sorted({*indexed, *verified.gigs}):
        row, chain = indexed.get(gig_id), verified.gigs.get(gig_id)
        if chain is None:
            problems.append(Mismatch(GIG_ROW_NOT_ON_CHAIN, f"gig {gig_id}: the index has a row, the verified logs no such gig of {verified.account}"))
        elif row is None:
            problems.append(Mismatch(GIG_MISSING_FROM_INDEX, f"gig {gig_id} of {verified.account}"))
        else:
            expected = GigRow(chain.gig, chain.created_block, chain.created_at, chain.updated_block, chain.updated_at).as_row()
            differences = [f"{c}: index {row[c]!r}, chain {v!r}" for c, v in expected.items() if row[c] != v]
            if differences:
                problems.append(Mismatch(GIG_DIFFERS_FROM_CHAIN, f"gig {gig_id}: " + "; ".join(differences)))
    return problems
