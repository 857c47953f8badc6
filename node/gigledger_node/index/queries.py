"""The read side of the index: every figure the query API and the explorer show.

`Queries` wraps an engine and answers with the view models of `views` (re-exported
here, as are the argument checks and errors, for the API and the explorer).
Arguments are validated here, so the API and the explorer raise the same errors: `InvalidAddress`, `InvalidPaging`,
`InvalidFilter` (a caller's mistake) and the `NotFound` family (nothing indexed
under that key).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import BigInteger, Engine, String, Table, and_, bindparam, cast, func, literal, null, or_, select, union_all
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import ColumnElement

from gigledger.gigs import ZERO_ADDRESS as ETH
from gigledger_node.index import db
from gigledger_node.index.arguments import (  # noqa: F401 - re-exported: the API and explorer check with them
    MAX_LIMIT,
    MAX_STORED,
    checked_address,
    checked_paging,
    checked_state,
    checked_time,
    skill_text,
)
from gigledger_node.index.errors import (
    IndexNotStarted,
    InvalidAddress,  # noqa: F401 - re-exported
    InvalidFilter,
    InvalidPaging,  # noqa: F401 - re-exported
    NotFound,  # noqa: F401 - re-exported
    NothingFound,
    QueryError,  # noqa: F401 - re-exported: the API and explorer catch it from here
    UnknownBlock,
    UnknownGig,
    UnknownTransaction,
)
from gigledger_node.index.evidence import counterparties, deliveries
from gigledger_node.index.gig_rows import GigRow
from gigledger_node.index.skills import checked_skill, gig_has_skill
from gigledger_node.index.tokens import TokenInfo, token_book, unknown
from gigledger_node.index.views import (  # noqa: F401 - re-exported: the API and explorer answer with them
    Amount,
    AttestationRecord,
    BlockSummary,
    CompletedInMonth,
    GigDetail,
    GigSummary,
    IndexingStatus,
    Page,
    PaymentRecord,
    Reputation,
    SearchResult,
    SkillBreakdown,
    TimelineEntry,
    TokenVolume,
)

_LOCATION_FIELDS = ("block_number", "block_hash", "transaction_hash", "log_index", "address", "block_timestamp")


def _jsonable(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ---------------------------------------------------------------- row mapping


def gig_summary(row: Row, book: dict[str, TokenInfo]) -> GigSummary:
    return GigSummary.of(GigRow.from_row(row), book.get(row.token) or unknown(row.token))


def _timeline_entry(row: Row) -> TimelineEntry:
    event = db.stored_event(row)
    args = {f.name: _jsonable(getattr(event, f.name)) for f in fields(event) if f.name not in _LOCATION_FIELDS}
    return TimelineEntry(
        name=row.name,
        block_number=row.block_number,
        timestamp=row.timestamp,
        transaction_hash=row.transaction_hash,
        log_index=row.log_index,
        address=row.address,
        args=args,
    )


def _attestation(row: Row) -> AttestationRecord:
    return AttestationRecord(
        escrow=row.escrow,
        gig_id=row.gig_id,
        attester=row.attester,
        subject=row.subject,
        score=row.score,
        skill=row.skill,
        skill_text=skill_text(row.skill),
        evidence_hash=row.evidence_hash,
        revoked=row.revoked_block is not None,
        block_number=row.block_number,
        timestamp=row.timestamp,
        transaction_hash=row.transaction_hash,
    )


def _payment(row: Row, book: dict[str, TokenInfo]) -> PaymentRecord:
    token = book.get(row.token) or unknown(row.token)
    return PaymentRecord(
        block_number=row.block_number,
        timestamp=row.timestamp,
        transaction_hash=row.transaction_hash,
        log_index=row.log_index,
        account=row.account,
        kind=row.kind,
        direction=row.direction,
        gig_id=row.gig_id,
        token=row.token,
        amount=row.amount,
        fee=row.fee,
        token_symbol=token.symbol,
        token_label=token.label,
        amount_formatted=token.format(row.amount),
        fee_formatted=token.format(row.fee),
    )


def _skill(skill: str, completed: int, attestations: int, score_sum: int) -> SkillBreakdown:
    return SkillBreakdown(skill, skill_text(skill), completed, attestations, score_sum, _ratio(score_sum, attestations))


_RECORD_COLUMNS = [c.name for c in db.reputation.c if c.name != "account"]


def _reputation_query():
    """The account's rows of reputation, skill_reputation, monthly_completions and
    volumes in one shape: kind, key, earned, paid, then the counters, padded with NULLs."""
    account = bindparam("account")
    width = len(_RECORD_COLUMNS)

    def shaped(kind: str, table, key, counters: list, earned=None, paid=None):
        padding = [null()] * (width - len(counters))
        return select(
            literal(kind, String).label("kind"),
            (key if key is not None else cast(null(), String)).label("key"),
            cast(earned if earned is not None else null(), String).label("earned"),
            cast(paid if paid is not None else null(), String).label("paid"),
            *(cast(c, BigInteger).label(f"n{i}") for i, c in enumerate(counters + padding)),
        ).where(table.c.account == account)

    record, skills, months, volumes = db.reputation, db.skill_reputation, db.monthly_completions, db.volumes
    return union_all(
        shaped("record", record, None, [record.c[name] for name in _RECORD_COLUMNS]),
        shaped("skill", skills, skills.c.skill, [skills.c.completed, skills.c.attestations, skills.c.score_sum]),
        shaped("month", months, months.c.month, [months.c.completed]),
        shaped("volume", volumes, volumes.c.token, [], volumes.c.earned, volumes.c.paid),
    ).order_by("kind", "key")


_REPUTATION_QUERY = _reputation_query()

#: Payments in the order the chain logged them.
_CHAIN_ORDER: list[ColumnElement[Any]] = [db.payments.c.block_number, db.payments.c.log_index]

_EVENT_COLUMNS = (
    db.events.c.name,
    db.events.c.block_number,
    db.events.c.block_hash,
    db.events.c.transaction_hash,
    db.events.c.log_index,
    db.events.c.address,
    db.events.c.topics,
    db.events.c.data,
    db.blocks.c.timestamp,
)


class Queries:
    """Read-only questions to the index behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _rows(
        self, table: Table, where: ColumnElement[bool], order: Sequence[ColumnElement[Any]], offset: int, limit: int
    ) -> tuple[list[Row], int]:
        """One page of ``table``'s rows matching ``where`` in ``order``, and how many match in all."""
        query = select(table).where(where).order_by(*order).offset(offset).limit(limit)
        with self.engine.connect() as conn:
            rows = list(conn.execute(query).all())
            total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
        return rows, total

    # ------------------------------------------------------------ status and blocks

    def status(self) -> IndexingStatus:
        """The checkpoint, the chain head last seen, and the lag between them."""
        with self.engine.connect() as conn:
            row = conn.execute(select(db.indexer_state)).first()
        if row is None:
            raise IndexNotStarted("the indexer has not run against this database yet")
        lag = None
        if row.chain_head is not None and row.checkpoint_number is not None:
            lag = max(row.chain_head - row.checkpoint_number, 0)
        return IndexingStatus(
            chain_id=row.chain_id,
            escrow=row.escrow,
            registry=row.registry,
            start_block=row.start_block,
            checkpoint_block=row.checkpoint_number,
            checkpoint_hash=row.checkpoint_hash,
            chain_head=row.chain_head,
            lag=lag,
            events=row.event_count,
            updated_at=row.updated_at,
            seconds_since_update=None if row.updated_at is None else max(int(time.time()) - row.updated_at, 0),
        )

    def recent_blocks(self, limit: int = 20) -> list[BlockSummary]:
        """The newest blocks holding indexed events, newest first."""
        checked_paging(0, limit)
        query = (
            select(db.blocks)
            .where(db.blocks.c.event_count > 0)
            .order_by(db.blocks.c.number.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [BlockSummary(r.number, r.hash, r.timestamp, r.event_count) for r in rows]

    def block(self, number: int) -> tuple[BlockSummary, list[TimelineEntry]]:
        """An indexed block and the events it holds, in log order; raises UnknownBlock."""
        if not 0 <= number <= MAX_STORED:
            raise UnknownBlock(f"block {number} holds no indexed event")
        with self.engine.connect() as conn:
            row = conn.execute(select(db.blocks).where(db.blocks.c.number == number)).first()
            entries = self._timeline(conn, db.events.c.block_number == number) if row is not None else []
        if row is None or not entries:
            raise UnknownBlock(f"block {number} holds no indexed event")
        return BlockSummary(row.number, row.hash, row.timestamp, row.event_count), entries

    # ------------------------------------------------------------ gigs

    def recent_gigs(self, limit: int = 20) -> list[GigSummary]:
        """The newest gigs, newest first."""
        return self.gigs(limit=limit).items

    def gigs(
        self,
        *,
        party: str | None = None,
        state: str | None = None,
        token: str | None = None,
        since: int | None = None,
        until: int | None = None,
        skill: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[GigSummary]:
        """Gigs, newest first, filtered by a party (client, freelancer or arbiter),
        state name, token (the zero address for ETH), creation time in unix
        seconds (``since`` inclusive, ``until`` exclusive) and skill name."""
        checked_paging(offset, limit)
        conditions = []
        if skill is not None:
            conditions.append(gig_has_skill(checked_skill(skill)))
        if party is not None:
            account = checked_address(party)
            conditions.append(
                or_(db.gigs.c.client == account, db.gigs.c.freelancer == account, db.gigs.c.arbiter == account)
            )
        if state is not None:
            conditions.append(db.gigs.c.state == checked_state(state))
        if token is not None:
            conditions.append(db.gigs.c.token == checked_address(token))
        if since is not None:
            conditions.append(db.gigs.c.created_at >= checked_time("since", since))
        if until is not None:
            conditions.append(db.gigs.c.created_at < checked_time("until", until))
        if since is not None and until is not None and until <= since:
            raise InvalidFilter(f"until ({until}) must be after since ({since})")
        rows, total = self._rows(db.gigs, and_(True, *conditions), [db.gigs.c.gig_id.desc()], offset, limit)
        book = token_book(self.engine)
        return Page.of([gig_summary(r, book) for r in rows], offset, limit, total)

    def gig(self, gig_id: int) -> GigDetail:
        """One gig, its whole timeline (oldest first) and the attestations it led to."""
        if not 0 < gig_id <= MAX_STORED:
            raise UnknownGig(f"no gig {gig_id} has been indexed: gig ids start at 1")
        with self.engine.connect() as conn:
            row = conn.execute(select(db.gigs).where(db.gigs.c.gig_id == gig_id)).first()
            if row is None:
                raise UnknownGig(f"no gig {gig_id} has been indexed")
            timeline = self._timeline(conn, db.events.c.gig_id == gig_id)
            attestations = conn.execute(
                select(db.attestations)
                .where(db.attestations.c.gig_id == gig_id)
                .order_by(db.attestations.c.block_number, db.attestations.c.id)
            ).all()
        return GigDetail.of(
            GigRow.from_row(row),
            token_book(self.engine).get(row.token) or unknown(row.token),
            timeline,
            [_attestation(a) for a in attestations],
        )

    def transaction(self, transaction_hash: str) -> list[TimelineEntry]:
        """The indexed events one transaction emitted, in log order."""
        if not re.fullmatch(r"0x[0-9a-fA-F]{64}", transaction_hash or ""):
            raise InvalidFilter(f"{transaction_hash!r} is not a transaction hash: expected 0x and 64 hex digits")
        with self.engine.connect() as conn:
            entries = self._timeline(conn, db.events.c.transaction_hash == transaction_hash.lower())
        if not entries:
            raise UnknownTransaction(f"no indexed event came from transaction {transaction_hash}")
        return entries

    @staticmethod
    def _timeline(conn: Connection, where) -> list[TimelineEntry]:
        query = (
            select(*_EVENT_COLUMNS)
            .join(db.blocks, db.blocks.c.number == db.events.c.block_number)
            .where(where)
            .order_by(db.events.c.block_number, db.events.c.log_index)
        )
        return [_timeline_entry(r) for r in conn.execute(query)]

    # ------------------------------------------------------------ accounts

    def reputation(self, account: str) -> Reputation:
        """An account's record; an account the index never saw has an empty one.

        One round trip: the four aggregate tables' rows for the account, as one
        UNION ALL in a common shape (see `_reputation_query`).
        """
        account = checked_address(account)
        with self.engine.connect() as conn:
            rows = conn.execute(_REPUTATION_QUERY, {"account": account}).all()
            delivery = deliveries(conn, [account])[account]
            parties = counterparties(conn, [account])[account]
            book = token_book(conn)
        counts = dict.fromkeys(_RECORD_COLUMNS, 0)
        volumes, skills, months = [], [], []
        for row in rows:
            numbers = row[4:]
            if row.kind == "record":
                counts = dict(zip(_RECORD_COLUMNS, numbers, strict=False))
            elif row.kind == "skill":
                skills.append(_skill(row.key, *numbers[:3]))
            elif row.kind == "month":
                months.append(CompletedInMonth(row.key, numbers[0]))
            else:
                volumes.append(TokenVolume.of(book.get(row.key) or unknown(row.key), int(row.earned), int(row.paid)))
        return Reputation(
            account=account,
            on_time_rate=delivery.on_time_rate,
            delivered=delivery.delivered,
            delivered_on_time=delivery.delivered_on_time,
            deadlines_met=delivery.deadlines_met,
            deadline_record=delivery.summary,
            distinct_counterparties=parties.counterparties,
            distinct_clients=parties.clients,
            average_score=_ratio(counts["score_sum"], counts["attestations"]),
            volumes=volumes,
            skills=skills,
            completed_over_time=months,
            **counts,
        )

    def attestations_received(self, account: str, *, offset: int = 0, limit: int = 50) -> Page[AttestationRecord]:
        """Attestations about ``account``, newest first, revoked ones included and marked."""
        account = checked_address(account)
        checked_paging(offset, limit)
        newest_first = [db.attestations.c.block_number.desc(), db.attestations.c.id.desc()]
        rows, total = self._rows(db.attestations, db.attestations.c.subject == account, newest_first, offset, limit)
        return Page.of([_attestation(r) for r in rows], offset, limit, total)

    def payment_history(self, account: str, *, offset: int = 0, limit: int = 100) -> Page[PaymentRecord]:
        """Every payment into or out of escrow for ``account``, oldest first."""
        account = checked_address(account)
        checked_paging(offset, limit)
        rows, total = self._rows(db.payments, db.payments.c.account == account, _CHAIN_ORDER, offset, limit)
        book = token_book(self.engine)
        return Page.of([_payment(r, book) for r in rows], offset, limit, total)

    def all_payments(self, account: str) -> list[PaymentRecord]:
        """The whole payment history of ``account``, oldest first (for audits)."""
        account = checked_address(account)
        query = select(db.payments).where(db.payments.c.account == account).order_by(*_CHAIN_ORDER)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        book = token_book(self.engine)
        return [_payment(r, book) for r in rows]

    def held_by_escrow(self) -> dict[str, int]:
        """Per token (zero address for ETH): what the index says the escrow still holds,
        for ETH and every token a gig was ever funded in (zero when nothing is left)."""
        with self.engine.connect() as conn:
            tokens = conn.execute(select(db.gigs.c.token).distinct()).scalars().all()
            held = {r.token: r.amount for r in conn.execute(select(db.holdings))}
        return {token: held.get(token, 0) for token in sorted({ETH, *tokens, *held})}

    # ------------------------------------------------------------ search

    def search(self, text: str) -> SearchResult:
        """What ``text`` names: an address, a gig id, a transaction or block hash, or
        a block number the index holds. Raises NothingFound otherwise."""
        text = (text or "").strip()
        if re.fullmatch(r"0x[0-9a-fA-F]{40}", text):
            return SearchResult("account", checked_address(text))
        if re.fullmatch(r"0x[0-9a-fA-F]{64}", text):
            return self._search_hash(text.lower())
        digits = text.removeprefix("#")
        if digits.isascii() and digits.isdigit():
            return self._search_number(int(digits))
        raise NothingFound(f"{text!r} is not an address, gig id, transaction hash or block hash")

    def _search_hash(self, value: str) -> SearchResult:
        with self.engine.connect() as conn:
            if conn.execute(select(db.events.c.id).where(db.events.c.transaction_hash == value).limit(1)).first():
                return SearchResult("transaction", value)
            block = conn.execute(select(db.blocks.c.number).where(db.blocks.c.hash == value)).first()
        if block is not None:
            return SearchResult("block", str(block.number))
        raise NothingFound(f"no indexed transaction or block has hash {value}")

    def _search_number(self, number: int) -> SearchResult:
        if number > MAX_STORED:
            raise NothingFound(f"no gig or indexed block numbered {number}")
        with self.engine.connect() as conn:
            if conn.execute(select(db.gigs.c.gig_id).where(db.gigs.c.gig_id == number)).first():
                return SearchResult("gig", str(number))
            if conn.execute(select(db.blocks.c.number).where(db.blocks.c.number == number)).first():
                return SearchResult("block", str(number))
        raise NothingFound(f"no gig or indexed block numbered {number}")
