"""The query API's talent market reads: skills, the directory, trust scores.

Every answer comes from the index's `skills`, `talent` and `trust` modules;
bad input (an unknown state, bad paging, a skill longer than 32 bytes, a
malformed or overlong `trusted` list) is a 400 from the app's QueryError handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query

from gigledger_node.index.arguments import MAX_LIMIT, checked_address
from gigledger_node.index.skills import SkillCount, skill_counts
from gigledger_node.index.talent import Directory, Talent
from gigledger_node.index.trust import MAX_TRUSTED, checked_trusted

Trusted = Annotated[
    str | None,
    Query(description=f"Comma-separated accounts you trust (at most {MAX_TRUSTED}); they seed the trust score."),
]


@dataclass(frozen=True)
class TrustAnswer:
    """One account's trust score and what it was computed from."""

    account: str
    score: float | None  # None: the account settled no gig, or nobody seeds the score
    seed_source: str  # reader, operator or fees
    trusted: list[str]


def trusted_accounts(text: str | None) -> tuple[str, ...] | None:
    """A `trusted` query parameter as accounts (None when absent); raises QueryError."""
    return checked_trusted(text.split(",")) if text is not None else None


def talent_router(talent: Talent) -> APIRouter:
    """Routes for skills, the talent directory and trust scores."""
    router = APIRouter()

    @router.get("/skills", tags=["talent"])
    def skills() -> list[SkillCount]:
        """Every skill a gig carries, by name, with gig, open gig and freelancer counts."""
        return skill_counts(talent.engine)

    @router.get("/talent", tags=["talent"])
    def directory(
        skill: Annotated[str, Query(description="A skill's name, e.g. python (at most 32 bytes).")],
        trusted: Trusted = None,
        offset: Annotated[int, Query(description="How many rows to skip.")] = 0,
        limit: Annotated[int, Query(description=f"Rows per page, 1 to {MAX_LIMIT}.")] = 20,
    ) -> Directory:
        """Freelancers for a skill, ranked by evidence; each row says why it ranks there."""
        return talent.directory(skill, trusted=trusted_accounts(trusted), offset=offset, limit=limit)

    @router.get("/accounts/{address}/trust", tags=["accounts"])
    def trust(address: str, trusted: Trusted = None) -> TrustAnswer:
        """The account's trust score over the graph of settled gigs."""
        account = checked_address(address)
        scores = talent.trust.scores(trusted_accounts(trusted))
        named = list(scores.seed) if scores.seed_source != "fees" else []
        return TrustAnswer(account, scores.of(account) if scores.scores else None, scores.seed_source, named)

    return router
