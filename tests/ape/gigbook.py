"""The escrow's `Gig` tuple, kept current from the escrow's own events; and the
defaults of the gigs this suite creates.

Every escrow call takes `(gig_id, gig)` with the gig as it stands; the SDK rebuilds
it from events, and so does this book, so that the contract suite does not depend
on the SDK. `GigBook.send` calls an escrow function with the current tuple and then
applies the receipt's events, so a test reads as the story of a gig.
"""

from __future__ import annotations

from enum import IntFlag
from typing import Any, NamedTuple

ZERO_ADDRESS = "0x" + "00" * 20
DAY = 86_400
BPS = 10_000

# The suite's gigs, unless a test says otherwise.
AMOUNT = 10**18
REVIEW_PERIOD = 3 * DAY
GIG_LENGTH = 7 * DAY
TERMS_HASH = b"\x11" * 32
DELIVERABLE_HASH = b"\x22" * 32
EVIDENCE_HASH = b"\x33" * 32
SKILL = b"python".ljust(32, b"\0")
TRANSFER_FEE_BPS = 100  # the fee-on-transfer token burns 1% of every transfer


class State(IntFlag):
    """Mirror of the escrow's `State` flag."""

    OPEN = 1
    ACCEPTED = 2
    DELIVERED = 4
    RELEASED = 8
    CANCELLED = 16
    REFUNDED = 32
    DISPUTED = 64
    RESOLVED = 128


class Gig(NamedTuple):
    """Mirror of the escrow's `Gig` struct, in its field order."""

    client: str
    freelancer: str
    arbiter: str
    token: str
    amount: int
    paid: int
    milestones: list[int]
    released: int
    deadline: int
    review_period: int
    fee_bps: int
    state: State
    delivered_at: int
    disputed_at: int


# `create_gig`'s parameters, in order.
CREATE_GIG_ARGUMENTS = (
    "freelancer",
    "arbiter",
    "token",
    "amount",
    "milestones",
    "deadline",
    "review_period",
    "terms_hash",
    "skills",
)


def fee_on(total: int, fee_bps: int) -> int:
    """The escrow's fee on a freelancer's cumulative pay: rounded up."""
    return -(-total * fee_bps // BPS)


def logs_of(receipt: Any, event: Any) -> list[dict]:
    """The arguments of every `event` log in `receipt`, in order."""
    return [dict(log.event_arguments) for log in event.from_receipt(receipt)]


def only_log(receipt: Any, event: Any) -> dict:
    """The arguments of the single `event` log in `receipt`."""
    logs = logs_of(receipt, event)
    assert len(logs) == 1, f"expected one {event.name} log, got {len(logs)}"
    return logs[0]


class GigBook:
    """The current `Gig` of every gig a test created, updated from the escrow's events."""

    def __init__(self, escrow: Any) -> None:
        self.escrow = escrow
        self.gigs: dict[int, Gig] = {}

    def __getitem__(self, gig_id: int) -> Gig:
        return self.gigs[gig_id]

    def create(self, *, sender: Any, value: int = 0, via: Any = None, **arguments: Any) -> int:
        """Creates a gig from `create_gig`'s keyword arguments; returns its id.
        With `via`, the GigParty contract `via` is the client and `sender` only relays."""
        receipt = self._call(
            "create_gig",
            [arguments[name] for name in CREATE_GIG_ARGUMENTS],
            sender=sender,
            value=value,
            via=via,
        )
        return only_log(receipt, self.escrow.GigCreated)["gig_id"]

    def send(self, method: str, gig_id: int, *arguments: Any, sender: Any, via: Any = None) -> Any:
        """Calls `method(gig_id, current gig, *arguments)` and applies its events.
        With `via`, the GigParty contract `via` makes the call and `sender` only relays."""
        return self._call(method, [gig_id, self.gigs[gig_id], *arguments], sender=sender, via=via)

    def _call(self, method: str, arguments: list, *, sender: Any, value: int = 0, via: Any = None) -> Any:
        function = getattr(self.escrow, method)
        if via is None:
            receipt = function(*arguments, sender=sender, value=value)
        else:
            receipt = via.forward(function.encode_input(*arguments), sender=sender, value=value)
        self.apply(receipt)
        return receipt

    def apply(self, receipt: Any) -> None:
        """Moves every gig the receipt's events touch to its new state."""
        for log in receipt.events:
            if log.contract_address != self.escrow.address or "gig_id" not in log.event_arguments:
                continue
            args = log.event_arguments
            if log.event_name == "GigCreated":
                self.gigs[args["gig_id"]] = created_gig(args)
            else:
                self.gigs[args["gig_id"]] = next_gig(self.gigs[args["gig_id"]], log.event_name, args)


def created_gig(args: dict) -> Gig:
    """The gig a `GigCreated` log describes."""
    return Gig(
        client=args["client"],
        freelancer=args["freelancer"],
        arbiter=args["arbiter"],
        token=args["token"],
        amount=args["amount"],
        paid=0,
        milestones=list(args["milestones"]),
        released=0,
        deadline=args["deadline"],
        review_period=args["review_period"],
        fee_bps=args["fee_bps"],
        state=State.OPEN,
        delivered_at=0,
        disputed_at=0,
    )


def next_gig(gig: Gig, event: str, args: dict) -> Gig:
    """The gig after the escrow logged `event` about it."""
    match event:
        case "GigAccepted":
            return gig._replace(freelancer=args["freelancer"], state=State.ACCEPTED)
        case "GigDelivered":
            return gig._replace(state=State.DELIVERED, delivered_at=args["delivered_at"])
        case "MilestoneReleased":
            return gig._replace(paid=gig.paid + args["amount"], released=gig.released + 1)
        case "GigDisputed":
            return gig._replace(state=State.DISPUTED, disputed_at=args["disputed_at"])
        case "GigCancelled":
            return gig._replace(state=State.CANCELLED)
        case "GigReleased":
            return gig._replace(state=State.RELEASED)
        case "GigRefunded":
            return gig._replace(state=State.REFUNDED)
        case "GigResolved":
            return gig._replace(state=State.RESOLVED)
    raise ValueError(f"no transition for {event}")


def offer_tuple(freelancer: str, terms: dict) -> tuple:
    """The market's `Offer` struct for `post_offer`'s keyword arguments, in field order."""
    return (
        freelancer,
        terms["token"],
        terms["price"],
        terms["delivery_time"],
        terms["review_period"],
        terms["arbiter"],
        terms["terms_hash"],
        terms["skills"],
    )
