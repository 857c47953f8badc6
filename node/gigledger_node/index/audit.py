"""Auditing an account: the index's claims, checked by the SDK's auditor against the chain.

The index says which payments an account made and received and what the escrow
still holds; `gigledger.audit.audit_account` verifies each payment on chain and
names every way the two disagree.
"""

from __future__ import annotations

from web3 import Web3

from gigledger.audit import AuditReport, Payment, audit_account
from gigledger.deployment import Deployment
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


def audit_from_index(
    queries: Queries,
    w3: Web3,
    deployment: Deployment,
    account: str,
    *,
    authorities: list[str] | None = None,
) -> AuditReport:
    """Audit ``account``'s payment history as the index holds it.

    ``authorities`` None reads the sealing authorities from the genesis header.
    """
    account = checked_address(account)
    return audit_account(
        w3,
        deployment,
        account,
        authorities=authorities,
        held=queries.held_by_escrow(),
        claimed=[claimed_payment(r) for r in queries.all_payments(account)],
    )
