"""Read-only questions about the talent market: profiles, identities, offers, people
by name, and the gigs of a skill waiting for any freelancer.

An identity is the set of accounts joined by live links (each link signed by
both of its accounts). Its record is the sum of its accounts' own records, each
shown with its share: a link moves no record from one account to another, so an
identity holds nothing none of its accounts earned.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, FromClause, Select, Subquery, and_, case, func, or_, select
from sqlalchemy.engine import Row

from gigledger.amounts import units_of
from gigledger.gigs import ZERO_ADDRESS
from gigledger.offers import Offer, hire_command
from gigledger.profiles import MAX_NAME
from gigledger.skills import skill_name, skill_tag
from gigledger_node.index import db, market
from gigledger_node.index.market import name_words
from gigledger_node.index.queries import (
    MAX_STORED,
    Amount,
    GigSummary,
    InvalidFilter,
    NotFound,
    Page,
    Queries,
    checked_address,
    checked_paging,
    gig_summary,
)
from gigledger_node.index.skills import gig_has_skill
from gigledger_node.index.tokens import TokenInfo, token_book, unknown
from gigledger_node.index.trust import Trust, TrustScores

#: At most this many accounts are gathered into one identity (a bound on the walk).
MAX_IDENTITY = 64
#: The record fields an identity adds up over its accounts.
RECORD_FIELDS = (
    "completed",
    "on_time",
    "missed_deadlines",
    "disputes_opened",
    "disputes_won",
    "disputes_lost",
    "attestations",
    "score_sum",
    "gigs_as_client",
    "gigs_as_freelancer",
)


#: Most profiles a name search lists.
MAX_NAME_MATCHES = 20
#: Longest text a name search takes: no profile name is longer.
MAX_NAME_SEARCH = MAX_NAME


#: Most profiles a name search weighs from each thing it reads (the best-recorded of
#: them), and how many most-trusted accounts it looks among.
MAX_NAME_CANDIDATES = 200
#: Most entries of the words' index one name search reads for its driving word, and of
#: the name keys' index for the names starting with its text: what a request costs
#: however many names match.
MAX_NAME_SCAN = 2_000


def _starts(column: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``: the index range from the prefix to the first text
    after every text it starts (code point order)."""
    last = ord(prefix[-1])
    if last == sys.maxunicode:
        return and_(column >= prefix, column.startswith(prefix, autoescape=True))
    return and_(column >= prefix, column < prefix[:-1] + chr(last + 1))


def _accounts_with_word_starting(prefix: str) -> Select:
    """Accounts whose name has a word starting with ``prefix``: the first MAX_NAME_SCAN
    entries of that range of the words' index, in its order (word, then account), so
    the names with the typed word itself come before those with longer words."""
    words = market.profile_words
    return (
        select(words.c.account)
        .where(_starts(words.c.word, prefix))
        .order_by(words.c.word, words.c.account)
        .limit(MAX_NAME_SCAN)
    )


def _has_word_starting(account: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """``account``'s name has a word starting with ``prefix``: a look-up of its own few
    words (the index on account), whatever the number of names the prefix matches."""
    words = market.profile_words
    return select(words.c.account).where(words.c.account == account, _starts(words.c.word, prefix)).exists()


def _names_starting(needle: str) -> Subquery:
    """The profiles whose name starts with ``needle`` (the case-folded key, so the words
    typed in the name's order): the first MAX_NAME_SCAN entries of that range of the
    name keys' index, in its order, so the whole name comes first."""
    profiles = market.profiles
    return select(profiles).where(_starts(profiles.c.name_key, needle)).order_by(profiles.c.name_key).limit(MAX_NAME_SCAN).subquery("named")


def _most_trusted(scores: TrustScores | None, count: int) -> list[str]:
    """The ``count`` accounts with the highest positive scores."""
    if scores is None:
        return []
    return heapq.nlargest(count, scores.scores, key=scores.scores.__getitem__)


class UnknownOffer(NotFound):
    """No offer with that id is indexed."""


@dataclass(frozen=True)
class ProfileRecord:
    """An account's latest profile: the document exactly as published, its hash, and
    its fields when it follows the profile rules (`error` says why not)."""

    account: str
    document: str
    content_hash: str
    fields: dict[str, Any] | None
    error: str | None
    block_number: int
    transaction_hash: str
    timestamp: int


@dataclass(frozen=True)
class AccountProfile:
    """What GET /accounts/{a}/profile answers: the profile, or null when none was published."""

    account: str
    profile: ProfileRecord | None


@dataclass(frozen=True)
class LinkRecord:
    """A live link between two accounts (`first` < `second`)."""

    first: str
    second: str
    block_number: int
    transaction_hash: str
    timestamp: int


@dataclass(frozen=True)
class AccountShare:
    """One account's own record within an identity, and its share of the completed gigs."""

    account: str
    record: dict[str, int]
    share_of_completed: float | None


@dataclass(frozen=True)
class Identity:
    """The accounts linked with one account, and the union of their records."""

    account: str
    accounts: list[AccountShare]
    links: list[LinkRecord]
    record: dict[str, int]
    on_time_rate: float | None
    average_score: float | None
    # Of `record`'s completed gigs, those one of its accounts paid another: shown, not
    # hidden, since readers weigh money that never left the identity differently.
    completed_between_own_accounts: int


@dataclass(frozen=True)
class OfferRecord:
    """An offer's terms and where it stands."""

    offer_id: int
    freelancer: str
    token: str
    price: Amount
    delivery_time: int
    review_period: int
    arbiter: str
    terms_hash: str
    skills: list[str]  # names where the tag is one, else bytes32 hex
    state: str  # open, withdrawn or hired
    gig_id: int | None
    client: str | None
    posted_block: int
    posted_at: int
    transaction_hash: str
    # keccak256 of the offer's terms as the market hashes them (`Offer.hash`): what a
    # client pins when hiring, so the terms it pays are the terms it was shown.
    offer_hash: str
    hire_command: str
    # In the token's units, as gigs give them: the price in whole tokens (raw units
    # when the token's decimals are unknown) and what follows it.
    price_formatted: str = ""
    token_label: str = ""
    token_symbol: str | None = None
    token_decimals: int | None = None


@dataclass(frozen=True)
class PersonMatch:
    """A profile a name search found, with the evidence that tells namesakes apart."""

    account: str
    name: str
    headline: str
    exact: bool  # the whole name, any case
    completed: int  # gigs the account completed, as the registry recorded them
    identity: list[str]  # the accounts linked with it (itself included)
    # Over the graph of settled gigs (see `trust`); None when it settled none or nobody seeds the score.
    trust_score: float | None = None


def checked_name_search(text: str) -> str:
    """Search text for profile names, stripped; InvalidFilter when it is empty, longer than
    any name, or holds control characters (which no valid name holds)."""
    stripped = (text or "").strip()
    if not stripped:
        raise InvalidFilter("give part of a name to search for")
    if len(stripped) > MAX_NAME_SEARCH:
        raise InvalidFilter(f"the search text is {len(stripped)} characters long; no profile name is longer than {MAX_NAME_SEARCH}")
    if not stripped.isprintable():
        raise InvalidFilter("the search text holds control characters, which no profile name does")
    return stripped


def checked_skill(skill: str) -> str:
    """A skill name or bytes32 tag as its tag; raises InvalidFilter."""
    try:
        return skill_tag(skill)
    except ValueError as error:
        raise InvalidFilter(f"bad skill {skill!r}: {error}") from None


def checked_offer_state(state: str) -> str | None:
    """An offer state filter (None for all); raises InvalidFilter."""
    if state == "all":
        return None
    if state not in market.OFFER_STATES:
        raise InvalidFilter(f"unknown offer state {state!r}; expected one of {', '.join(market.OFFER_STATES)} or all")
    return state


def offer_of(row: Row) -> Offer:
    """The SDK's `Offer` (the contract's struct) an offers row holds."""
    return Offer(
        offer_id=row.offer_id,
        freelancer=row.freelancer,
        token=row.token,
        price=row.price,
        delivery_time=row.delivery_time,
        review_period=row.review_period,
        arbiter=row.arbiter,
        terms_hash=row.terms_hash,
        skills=tuple(row.skills),
    )


def _offer(row: Row, book: dict[str, TokenInfo]) -> OfferRecord:
    terms = offer_of(row)
    info = book.get(row.token) or unknown(row.token)
    return OfferRecord(
        offer_id=row.offer_id,
        freelancer=row.freelancer,
        token=row.token,
        price=row.price,
        delivery_time=row.delivery_time,
        review_period=row.review_period,
        arbiter=row.arbiter,
        terms_hash=row.terms_hash,
        skills=[skill_name(tag) for tag in row.skills],
        state=row.state,
        gig_id=row.gig_id,
        client=row.client,
        posted_block=row.posted_block,
        posted_at=row.posted_at,
        transaction_hash=row.transaction_hash,
        offer_hash=terms.hash(),
        hire_command=hire_command(terms, units_of(row.token, info.decimals, info.symbol)),
        price_formatted=info.format(row.price),
        token_label=info.label,
        token_symbol=info.symbol,
        token_decimals=info.decimals,
    )


def _profile(row: Row) -> ProfileRecord:
    parsed, error = market.read_profile(row.document, row.content_hash)
    fields = None if parsed is None else {k: v for k, v in asdict(parsed).items() if k != "extra"}
    return ProfileRecord(
        account=row.account,
        document=row.document,
        content_hash=row.content_hash,
        fields=fields,
        error=error,
        block_number=row.block_number,
        transaction_hash=row.transaction_hash,
        timestamp=row.timestamp,
    )


class MarketQueries:
    """The market's tables behind ``engine``; identities add up ``queries``' records; a name
    search orders namesakes by ``trust`` (without it, by completed gigs)."""

    def __init__(self, engine: Engine, queries: Queries | None = None, trust: Trust | None = None) -> None:
        self.engine = engine
        self.queries = queries or Queries(engine)
        self.trust = trust

    def profile(self, account: str) -> AccountProfile:
        """The account's latest profile (None inside when it published none)."""
        account = checked_address(account)
        with self.engine.connect() as conn:
            row = conn.execute(select(market.profiles).where(market.profiles.c.account == account)).first()
        return AccountProfile(account, None if row is None else _profile(row))

    def links_of(self, accounts: list[str]) -> list[LinkRecord]:
        """Live links touching any of ``accounts``."""
        table = market.account_links
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(table).where(or_(table.c.first.in_(accounts), table.c.second.in_(accounts)))
            ).all()
        return [LinkRecord(r.first, r.second, r.block_number, r.transaction_hash, r.timestamp) for r in rows]

    def identity(self, account: str) -> Identity:
        """The account's identity: every account reachable over live links (at most
        MAX_IDENTITY), each with its own record, and their sum."""
        start = checked_address(account)
        members, links = self._linked(start)
        records = {a: self._record(a) for a in sorted(members)}
        total = {field: sum(r[field] for r in records.values()) for field in RECORD_FIELDS}
        shares = [
            AccountShare(a, r, r["completed"] / total["completed"] if total["completed"] else None)
            for a, r in records.items()
        ]
        kept = [link for key, link in sorted(links.items()) if link.first in members and link.second in members]
        return Identity(
            account=start,
            accounts=shares,
            links=kept,
            record=total,
            on_time_rate=total["on_time"] / total["completed"] if total["completed"] else None,
            average_score=total["score_sum"] / total["attestations"] if total["attestations"] else None,
            completed_between_own_accounts=self._completed_within(sorted(members)),
        )

    def _linked(self, start: str) -> tuple[set[str], dict[tuple[str, str], LinkRecord]]:
        """The accounts reachable from ``start`` over live links (at most MAX_IDENTITY), and those links."""
        members, links, frontier = {start}, {}, [start]
        while frontier and len(members) < MAX_IDENTITY:
            found = self.links_of(frontier)
            frontier = []
            for link in found:
                links[(link.first, link.second)] = link
                for member in (link.first, link.second):
                    if member not in members and len(members) < MAX_IDENTITY:
                        members.add(member)
                        frontier.append(member)
        return members, links

    def identity_accounts(self, account: str) -> list[str]:
        """The accounts of ``account``'s identity (itself included), sorted."""
        return sorted(self._linked(checked_address(account))[0])

    def names_of(self, accounts: Sequence[str]) -> dict[str, str]:
        """The profile name each of ``accounts`` gives itself (those with a valid profile)."""
        if not accounts:
            return {}
        profiles = market.profiles
        query = select(profiles.c.account, profiles.c.name).where(profiles.c.valid, profiles.c.account.in_(list(accounts)))
        with self.engine.connect() as conn:
            return {row.account: row.name for row in conn.execute(query)}

    def people_named(self, text: str, limit: int = MAX_NAME_MATCHES, trusted: Sequence[str] | None = None) -> list[PersonMatch]:
        """Accounts whose valid profile name has words starting with each word of ``text``
        (any case, any order): whole names first, then by trust score (seeded from
        ``trusted``, else the operator's), then completed gigs. Anyone may publish any name
        and a ring paying itself inflates its completed count, but not its trust; so an
        impostor lists beside the person it copies, below them, never instead.

        What one request reads is bounded however many names match. The longest word
        drives: the first MAX_NAME_SCAN entries of its range of the words' index (those
        with the typed word itself first, then longer words, each by account), every
        other word a look-up among each candidate's own words; so a one-letter search
        weighs only the first names of its letter. Besides those: the names starting
        with the text as typed (the first MAX_NAME_SCAN of the name keys' index, the
        whole name first), so "ada l" finds the Ada L...s however many Adas there are;
        and the matches among the MAX_NAME_CANDIDATES most-trusted accounts, however far
        down either index they are."""
        words = name_words(checked_name_search(text))
        needle = " ".join(words)
        driver = max(words, key=len)
        others = [word for word in words if word != driver]
        profiles = market.profiles
        scores = self.trust.scores(trusted) if self.trust is not None else None
        most_trusted = _most_trusted(scores, MAX_NAME_CANDIDATES)
        queries = [
            self._named(needle, profiles, others, profiles.c.account.in_(_accounts_with_word_starting(driver))),
            self._named(needle, _names_starting(needle)),
        ]
        if most_trusted:  # so namesakes with more completed gigs cannot crowd the trusted out
            queries.append(self._named(needle, profiles, words, profiles.c.account.in_(most_trusted)))
        found: dict[str, Row] = {}
        with self.engine.connect() as conn:
            for query in queries:
                found.update((row.account, row) for row in conn.execute(query.limit(MAX_NAME_CANDIDATES)))
        trust_of = scores.of if scores is not None and scores.scores else (lambda _account: None)
        ranked = sorted(found.values(), key=lambda r: (r.exact, -(trust_of(r.account) or 0.0), -r.completed, r.name, r.account))
        return [
            PersonMatch(r.account, r.name, r.headline or "", r.exact == 0, r.completed, self.identity_accounts(r.account), trust_of(r.account))
            for r in ranked[:limit]
        ]

    @staticmethod
    def _named(needle: str, candidates: FromClause, words: Sequence[str] = (), *where: ColumnElement[bool]) -> Select:
        """The valid profiles of ``candidates`` (profiles, or some of their rows) meeting
        ``where`` whose name has a word starting with each of ``words`` (each a look-up
        of the candidate's words), whole names (``needle``) first, then by completed gigs."""
        record = db.reputation
        exact = case((candidates.c.name_key == needle, 0), else_=1)
        completed = func.coalesce(record.c.completed, 0)
        return (
            select(candidates.c.account, candidates.c.name, candidates.c.headline, exact.label("exact"), completed.label("completed"))
            .select_from(candidates)
            .outerjoin(record, record.c.account == candidates.c.account)
            .where(candidates.c.valid, *where, *(_has_word_starting(candidates.c.account, word) for word in words))
            .order_by(exact, completed.desc(), candidates.c.account)
        )

    def _completed_within(self, members: list[str]) -> int:
        if len(members) < 2:
            return 0
        gigs = db.gigs
        query = select(func.count()).where(
            gigs.c.state == "RELEASED", gigs.c.client.in_(members), gigs.c.freelancer.in_(members)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def _record(self, account: str) -> dict[str, int]:
        reputation = self.queries.reputation(account)
        return {field: getattr(reputation, field) for field in RECORD_FIELDS}

    def offers(
        self, *, skill: str | None = None, state: str = "open", freelancer: str | None = None, offset: int = 0, limit: int = 50
    ) -> Page[OfferRecord]:
        """Offers, newest first, by skill (name or tag), state (open, withdrawn, hired, all) and freelancer."""
        checked_paging(offset, limit)
        table = market.offers
        conditions = []
        wanted_state = checked_offer_state(state)
        if wanted_state is not None:
            conditions.append(table.c.state == wanted_state)
        if freelancer is not None:
            conditions.append(table.c.freelancer == checked_address(freelancer))
        if skill is not None:
            tagged = select(market.offer_skills.c.offer_id).where(market.offer_skills.c.skill == checked_skill(skill))
            conditions.append(table.c.offer_id.in_(tagged))
        where = and_(True, *conditions)
        query = select(table).where(where).order_by(table.c.offer_id.desc()).offset(offset).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
        book = token_book(self.engine)
        return Page.of([_offer(r, book) for r in rows], offset, limit, total)

    def open_offers_by_evidence(self, skill: str, ranked: Sequence[str], limit: int = 50) -> Page[OfferRecord]:
        """Open offers for ``skill``: those of the ``ranked`` freelancers first, in their order
        (the directory's, by evidence), then the rest newest first. Accounts with no
        evidence can post any number of offers; ordered this way they cannot push the
        offers of people who delivered off the page."""
        checked_paging(0, limit)
        table = market.offers
        tagged = select(market.offer_skills.c.offer_id).where(market.offer_skills.c.skill == checked_skill(skill))
        where = and_(table.c.state == market.OPEN, table.c.offer_id.in_(tagged))
        by_rank = case({a: i for i, a in enumerate(ranked)}, value=table.c.freelancer, else_=len(ranked)) if ranked else None
        query = select(table).where(where).order_by(*([by_rank] if by_rank is not None else []), table.c.offer_id.desc())
        query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
        book = token_book(self.engine)
        return Page.of([_offer(r, book) for r in rows], 0, limit, total)

    def gigs_waiting(self, skill: str, limit: int = 50) -> Page[GigSummary]:
        """Open gigs of ``skill`` that name no freelancer, newest first: the ones anybody
        may accept. (A gig hired from an offer is open too until its freelancer accepts,
        but waits for nobody else.)"""
        checked_paging(0, limit)
        gigs = db.gigs
        where = and_(gigs.c.state == "OPEN", gigs.c.freelancer == ZERO_ADDRESS, gig_has_skill(checked_skill(skill)))
        with self.engine.connect() as conn:
            rows = conn.execute(select(gigs).where(where).order_by(gigs.c.gig_id.desc()).limit(limit)).all()
            total = conn.execute(select(func.count()).select_from(gigs).where(where)).scalar_one()
        book = token_book(self.engine)
        return Page.of([gig_summary(r, book) for r in rows], 0, limit, total)

    def offer(self, offer_id: int) -> OfferRecord:
        """One offer; UnknownOffer when none has that id."""
        if not 1 <= offer_id <= MAX_STORED:
            raise UnknownOffer(f"no offer {offer_id} is indexed: offer ids start at 1")
        with self.engine.connect() as conn:
            row = conn.execute(select(market.offers).where(market.offers.c.offer_id == offer_id)).first()
        if row is None:
            raise UnknownOffer(f"no offer {offer_id} is indexed")
        return _offer(row, token_book(self.engine))
