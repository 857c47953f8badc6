"""Payment history: every movement of money between an account and the escrow.

What a payment is (kinds, directions seen from the escrow, amounts before fees)
is defined once, in `gigledger.audit`, so the SDK's history, the indexer's rows
and the audit report agree row for row. This module reads that history from the
chain or from the query API, and writes it as CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields
from typing import Any, Iterable, Mapping

from gigledger.audit import Payment, payments_of
from gigledger.events import Event, GigCreated

__all__ = ["Payment", "account_payments", "payment_from_api", "payments_csv"]

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
        for payment in payments_of(event, tokens.get(getattr(event, "gig_id", None)))
        if payment.account.lower() == account.lower()
    ]


def payment_from_api(row: Mapping[str, Any]) -> Payment:
    """A payment from a query API row (amounts come as decimal strings there).

    The API's rows do not carry the block hash; it is left empty.
    """
    values = {}
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
