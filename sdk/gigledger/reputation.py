"""An account's reputation: its objective record, the attestations it received, per skill.

The registry keeps counters (read with `summary`) and per-token volumes; the
attestations themselves and the skills of completed gigs live in events. This
module only shapes what the client read; it weighs nothing (apps do).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from gigledger.attestations import Attestation
from gigledger.gigs import ZERO_ADDRESS, Gig, State
from gigledger.skills import skill_name


@dataclass(frozen=True)
class Record:
    """The objective record escrows wrote when the account's gigs settled."""

    completed: int  # gigs paid out to the account as freelancer
    on_time: int  # of those, delivered by the deadline
    missed_deadlines: int
    disputes_opened: int
    disputes_won: int
    disputes_lost: int


@dataclass(frozen=True)
class Volume:
    """What the account earned (as freelancer) and paid (as client) in one token."""

    token: str  # the zero address for ETH
    earned: int
    paid: int
    earned_formatted: str = ""  # in the token's units (see `gigledger.amounts.UnitsBook`)
    paid_formatted: str = ""
    label: str = ""  # what follows a formatted amount: the symbol, or the address


@dataclass(frozen=True)
class SkillStats:
    """How the account did at one skill: gigs completed with it and attestations naming it."""

    skill: str
    gigs_completed: int
    attestations: int
    average_score: float | None


@dataclass(frozen=True)
class Reputation:
    """Everything the chain says about how reliable an account is, and at what."""

    address: str
    record: Record
    attestation_count: int  # received and not revoked
    average_score: float | None  # of those, 1 to 5
    on_time_rate: float | None  # on-time share of the gigs it delivered (not of completions)
    skills: tuple[SkillStats, ...]
    volumes: tuple[Volume, ...]
    attestations: tuple[Attestation, ...]  # received, revoked ones included and marked
    delivered: int = 0  # gigs it delivered as freelancer
    delivered_on_time: int = 0  # of those, delivered by the deadline
    distinct_counterparties: int = 0  # different accounts it settled gigs with


def record_from_summary(summary: Sequence[int]) -> tuple[Record, int, int]:
    """The registry's `summary` tuple as (record, attestation count, score sum)."""
    completed, on_time, missed, opened, won, lost, attestations, score_sum = summary
    return Record(completed, on_time, missed, opened, won, lost), attestations, score_sum


def build_reputation(
    address: str,
    summary: Sequence[int],
    attestations: Iterable[Attestation],
    completed_gigs: Iterable[Gig],
    volumes: Iterable[Volume],
) -> Reputation:
    """A `Reputation` from the registry's counters and the account's events.

    `completed_gigs` are the account's gigs (as client or freelancer): released ones
    count per skill, delivered ones for the on-time rate, settled ones for counterparties.
    """
    record, count, score_sum = record_from_summary(summary)
    received = tuple(attestations)
    gigs = tuple(completed_gigs)
    delivered = [g for g in gigs if g.freelancer.lower() == address.lower() and g.delivered_at]
    on_time = sum(g.delivered_at <= g.deadline for g in delivered)
    return Reputation(
        address=address,
        record=record,
        attestation_count=count,
        average_score=score_sum / count if count else None,
        on_time_rate=on_time / len(delivered) if delivered else None,
        skills=_skills(address, received, gigs),
        volumes=tuple(v for v in volumes if v.earned or v.paid),
        attestations=received,
        delivered=len(delivered),
        delivered_on_time=on_time,
        distinct_counterparties=len(_counterparties(address, gigs)),
    )


def _counterparties(address: str, gigs: Iterable[Gig]) -> set[str]:
    """The other parties of the account's settled gigs."""
    me = address.lower()
    others = set()
    for gig in gigs:
        if gig.is_settled and gig.freelancer != ZERO_ADDRESS and me in (gig.client.lower(), gig.freelancer.lower()):
            others.add(gig.freelancer if gig.client.lower() == me else gig.client)
    return others


def _skills(address: str, attestations: Sequence[Attestation], gigs: Iterable[Gig]) -> tuple[SkillStats, ...]:
    completed: dict[str, int] = defaultdict(int)
    for gig in gigs:
        if gig.state == State.RELEASED and gig.freelancer.lower() == address.lower():
            for tag in gig.skills:
                completed[skill_name(tag)] += 1
    scores: dict[str, list[int]] = defaultdict(list)
    for attestation in attestations:
        if not attestation.revoked and attestation.skill:
            scores[attestation.skill].append(attestation.score)
    return tuple(
        SkillStats(
            skill=skill,
            gigs_completed=completed.get(skill, 0),
            attestations=len(scores.get(skill, ())),
            average_score=sum(scores[skill]) / len(scores[skill]) if scores.get(skill) else None,
        )
        for skill in sorted(set(completed) | set(scores))
    )
