"""A gig as the escrow sees it, rebuilt from the escrow's events.

The escrow keeps only a commitment per gig (the keccak256 of the ABI-encoded `Gig`
struct); every call takes the struct as it stands. `Gig.from_events` folds a gig's
events exactly as the contract changes the struct, so `as_tuple()` hashes to the
commitment the escrow holds. After settlement the escrow no longer holds a struct;
the model keeps the final state for display.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Iterable

from gigledger.events import (  # noqa: F401 - GIG_EVENTS is re-exported: the gig's own events
    GIG_EVENTS,
    Event,
    GigAccepted,
    GigCancelled,
    GigCreated,
    GigDelivered,
    GigDisputed,
    GigRefunded,
    GigReleased,
    GigResolved,
    MilestoneReleased,
)

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class State(enum.IntFlag):
    """The escrow's `State` flag: one bit per state, as Vyper encodes flags."""

    OPEN = 1
    ACCEPTED = 2
    DELIVERED = 4
    RELEASED = 8
    CANCELLED = 16
    REFUNDED = 32
    DISPUTED = 64
    RESOLVED = 128


#: States after which the gig's money is gone and its parties may attest.
SETTLED = State.RELEASED | State.REFUNDED | State.RESOLVED


class GigHistoryError(ValueError):
    """The events given do not describe one gig from its creation on."""


@dataclass(frozen=True, slots=True)
class Gig:
    """One gig: the escrow's `Gig` struct plus what its events tell about it."""

    gig_id: int
    client: str
    freelancer: str  # the zero address while an open gig waits for someone to accept it
    arbiter: str
    token: str  # the zero address for ETH
    amount: int
    paid: int
    milestones: tuple[int, ...]
    released: int
    deadline: int
    review_period: int
    fee_bps: int
    state: State
    delivered_at: int
    disputed_at: int
    terms_hash: str
    skills: tuple[str, ...]
    deliverable_hash: str | None = None
    on_time: bool | None = None  # known once released

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Gig:
        """The gig as its events leave it. Events of other kinds or gigs are an error."""
        ordered = sorted(
            (e for e in events if isinstance(e, GIG_EVENTS)), key=lambda e: (e.block_number, e.log_index)
        )
        if not ordered or not isinstance(ordered[0], GigCreated):
            raise GigHistoryError("a gig's history must start with its GigCreated event")
        gig = cls.created(ordered[0])
        for event in ordered[1:]:
            gig = gig.apply(event)
        return gig

    @classmethod
    def created(cls, event: GigCreated) -> Gig:
        """The gig as `GigCreated` leaves it: open and funded."""
        return cls(
            gig_id=event.gig_id,
            client=event.client,
            freelancer=event.freelancer,
            arbiter=event.arbiter,
            token=event.token,
            amount=event.amount,
            paid=0,
            milestones=event.milestones,
            released=0,
            deadline=event.deadline,
            review_period=event.review_period,
            fee_bps=event.fee_bps,
            state=State.OPEN,
            delivered_at=0,
            disputed_at=0,
            terms_hash=event.terms_hash,
            skills=event.skills,
        )

    def apply(self, event: Event) -> Gig:
        """The gig after one more of its events, changed as the contract changes it."""
        if getattr(event, "gig_id", None) != self.gig_id:
            raise GigHistoryError(f"event {event.name} is not about gig {self.gig_id}")
        match event:
            case GigAccepted():
                return replace(self, freelancer=event.freelancer, state=State.ACCEPTED)
            case GigCancelled():
                return replace(self, state=State.CANCELLED)
            case GigDelivered():
                return replace(
                    self,
                    state=State.DELIVERED,
                    delivered_at=event.delivered_at,
                    deliverable_hash=event.deliverable_hash,
                )
            case MilestoneReleased():
                return replace(self, paid=self.paid + event.amount, released=self.released + 1)
            case GigReleased():
                return replace(
                    self,
                    state=State.RELEASED,
                    paid=self.paid + event.amount,
                    released=len(self.milestones),
                    on_time=event.on_time,
                )
            case GigRefunded():
                return replace(self, state=State.REFUNDED)
            case GigDisputed():
                return replace(self, state=State.DISPUTED, disputed_at=event.disputed_at)
            case GigResolved():
                return replace(self, state=State.RESOLVED, paid=self.paid + event.to_freelancer)
        raise GigHistoryError(f"{event.name} does not change a gig")

    def as_tuple(self) -> tuple:
        """The escrow's `Gig` struct, in field order, for contract calls."""
        return (
            self.client,
            self.freelancer,
            self.arbiter,
            self.token,
            self.amount,
            self.paid,
            list(self.milestones),
            self.released,
            self.deadline,
            self.review_period,
            self.fee_bps,
            int(self.state),
            self.delivered_at,
            self.disputed_at,
        )

    @property
    def is_open(self) -> bool:
        """Nobody has accepted it yet; an empty freelancer means anyone eligible may."""
        return self.state == State.OPEN

    @property
    def is_settled(self) -> bool:
        """Paid out, refunded or resolved: the parties may now attest about each other."""
        return bool(self.state & SETTLED)

    @property
    def is_eth(self) -> bool:
        """Paid in ETH rather than an ERC-20."""
        return self.token == ZERO_ADDRESS

    @property
    def held(self) -> int:
        """What the escrow still holds for this gig."""
        if self.state & (SETTLED | State.CANCELLED):
            return 0
        return self.amount - self.paid

    @property
    def review_ends_at(self) -> int | None:
        """When the client's review window closes (after it the freelancer may claim)."""
        return self.delivered_at + self.review_period if self.delivered_at else None


def gigs_from_events(events: Iterable[Event]) -> dict[int, Gig]:
    """Every gig created among `events`, by id, each folded from its own events."""
    by_gig: dict[int, list[Event]] = {}
    for event in events:
        if isinstance(event, GIG_EVENTS):
            by_gig.setdefault(event.gig_id, []).append(event)
    return {
        gig_id: Gig.from_events(gig_events)
        for gig_id, gig_events in by_gig.items()
        if any(isinstance(e, GigCreated) for e in gig_events)
    }
