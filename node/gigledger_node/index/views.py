"""What the index answers with: the view models the query API serves and the explorer renders.

Frozen dataclasses, built by `Queries`. Money amounts are Python ints annotated as
`Amount`, which JSON renders as decimal strings (uint256 does not fit a JSON number);
each comes with a `_formatted` twin in its token's units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from pydantic import PlainSerializer

from gigledger.skills import skill_name
from gigledger_node.index.gig_rows import GigRow
from gigledger_node.index.tokens import TokenInfo

T = TypeVar("T")

#: A uint256 amount: an int in Python, a decimal string in JSON.
Amount = Annotated[int, PlainSerializer(str, return_type=str, when_used="json")]

#: The token address that stands for ETH.
ETH = "0x0000000000000000000000000000000000000000"

@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list; `total` counts the whole list."""

    items: list[T]
    offset: int
    limit: int
    total: int
    next_offset: int | None  # where the next page starts; None on the last

    @classmethod
    def of(cls, items: list[T], offset: int, limit: int, total: int) -> Page[T]:
        """A page, with where the next one starts worked out."""
        end = offset + len(items)
        return cls(items, offset, limit, total, end if end < total else None)


@dataclass(frozen=True)
class GigSummary:
    """A gig as lists show it."""

    gig_id: int
    client: str
    freelancer: str  # the zero address while an open gig waits
    arbiter: str
    token: str  # the zero address for ETH
    amount: Amount
    paid: Amount
    state: str  # the escrow's State name: OPEN, ACCEPTED, ...
    deadline: int
    skills: list[str]
    created_block: int
    created_at: int
    updated_at: int
    skill_names: list[str] = field(default_factory=list)  # the tags as names; a non-text tag stays hex
    token_symbol: str | None = None
    token_decimals: int | None = None
    token_label: str = ""  # what follows a formatted amount: the symbol, or the address
    amount_formatted: str = ""  # in the token's units (raw units when its decimals are unknown)
    paid_formatted: str = ""

    @classmethod
    def of(cls, row: GigRow, token: TokenInfo) -> GigSummary:
        """The summary of a stored gig, its amounts in ``token``'s units."""
        gig = row.gig
        return cls(
            gig_id=gig.gig_id,
            client=gig.client,
            freelancer=gig.freelancer,
            arbiter=gig.arbiter,
            token=gig.token,
            amount=gig.amount,
            paid=gig.paid,
            state=str(gig.state.name),
            deadline=gig.deadline,
            skills=list(gig.skills),
            created_block=row.created_block,
            created_at=row.created_at,
            updated_at=row.updated_at,
            skill_names=[skill_name(tag) for tag in gig.skills],
            token_symbol=token.symbol,
            token_decimals=token.decimals,
            token_label=token.label,
            amount_formatted=token.format(gig.amount),
            paid_formatted=token.format(gig.paid),
        )


@dataclass(frozen=True)
class TimelineEntry:
    """One event, where it happened and what it said.

    `args` holds the event's own fields ready for JSON: ints as decimal strings,
    addresses checksummed, bytes32 as 0x-hex, arrays as lists.
    """

    name: str
    block_number: int
    timestamp: int
    transaction_hash: str
    log_index: int
    address: str
    args: dict[str, Any]


@dataclass(frozen=True)
class AttestationRecord:
    """An attestation one party of a settled gig gave the other."""

    escrow: str
    gig_id: int
    attester: str
    subject: str
    score: int
    skill: str
    skill_text: str | None
    evidence_hash: str
    revoked: bool
    block_number: int
    timestamp: int
    transaction_hash: str


@dataclass(frozen=True)
class GigDetail:
    """One gig with everything the escrow's struct holds and its whole timeline."""

    summary: GigSummary
    milestones: list[Amount]
    released: int
    review_period: int
    fee_bps: int
    terms_hash: str
    delivered_at: int
    disputed_at: int
    deliverable_hash: str | None
    on_time: bool | None
    timeline: list[TimelineEntry]
    attestations: list[AttestationRecord]

    @classmethod
    def of(
        cls, row: GigRow, token: TokenInfo, timeline: list[TimelineEntry], attestations: list[AttestationRecord]
    ) -> GigDetail:
        """A stored gig in full, with its timeline and the attestations it led to."""
        gig = row.gig
        return cls(
            summary=GigSummary.of(row, token),
            milestones=list(gig.milestones),
            released=gig.released,
            review_period=gig.review_period,
            fee_bps=gig.fee_bps,
            terms_hash=gig.terms_hash,
            delivered_at=gig.delivered_at,
            disputed_at=gig.disputed_at,
            deliverable_hash=gig.deliverable_hash,
            on_time=gig.on_time,
            timeline=timeline,
            attestations=attestations,
        )


@dataclass(frozen=True)
class BlockSummary:
    """A block the index holds: one with indexed events, or a checkpoint."""

    number: int
    hash: str
    timestamp: int
    event_count: int


@dataclass(frozen=True)
class SkillBreakdown:
    """An account's record at one skill tag (bytes32; `text` when it is UTF-8)."""

    skill: str
    text: str | None
    completed: int
    attestations: int
    score_sum: int
    average_score: float | None


@dataclass(frozen=True)
class CompletedInMonth:
    """Gigs an account completed as freelancer in one calendar month (UTC, YYYY-MM)."""

    month: str
    completed: int


@dataclass(frozen=True)
class TokenVolume:
    """What an account earned as freelancer and paid as client in one token.

    `earned` and `paid` are raw integers; the `_formatted` twins are in the
    token's units (raw units when its decimals are unknown), followed by `label`.
    """

    token: str
    earned: Amount
    paid: Amount
    symbol: str | None = None
    decimals: int | None = None
    earned_formatted: str = ""
    paid_formatted: str = ""
    label: str = ""

    @classmethod
    def of(cls, info: TokenInfo, earned: int, paid: int) -> TokenVolume:
        """The volume in ``info``'s token, raw and formatted."""
        return cls(info.address, earned, paid, info.symbol, info.decimals, info.format(earned), info.format(paid), info.label)


@dataclass(frozen=True)
class Reputation:
    """An account's objective record, the attestations it received, and breakdowns."""

    account: str
    completed: int
    on_time: int  # the registry's count: completions by the deadline, delivered or not
    on_time_rate: float | None  # delivered_on_time / delivered: over delivered gigs only
    missed_deadlines: int
    delivered: int
    delivered_on_time: int
    deadlines_met: float | None  # delivered_on_time / (delivered + missed_deadlines)
    deadline_record: str  # "met 3 of 4 deadlines (1 missed without delivery)"
    distinct_counterparties: int
    distinct_clients: int
    disputes_opened: int
    disputes_won: int
    disputes_lost: int
    attestations: int
    score_sum: int
    average_score: float | None
    gigs_as_client: int
    gigs_as_freelancer: int
    volumes: list[TokenVolume]
    skills: list[SkillBreakdown]
    completed_over_time: list[CompletedInMonth]


@dataclass(frozen=True)
class PaymentRecord:
    """Money into or out of the escrow for one account, from one log."""

    block_number: int
    timestamp: int
    transaction_hash: str
    log_index: int
    account: str
    kind: str  # deposit, cancel_refund, milestone, release, refund, resolution, credited, withdrawal
    direction: str  # in (to the escrow), out (from it), held (credited, still in it)
    gig_id: int | None
    token: str
    amount: Amount
    fee: Amount
    token_symbol: str | None = None
    token_label: str = ""
    amount_formatted: str = ""
    fee_formatted: str = ""


@dataclass(frozen=True)
class IndexingStatus:
    """How far the index has got, and how far behind the chain it is."""

    chain_id: int
    escrow: str
    registry: str
    start_block: int
    checkpoint_block: int | None
    checkpoint_hash: str | None
    chain_head: int | None
    lag: int | None
    events: int
    updated_at: int | None
    #: Seconds since the indexer last wrote (a stopped or stuck indexer shows here).
    seconds_since_update: int | None = None
    #: The follower's last error and last successful poll, from whichever process indexes
    #: (`gigledger_node.index.health`), and their ages in seconds.
    last_error: str | None = None
    last_error_at: int | None = None
    seconds_since_error: int | None = None
    last_success_at: int | None = None
    seconds_since_success: int | None = None


@dataclass(frozen=True)
class SearchResult:
    """What a search text names: kind is account, gig, transaction or block."""

    kind: str
    key: str
