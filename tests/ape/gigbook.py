"""The escrow's `Gig` tuple, kept current from the escrow's own events; and the
defaults of the gigs this suite creates.

Every escrow call takes `(gig_id, gig)` with the gig as it stands. The book folds
each receipt's logs with the SDK's own fold (`gigledger.gigs.Gig.apply`), so this
suite also checks that the SDK rebuilds exactly the struct the escrow committed
to; the titanoboa model in tests/contracts is the independent second oracle.
`GigBook.send` calls an escrow function with the current tuple and then applies
the receipt's events, so a test reads as the story of a gig.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from gigledger import gigs as ledger
from gigledger.events import GigCreated, decode_logs
from gigledger.gigs import GIG_EVENTS, ZERO_ADDRESS, State  # noqa: F401 - the suite takes them from here

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


class Gig(NamedTuple):
    """The escrow's `Gig` struct, in its field order, as contract calls take it."""

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
    state: int  # a `State` bit
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
        self.gigs: dict[int, ledger.Gig] = {}

    def __getitem__(self, gig_id: int) -> Gig:
        return Gig(*self.gigs[gig_id].as_tuple())

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
        return self._call(method, [gig_id, self[gig_id], *arguments], sender=sender, via=via)

    def _call(self, method: str, arguments: list, *, sender: Any, value: int = 0, via: Any = None) -> Any:
        function = getattr(self.escrow, method)
        if via is None:
            receipt = function(*arguments, sender=sender, value=value)
        else:
            receipt = via.forward(function.encode_input(*arguments), sender=sender, value=value)
        self.apply(receipt)
        return receipt

    def apply(self, receipt: Any) -> None:
        """Moves every gig the receipt's escrow events touch to its new state, as the SDK folds them."""
        escrow = self.escrow.address.lower()
        escrow_logs = [log for log in receipt.logs if log["address"].lower() == escrow]
        for event in decode_logs(escrow_logs):
            if isinstance(event, GigCreated):
                self.gigs[event.gig_id] = ledger.Gig.created(event)
            elif isinstance(event, GIG_EVENTS):
                self.gigs[event.gig_id] = self.gigs[event.gig_id].apply(event)


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
