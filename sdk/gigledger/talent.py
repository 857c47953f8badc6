"""The talent directory and skills as the query API serves them (GET /talent, GET /skills).

The ranking is the indexer's work (trust score over the graph of settled gigs,
then completed gigs, on-time rate over delivered gigs, distinct clients, volume,
attestations); the SDK only reads it. Amounts come raw and formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gigledger.query_api import query_api_get


@dataclass(frozen=True)
class SkillSummary:
    """A skill the index knows, with how much work carries it."""

    name: str
    tag: str  # the bytes32 tag on chain
    gigs: int
    open_gigs: int
    freelancers: int  # accounts that completed a gig with it


@dataclass(frozen=True)
class Earnings:
    """What a freelancer earned in one token."""

    token: str
    raw: int
    formatted: str  # in the token's units
    label: str  # the symbol, or the address when the token has none


@dataclass(frozen=True)
class TalentEntry:
    """One freelancer in the directory, with the figures that put them there."""

    rank: int
    account: str
    trust_score: float | None
    completed_in_skill: int
    delivered: int
    delivered_on_time: int
    on_time_rate: float | None  # over delivered gigs only
    missed_deadlines: int
    distinct_clients: int
    earned: tuple[Earnings, ...]
    attestations_in_skill: int
    average_score_in_skill: float | None
    why: str


@dataclass(frozen=True)
class TalentPage:
    """One page of the ranking for a skill."""

    skill: str
    rule: str
    trust_seed: str  # reader, operator or fees
    entries: tuple[TalentEntry, ...]
    total: int
    next_offset: int | None


def skills_from_api(rows: list[dict[str, Any]]) -> list[SkillSummary]:
    """GET /skills's answer as SkillSummary rows."""
    return [SkillSummary(r["name"], r["tag"], r["gigs"], r["open_gigs"], r["freelancers"]) for r in rows]


def _entry(row: dict[str, Any]) -> TalentEntry:
    earned = tuple(Earnings(e["token"], int(e["raw"]), e["formatted"], e["label"]) for e in row["earned"])
    return TalentEntry(
        rank=row["rank"],
        account=row["account"],
        trust_score=row["trust_score"],
        completed_in_skill=row["completed_in_skill"],
        delivered=row["delivered"],
        delivered_on_time=row["delivered_on_time"],
        on_time_rate=row["on_time_rate"],
        missed_deadlines=row["missed_deadlines"],
        distinct_clients=row["distinct_clients"],
        earned=earned,
        attestations_in_skill=row["attestations_in_skill"],
        average_score_in_skill=row["average_score_in_skill"],
        why=row["why"],
    )


def talent_from_api(answer: dict[str, Any]) -> TalentPage:
    """GET /talent's answer as a TalentPage."""
    page = answer["page"]
    return TalentPage(
        skill=answer["skill"],
        rule=answer["rule"],
        trust_seed=answer["trust_seed"],
        entries=tuple(_entry(r) for r in page["items"]),
        total=page["total"],
        next_offset=page["next_offset"],
    )


def fetch_talent(
    api_url: str, skill: str, *, trusted: list[str] | None = None, offset: int = 0, limit: int = 20
) -> TalentPage:
    """GET {api_url}/talent for ``skill``; ``trusted`` accounts seed the trust score."""
    params: dict[str, Any] = {"skill": skill, "offset": offset, "limit": limit}
    if trusted:
        params["trusted"] = ",".join(trusted)
    return talent_from_api(query_api_get(f"{api_url.rstrip('/')}/talent", params))


def fetch_skills(api_url: str) -> list[SkillSummary]:
    """GET {api_url}/skills."""
    return skills_from_api(query_api_get(f"{api_url.rstrip('/')}/skills", {}))
