"""Applying decoded events to the index's tables, and undoing them past a block.

Everything the index derives from events is computed here: each gig's current
state (folded with the SDK's `Gig`, exactly as the escrow changes its struct),
payments (the SDK's `payments_of`, the same definition the auditor uses),
attestations, and the per-account aggregates. An account's record (completions,
missed deadlines, disputes, volume) comes from the registry's `*Recorded`
events, whichever writer recorded them, so it is the registry's own record. Applying a batch and rolling
back use the same `Deltas` with the sign flipped, so every aggregate stays the
sum of the events indexed, whatever reorgs happened on the way.

All functions take a connection inside the caller's transaction; none commits.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from gigledger.events import (
    AttestationRevoked,
    Attested,
    CompletionRecorded,
    DisputeOpenedRecorded,
    Event,
    GigAccepted,
    GigCreated,
    GigReleased,
    MissedDeadlineRecorded,
    ResolutionRecorded,
)
from gigledger.gigs import GIG_EVENTS, Gig
from gigledger.payments import payments_of
from gigledger_node.index import db, market
from gigledger_node.index.gig_rows import GigRow

#: Rows per statement when selecting by a list of keys (SQLite's variable limit).
CHUNK = 500


class IndexInconsistent(RuntimeError):
    """An event refers to something the index does not hold (a gig never created)."""


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upsert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT that can say ON CONFLICT (SQLite and PostgreSQL share the API)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def month_of(timestamp: int) -> str:
    """The UTC calendar month of a unix time, as YYYY-MM."""
    return time.strftime("%Y-%m", time.gmtime(timestamp))


# ---------------------------------------------------------------- gigs <-> rows


def _load_gigs(conn: Connection, gig_ids: Iterable[int]) -> dict[int, GigRow]:
    ids = sorted(set(gig_ids))
    found: dict[int, GigRow] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(select(db.gigs).where(db.gigs.c.gig_id.in_(chunk))):
            found[row.gig_id] = GigRow.from_row(row)
    return found


# ---------------------------------------------------------------- aggregates


_COUNTER_COLUMNS = {
    name: [c.name for c in table.c if not c.primary_key] for name, table in db.COUNTER_TABLES.items()
}


class Deltas:
    """Changes to the aggregate tables, summed over events, written in a few statements."""

    def __init__(self) -> None:
        self.counters: dict[str, dict[tuple, Counter]] = defaultdict(lambda: defaultdict(Counter))
        self.volumes: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.holdings: Counter = Counter()

    def _count(self, table: str, key: tuple, sign: int, **changes: int) -> None:
        counter = self.counters[table][key]
        for column, change in changes.items():
            counter[column] += sign * change

    def add(self, event: Event, gig: Gig | None, timestamp: int, skill: str | None, sign: int) -> None:
        """Account for ``event`` (sign +1) or take it back (sign -1).

        ``gig`` is the gig as the event left it; ``skill`` the skill of the
        attestation a revocation revokes.
        """
        count = self._count
        match event:
            case GigCreated():
                count("reputation", (event.client,), sign, gigs_as_client=1)
            case GigAccepted():
                count("reputation", (event.freelancer,), sign, gigs_as_freelancer=1)
            case GigReleased():
                if gig is None:
                    raise IndexInconsistent(f"GigReleased for gig {event.gig_id}, which the index does not hold")
                for tag in gig.skills:
                    count("skill_reputation", (event.freelancer, tag), sign, completed=1)
                count("monthly_completions", (event.freelancer, month_of(timestamp)), sign, completed=1)
            case CompletionRecorded():
                count("reputation", (event.freelancer,), sign, completed=1, on_time=int(event.on_time))
                self._volume(event.freelancer, event.client, event.token, event.paid, sign)
            case MissedDeadlineRecorded():
                count("reputation", (event.freelancer,), sign, missed_deadlines=1)
                self._volume(event.freelancer, event.client, event.token, event.earned, sign)
            case DisputeOpenedRecorded():
                count("reputation", (event.opener,), sign, disputes_opened=1)
            case ResolutionRecorded():
                # The registry's rule: a lead of one indivisible unit is an even split.
                if event.to_freelancer > event.to_client + 1:
                    count("reputation", (event.freelancer,), sign, disputes_won=1)
                    count("reputation", (event.client,), sign, disputes_lost=1)
                elif event.to_client > event.to_freelancer + 1:
                    count("reputation", (event.client,), sign, disputes_won=1)
                    count("reputation", (event.freelancer,), sign, disputes_lost=1)
                self._volume(event.freelancer, event.client, event.token, event.earned, sign)
            case Attested():
                count("reputation", (event.subject,), sign, attestations=1, score_sum=event.score)
                count("skill_reputation", (event.subject, event.skill), sign, attestations=1, score_sum=event.score)
            case AttestationRevoked():
                count("reputation", (event.subject,), -sign, attestations=1, score_sum=event.score)
                count("skill_reputation", (event.subject, skill), -sign, attestations=1, score_sum=event.score)
        for payment in payments_of(event, gig.token if gig else None):
            self.holdings[payment.token] += sign * payment.escrow_change

    def _volume(self, freelancer: str, client: str, token: str, amount: int, sign: int) -> None:
        self.volumes[(freelancer, token)][0] += sign * amount
        self.volumes[(client, token)][1] += sign * amount

    def write(self, conn: Connection) -> None:
        """Add the summed changes to the aggregate tables.

        A row whose figures all come to zero is deleted: absent and zero mean the
        same to every query, and one canonical form lets a rolled-back index
        equal a fresh one.
        """
        for name, changes in self.counters.items():
            self._write_counters(conn, db.COUNTER_TABLES[name], changes)
        self._write_volumes(conn)
        self._write_holdings(conn)

    @staticmethod
    def _write_counters(conn: Connection, table, changes: dict[tuple, Counter]) -> None:
        keys = [c.name for c in table.primary_key.columns]
        columns = _COUNTER_COLUMNS[table.name]
        rows = [
            {**dict(zip(keys, key, strict=False)), **{c: counter.get(c, 0) for c in columns}}
            for key, counter in changes.items()
            if any(counter.values())
        ]
        if not rows:
            return
        insert = _upsert(conn, table)
        conn.execute(
            insert.on_conflict_do_update(index_elements=keys, set_={c: table.c[c] + insert.excluded[c] for c in columns}),
            rows,
        )
        if any(v < 0 for counter in changes.values() for v in counter.values()):
            key_columns = tuple_(*(table.c[k] for k in keys))
            touched = [tuple(r[k] for k in keys) for r in rows]
            for chunk in _chunks(touched):
                conn.execute(delete(table).where(key_columns.in_(chunk), *(table.c[c] == 0 for c in columns)))

    def _write_volumes(self, conn: Connection) -> None:
        keys = [k for k, (earned, paid) in self.volumes.items() if earned or paid]
        current: dict[tuple[str, str], tuple[int, int]] = {}
        for chunk in _chunks(keys):
            query = select(db.volumes).where(tuple_(db.volumes.c.account, db.volumes.c.token).in_(chunk))
            current.update({(r.account, r.token): (r.earned, r.paid) for r in conn.execute(query)})
        rows, emptied = [], []
        for key in keys:
            earned, paid = current.get(key, (0, 0))
            change = self.volumes[key]
            earned, paid = earned + change[0], paid + change[1]
            if earned or paid:
                rows.append({"account": key[0], "token": key[1], "earned": earned, "paid": paid})
            else:
                emptied.append(key)
        if rows:
            insert = _upsert(conn, db.volumes)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=["account", "token"],
                    set_={"earned": insert.excluded.earned, "paid": insert.excluded.paid},
                ),
                rows,
            )
        for chunk in _chunks(emptied):
            conn.execute(delete(db.volumes).where(tuple_(db.volumes.c.account, db.volumes.c.token).in_(chunk)))

    def _write_holdings(self, conn: Connection) -> None:
        tokens = [t for t, change in self.holdings.items() if change]
        if not tokens:
            return
        current = {
            r.token: r.amount for r in conn.execute(select(db.holdings).where(db.holdings.c.token.in_(tokens)))
        }
        amounts = {t: current.get(t, 0) + self.holdings[t] for t in tokens}
        held = [{"token": t, "amount": a} for t, a in amounts.items() if a]
        if held:
            insert = _upsert(conn, db.holdings)
            conn.execute(
                insert.on_conflict_do_update(index_elements=["token"], set_={"amount": insert.excluded.amount}), held
            )
        emptied = [t for t, a in amounts.items() if not a]
        if emptied:
            conn.execute(delete(db.holdings).where(db.holdings.c.token.in_(emptied)))


# ---------------------------------------------------------------- applying


def _attestation_skill(conn: Connection, event: AttestationRevoked) -> str:
    row = conn.execute(
        select(db.attestations.c.skill).where(
            db.attestations.c.escrow == event.escrow,
            db.attestations.c.gig_id == event.gig_id,
            db.attestations.c.attester == event.attester,
        )
    ).first()
    if row is None:
        raise IndexInconsistent(f"revocation of an attestation the index does not hold (gig {event.gig_id})")
    return row.skill


def _payment_row(payment, timestamp: int) -> dict:
    return {
        "block_number": payment.block_number,
        "timestamp": timestamp,
        "transaction_hash": payment.transaction_hash,
        "log_index": payment.log_index,
        "account": payment.account,
        "kind": payment.kind,
        "direction": payment.direction,
        "gig_id": payment.gig_id,
        "token": payment.token,
        "amount": payment.amount,
        "fee": payment.fee,
    }


def _attestation_row(event: Attested, timestamp: int) -> dict:
    return {
        "block_number": event.block_number,
        "timestamp": timestamp,
        "transaction_hash": event.transaction_hash,
        "escrow": event.escrow,
        "gig_id": event.gig_id,
        "attester": event.attester,
        "subject": event.subject,
        "score": event.score,
        "skill": event.skill,
        "evidence_hash": event.evidence_hash,
        "revoked_block": None,
    }


def apply_events(conn: Connection, logs: Sequence[tuple[Event, dict]], timestamps: dict[int, int]) -> None:
    """Store decoded logs (event, raw JSON-RPC log), in chain order, and everything
    they imply. ``timestamps`` maps each of their block numbers to its time."""
    gig_ids = {e.gig_id for e, _ in logs if isinstance(e, GIG_EVENTS) and not isinstance(e, GigCreated)}
    gigs = _load_gigs(conn, gig_ids)
    stored = set(gigs)
    deltas = Deltas()
    payments: list[dict[str, Any]] = []
    attestations: list[dict[str, Any]] = []
    revocations: list[dict[str, Any]] = []
    attested_skills: dict[tuple, str] = {}
    for event, _ in logs:
        timestamp = timestamps[event.block_number]
        gig = _fold(gigs, event, timestamp)
        skill = None
        if isinstance(event, Attested):
            attestations.append(_attestation_row(event, timestamp))
            attested_skills[(event.escrow, event.gig_id, event.attester)] = event.skill
        elif isinstance(event, AttestationRevoked):
            key = (event.escrow, event.gig_id, event.attester)
            skill = attested_skills.get(key) or _attestation_skill(conn, event)
            revocations.append({"b_escrow": key[0], "b_gig_id": key[1], "b_attester": key[2], "revoked_block": event.block_number})
        deltas.add(event, gig, timestamp, skill, +1)
        payments.extend(_payment_row(p, timestamp) for p in payments_of(event, gig.token if gig else None))
    conn.execute(db.events.insert(), [db.event_row(raw, event) for event, raw in logs])
    _write_gigs(conn, gigs, stored)
    if payments:
        conn.execute(db.payments.insert(), payments)
    if attestations:
        conn.execute(db.attestations.insert(), attestations)
    if revocations:
        conn.execute(_revoke_statement(), revocations)
    deltas.write(conn)
    market.apply(conn, logs, timestamps)


def _fold(gigs: dict[int, GigRow], event: Event, timestamp: int) -> Gig | None:
    """Advance the gig ``event`` is about, returning it as the event leaves it."""
    if isinstance(event, GigCreated):
        gigs[event.gig_id] = GigRow(Gig.created(event), event.block_number, timestamp, event.block_number, timestamp)
        return gigs[event.gig_id].gig
    if not isinstance(event, GIG_EVENTS):
        return None
    current = gigs.get(event.gig_id)
    if current is None:
        raise IndexInconsistent(f"{event.name} for gig {event.gig_id}, which the index never saw created")
    current.gig = current.gig.apply(event)
    current.updated_block, current.updated_at = event.block_number, timestamp
    return current.gig


def _write_gigs(conn: Connection, gigs: dict[int, GigRow], stored: set[int]) -> None:
    new = [g.as_row() for gig_id, g in gigs.items() if gig_id not in stored]
    changed = [{**g.as_row(), "b_gig_id": gig_id} for gig_id, g in gigs.items() if gig_id in stored]
    if new:
        conn.execute(db.gigs.insert(), new)
    if changed:
        values: dict[str, Any] = {c.name: bindparam(c.name) for c in db.gigs.c if c.name != "gig_id"}
        conn.execute(update(db.gigs).where(db.gigs.c.gig_id == bindparam("b_gig_id")).values(values), changed)


def _revoke_statement():
    return (
        update(db.attestations)
        .where(
            db.attestations.c.escrow == bindparam("b_escrow"),
            db.attestations.c.gig_id == bindparam("b_gig_id"),
            db.attestations.c.attester == bindparam("b_attester"),
        )
        .values(revoked_block=bindparam("revoked_block"))
    )


# ---------------------------------------------------------------- rolling back


def _decoded(rows) -> list[tuple[Event, int]]:
    return [(db.stored_event(r), r.timestamp) for r in rows]


def _stored_events(conn: Connection, where, newest_first: bool) -> list[tuple[Event, int]]:
    order = (db.events.c.block_number, db.events.c.log_index)
    query = (
        select(*db.events.c, db.blocks.c.timestamp)
        .join(db.blocks, db.blocks.c.number == db.events.c.block_number)
        .where(where)
        .order_by(*(c.desc() for c in order) if newest_first else order)
    )
    return _decoded(conn.execute(query))


def roll_back(conn: Connection, ancestor: int) -> int:
    """Undo every event after block ``ancestor``; returns how many were undone."""
    undone = _stored_events(conn, db.events.c.block_number > ancestor, newest_first=True)
    if not undone:
        _delete_after(conn, ancestor)
        return 0
    gig_ids = {e.gig_id for e, _ in undone if isinstance(e, GIG_EVENTS)}
    gigs = _load_gigs(conn, gig_ids)
    deltas = Deltas()
    for event, timestamp in undone:
        gig = gigs[event.gig_id].gig if isinstance(event, GIG_EVENTS) else None
        skill = _attestation_skill(conn, event) if isinstance(event, AttestationRevoked) else None
        deltas.add(event, gig, timestamp, skill, -1)
    deltas.write(conn)
    market.roll_back(conn, ancestor)
    _delete_after(conn, ancestor)
    _refold_gigs(conn, gig_ids)
    return len(undone)


def _delete_after(conn: Connection, ancestor: int) -> None:
    for table in (db.payments, db.attestations, db.events, db.blocks):
        column = table.c.number if table is db.blocks else table.c.block_number
        conn.execute(delete(table).where(column > ancestor))
    conn.execute(
        update(db.attestations).where(db.attestations.c.revoked_block > ancestor).values(revoked_block=None)
    )
    conn.execute(delete(db.gigs).where(db.gigs.c.created_block > ancestor))


def _refold_gigs(conn: Connection, gig_ids: set[int]) -> None:
    """Rebuild the surviving gigs among ``gig_ids`` from the events still indexed."""
    survivors = sorted(_load_gigs(conn, gig_ids))
    for chunk in _chunks(survivors):
        history = _stored_events(
            conn, and_(db.events.c.gig_id.in_(chunk), db.events.c.address == _escrow_of(conn)), newest_first=False
        )
        by_gig: dict[int, list[tuple[Event, int]]] = defaultdict(list)
        for event, timestamp in history:
            if isinstance(event, GIG_EVENTS):
                by_gig[event.gig_id].append((event, timestamp))
        rows = {}
        for gig_id, events in by_gig.items():
            first, last = events[0], events[-1]
            gig = Gig.from_events([e for e, _ in events])
            rows[gig_id] = GigRow(gig, first[0].block_number, first[1], last[0].block_number, last[1])
        _write_gigs(conn, rows, set(rows))


def _escrow_of(conn: Connection) -> str:
    return conn.execute(select(db.indexer_state.c.escrow)).scalar_one()
