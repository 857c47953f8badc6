"""Service offers: what a freelancer offers, on fixed terms, until withdrawn or hired.

An offer cannot be edited: new terms are a new offer. A client hires by naming the
exact `Offer` it read (the market keeps only its hash), so a freelancer who
changes the price after the client looked cannot make the client pay it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gigledger.events import OfferPosted


@dataclass(frozen=True)
class Offer:
    """An offer's terms, as `OfferPosted` logged them; `as_tuple` is the contract's struct."""

    offer_id: int
    freelancer: str
    token: str  # ZERO_ADDRESS for ETH
    price: int
    delivery_time: int  # seconds from the hire to the gig's deadline
    review_period: int
    arbiter: str
    terms_hash: str
    skills: tuple[str, ...]  # bytes32 tags

    @classmethod
    def posted(cls, event: OfferPosted) -> Offer:
        """The offer an `OfferPosted` event describes."""
        return cls(
            offer_id=event.offer_id,
            freelancer=event.freelancer,
            token=event.token,
            price=event.price,
            delivery_time=event.delivery_time,
            review_period=event.review_period,
            arbiter=event.arbiter,
            terms_hash=event.terms_hash,
            skills=event.skills,
        )

    def as_tuple(self) -> tuple:
        """The `Offer` struct, in the contract's field order."""
        return (
            self.freelancer,
            self.token,
            self.price,
            self.delivery_time,
            self.review_period,
            self.arbiter,
            bytes.fromhex(self.terms_hash.removeprefix("0x")),
            [bytes.fromhex(s.removeprefix("0x")) for s in self.skills],
        )
