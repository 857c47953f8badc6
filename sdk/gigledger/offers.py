"""Service offers: what a freelancer offers, on fixed terms, until withdrawn or hired.

An offer cannot be edited: new terms are a new offer. A client hires by naming the
exact `Offer` it read (the market keeps only its hash), so a freelancer who
changes the price after the client looked cannot make the client pay it.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

from gigledger.amounts import TokenUnits
from gigledger.events import OfferPosted

#: The contract's `Offer` struct as an ABI tuple (see contracts/interfaces/ITalentMarket.vyi).
OFFER_TUPLE = "(address,address,uint256,uint256,uint256,address,bytes32,bytes32[])"


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

    def hash(self) -> str:
        """The hash the market keeps for this offer while it is open (its `hash_offer`):
        keccak256 of the ABI-encoded struct. Equal hashes mean equal terms, so a client
        who pins the hash it was shown hires exactly those terms or nothing."""
        return "0x" + keccak(encode([OFFER_TUPLE], [self.as_tuple()])).hex()


def hire_command(offer: Offer, units: TokenUnits) -> str:
    """The `gigledger hire` command that takes exactly ``offer`` (``units``: its token's):
    the price ceiling in the token's own units for the reader, and the offer's hash,
    so that run against another deployment, or after a reorganisation replaced the
    offer, it pays nothing rather than other terms."""
    return f"gigledger hire {offer.offer_id} --max-price {units.argument(offer.price)} --offer-hash {offer.hash()}"
