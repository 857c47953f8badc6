"""Payment history: every movement of money between an account and the escrow.

What a payment is (kinds, directions seen from the escrow, amounts before fees)
is defined once, here (`payments_of`), so the SDK's history, the indexer's rows
and the audit report agree row for row. This module also reads that history
from events or from the query API, and writes it as CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

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
)

__all__ = [
    "HELD", "IN", "OUT", "Payment", "account_payments", "api_payments", "payment_from_api", "payments_csv", "payments_given_tokens", "payments_of",
]

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


def payments_given_tokens(event: Event, tokens: Mapping[int, str]) -> list[Payment]:
    """`payments_of` with the gig's token looked up in ``tokens`` (gig id -> token)."""
    gig_id = getattr(event, "gig_id", None)
    return payments_of(event, None if gig_id is None else tokens.get(gig_id))


_INTEGER_FIELDS = {"amount", "fee", "block_number", "log_index"}


def account_payments(account: str, events: Iterable[Event]) -> list[Payment]:
    """The payments of `account` among escrow `events`, in chain order.

    The events must include the GigCreated of every gig they touch (it names the
    gig's token); duplicates are ignored.
    """
    unique = {(e.transaction_hash, e.log_index): e for e in events}
    ordered = sorted(unique.values(), key=lambda e: (e.block_number, e.log_index))
    tokens = {e.gig_id: e.token for e in ordered if isinstance(e, GigCreated)}
    return [
        payment
        for event in ordered
        for payment in payments_given_tokens(event, tokens)
        if payment.account.lower() == account.lower()
    ]


#: Rows per page when reading a payment history from the query API.
API_PAGE_SIZE = 1000


def api_payments(get: Callable[[str, dict[str, Any]], Any], account: str) -> list[Payment]:
    """Every page of the query API's ``/accounts/{account}/payments``.

    ``get(path, params)`` fetches one JSON page (items, next_offset); each caller
    passes its own HTTP client and error handling.
    """
    payments: list[Payment] = []
    offset: int | None = 0
    while offset is not None:
        page = get(f"/accounts/{account}/payments", {"offset": offset, "limit": API_PAGE_SIZE})
        payments.extend(payment_from_api(row) for row in page["items"])
        offset = page.get("next_offset")
    return payments


def payment_from_api(row: Mapping[str, Any]) -> Payment:
    """A payment from a query API row (amounts come as decimal strings there).

    The API's rows do not carry the block hash; it is left empty.
    """
    values: dict[str, Any] = {}
    for field in fields(Payment):
        value = row.get(field.name, "" if field.name == "block_hash" else None)
        values[field.name] = int(value) if field.name in _INTEGER_FIELDS and value is not None else value
    return Payment(**values)


def payments_csv(payments: Iterable[Payment]) -> str:
    """The payments as CSV, one row each, with a header; amounts in the token's smallest unit."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(Payment)])
    writer.writeheader()
    for payment in payments:
        writer.writerow(asdict(payment))
    return out.getvalue()
