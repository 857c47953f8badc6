"""The talent directory: freelancers for a skill, ranked by evidence, each row saying why.

Candidates for a skill are the accounts that completed a gig tagged with it or
received an attestation naming it. They are ordered by, in turn:

1. trust score (see `trust`), where the seed reaches them;
2. completed gigs with that skill;
3. on-time rate over delivered gigs (no delivery counts as none on time);
4. distinct clients;
5. volume earned, log-scaled in token units (as trust's edges are);
6. average attestation score at that skill;

then by address, so the order is total and stable. Every row carries those
figures and a sentence built from them.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select

from gigledger.skills import skill_name
from gigledger_node.index import db
from gigledger_node.index.arguments import checked_paging
from gigledger_node.index.evidence import Counterparties, Delivery, counterparties, deliveries
from gigledger_node.index.queries import Page
from gigledger_node.index.skills import checked_skill
from gigledger_node.index.tokens import TokenInfo, token_book, unknown
from gigledger_node.index.trust import Trust, TrustScores

#: Rankings kept (per checkpoint, seed and skill).
CACHED_RANKINGS = 64

RULE = (
    "ranked by trust score (personalised PageRank over settled gigs, seeded from trusted accounts), "
    "then completed gigs with the skill, on-time rate over delivered gigs, distinct clients, "
    "volume earned (log-scaled in token units), average attestation score at the skill"
)


@dataclass(frozen=True)
class Earned:
    """What a freelancer earned in one token, raw and in the token's units."""

    token: str
    symbol: str | None
    raw: str  # the integer, as a decimal string
    formatted: str  # in whole tokens ("1.5"), or raw units when decimals are unknown
    label: str  # what to print after `formatted`


@dataclass(frozen=True)
class TalentRow:
    """One freelancer in the directory, with the figures that put them there."""

    rank: int
    account: str
    trust_score: float | None
    completed_in_skill: int
    delivered: int
    delivered_on_time: int
    on_time_rate: float | None  # over delivered gigs only
    missed_deadlines: int
    deadline_record: str  # "met 3 of 4 deadlines (1 missed without delivery)"
    distinct_clients: int
    earned: list[Earned]
    attestations_in_skill: int
    average_score_in_skill: float | None
    why: str


@dataclass(frozen=True)
class Directory:
    """A page of the ranking for one skill, with the rule and the seed behind it."""

    skill: str
    tag: str
    rule: str
    trust_seed: str  # reader, operator or fees
    trusted: list[str]  # the seed's accounts when a reader or the operator named them
    page: Page[TalentRow]


@dataclass(frozen=True)
class _Candidate:
    account: str
    completed: int
    attestations: int
    score_sum: int


def earned_in(info: TokenInfo, raw: int) -> Earned:
    """One token's volume as the directory shows it."""
    return Earned(info.address, info.symbol, str(raw), info.format(raw), info.label)


def _volume_weight(earned: Sequence[tuple[TokenInfo, int]]) -> float:
    return sum(math.log1p(raw / 10 ** (info.decimals or 0)) for info, raw in earned)


def _why(row: TalentRow, skill: str) -> str:
    parts = [f"trust {row.trust_score:.4f}"] if row.trust_score is not None else ["no trust score yet"]
    parts.append(f"{row.completed_in_skill} {skill} {'gig' if row.completed_in_skill == 1 else 'gigs'} completed")
    rate = f" (on-time rate over delivered gigs {row.on_time_rate:.0%})" if row.on_time_rate is not None else ""
    parts.append(row.deadline_record + rate)
    parts.append(f"{row.distinct_clients} distinct {'client' if row.distinct_clients == 1 else 'clients'}")
    if row.earned:
        parts.append("earned " + ", ".join(f"{e.formatted} {e.label}" for e in row.earned))
    if row.average_score_in_skill is not None:
        parts.append(f"{row.attestations_in_skill} attestations at {skill} averaging {row.average_score_in_skill:.1f}")
    return f"#{row.rank}: " + "; ".join(parts)


class Talent:
    """The directory over the index behind ``engine``; trust scores from ``trust``."""

    def __init__(self, engine: Engine, trust: Trust | None = None) -> None:
        self.engine = engine
        self.trust = trust or Trust(engine)
        self._rankings: OrderedDict[tuple, list[TalentRow]] = OrderedDict()
        self._lock = threading.Lock()

    def directory(
        self, skill: str, *, trusted: Sequence[str] | None = None, offset: int = 0, limit: int = 20
    ) -> Directory:
        """Freelancers for ``skill`` (its name), best evidence first; ``trusted`` seeds the trust score."""
        tag = checked_skill(skill)
        checked_paging(offset, limit)
        scores = self.trust.scores(trusted)
        rows = self._ranking(tag, scores)
        page = Page.of(rows[offset : offset + limit], offset, limit, len(rows))
        named = list(scores.seed) if scores.seed_source != "fees" else []
        return Directory(skill_name(tag), tag, RULE, scores.seed_source, named, page)

    def _ranking(self, tag: str, scores: TrustScores) -> list[TalentRow]:
        """The whole ranking for ``tag``, computed once per checkpoint and seed."""
        key = (scores.key, tag)
        with self._lock:
            if key in self._rankings:
                self._rankings.move_to_end(key)
                return self._rankings[key]
        rows = self._rank(self._candidates(tag), scores, skill_name(tag))
        with self._lock:
            self._rankings[key] = rows
            while len(self._rankings) > CACHED_RANKINGS:
                self._rankings.popitem(last=False)
        return rows

    def _candidates(self, tag: str) -> list[_Candidate]:
        record = db.skill_reputation
        query = select(record).where(record.c.skill == tag, or_(record.c.completed > 0, record.c.attestations > 0))
        with self.engine.connect() as conn:
            return [_Candidate(r.account, r.completed, r.attestations, r.score_sum) for r in conn.execute(query)]

    def _rank(self, candidates: list[_Candidate], scores: TrustScores, skill: str) -> list[TalentRow]:
        accounts = [c.account for c in candidates]
        book = token_book(self.engine)
        with self.engine.connect() as conn:
            delivered = deliveries(conn, accounts)
            parties = counterparties(conn, accounts)
            volumes = self._earned(conn, accounts, book)
        keyed = []
        for c in candidates:
            delivery, earned = delivered[c.account], volumes.get(c.account, [])
            trust = scores.of(c.account) if scores.scores else None
            key = (
                -(trust or 0.0),
                -c.completed,
                -(delivery.on_time_rate or 0.0),
                -parties[c.account].clients,
                -_volume_weight(earned),
                -(c.score_sum / c.attestations if c.attestations else 0.0),
                c.account,
            )
            keyed.append((key, c, trust, delivery, parties[c.account], earned))
        keyed.sort(key=lambda item: item[0])
        return [self._row(rank, *item[1:], skill) for rank, item in enumerate(keyed, 1)]

    @staticmethod
    def _earned(conn, accounts: list[str], book: dict[str, TokenInfo]) -> dict[str, list[tuple[TokenInfo, int]]]:
        found: dict[str, list[tuple[TokenInfo, int]]] = {}
        query = select(db.volumes).where(db.volumes.c.account.in_(accounts), db.volumes.c.earned != 0)
        for row in conn.execute(query):
            found.setdefault(row.account, []).append((book.get(row.token) or unknown(row.token), row.earned))
        return found

    @staticmethod
    def _row(
        rank: int,
        c: _Candidate,
        trust: float | None,
        delivery: Delivery,
        parties: Counterparties,
        earned: list[tuple[TokenInfo, int]],
        skill: str,
    ) -> TalentRow:
        row = TalentRow(
            rank=rank,
            account=c.account,
            trust_score=trust,
            completed_in_skill=c.completed,
            delivered=delivery.delivered,
            delivered_on_time=delivery.delivered_on_time,
            on_time_rate=delivery.on_time_rate,
            missed_deadlines=delivery.missed_deadlines,
            deadline_record=delivery.summary,
            distinct_clients=parties.clients,
            earned=[earned_in(info, raw) for info, raw in earned],
            attestations_in_skill=c.attestations,
            average_score_in_skill=c.score_sum / c.attestations if c.attestations else None,
            why="",
        )
        return TalentRow(**{**row.__dict__, "why": _why(row, skill)})
