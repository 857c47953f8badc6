"""Payment history: every movement of money between an account and the escrow.

Built from the escrow's events (the chain is the source of truth), or read from
the query API, which serves the same rows from its index.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Literal

from gigledger.events import (
    Event,
    GigCancelled,
    GigCreated,
    GigRefunded,
    GigReleased,
    GigResolved,
    MilestoneReleased,
)

Direction = Literal["in", "out"]


@dataclass(frozen=True)
class Payment:
    """Money that moved between `account` and the escrow on one gig.

    `direction` is "out" when the account paid into the escrow (funding a gig) and
    "in" when the escrow paid it (release, milestone, refund, resolution); `amount`
    is what reached the account, after the platform fee.
    """

    account: str
    gig_id: int
    kind: str  # funded | released | milestone | refunded | cancelled | resolved
    direction: Direction
    token: str  # the zero address for ETH
    amount: int
    counterparty: str
    transaction_hash: str
    block_number: int
    log_index: int

    def to_json(self) -> dict:
        """A JSON-ready dict (amounts stay integers in the token's smallest unit)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Payment:
        """A payment from the query API's JSON (same field names as `to_json`)."""
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def payments_of(account: str, events: Iterable[Event]) -> list[Payment]:
    """The payments of `account` among the escrow's `events`, in chain order.

    The token of a payout is taken from its gig's GigCreated, which must be among
    the events (the escrow indexes every gig event by gig id, client and freelancer).
    """
    ordered = sorted(events, key=lambda e: (e.block_number, e.log_index))
    tokens = {e.gig_id: e.token for e in ordered if isinstance(e, GigCreated)}
    account = account.lower()
    payments = []
    for event in ordered:
        for kind, party, other, amount, direction in _movements(event):
            if party.lower() == account and amount > 0:
                payments.append(
                    Payment(
                        account=party,
                        gig_id=event.gig_id,
                        kind=kind,
                        direction=direction,
                        token=tokens[event.gig_id],
                        amount=amount,
                        counterparty=other,
                        transaction_hash=event.transaction_hash,
                        block_number=event.block_number,
                        log_index=event.log_index,
                    )
                )
    return payments


def _movements(event: Event) -> list[tuple[str, str, str, int, Direction]]:
    """(kind, party, counterparty, amount, direction) of each transfer an event records."""
    match event:
        case GigCreated():
            return [("funded", event.client, event.freelancer, event.amount, "out")]
        case GigCancelled():
            return [("cancelled", event.client, event.freelancer, event.refund, "in")]
        case MilestoneReleased():
            return [("milestone", event.freelancer, event.client, event.amount - event.fee, "in")]
        case GigReleased():
            return [("released", event.freelancer, event.client, event.amount - event.fee, "in")]
        case GigRefunded():
            return [("refunded", event.client, event.freelancer, event.amount, "in")]
        case GigResolved():
            return [
                ("resolved", event.client, event.freelancer, event.to_client, "in"),
                ("resolved", event.freelancer, event.client, event.to_freelancer - event.fee, "in"),
            ]
    return []
