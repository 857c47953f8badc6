"""What an account's gigs show about it, counted from the gigs table as it stands.

Two figures the registry's counters cannot give honestly:

- On-time rate over delivered gigs only. The registry counts a completion "on
  time" even when nothing was delivered (a milestone gig paid out before its
  deadline), and divides by completions, so "delivered 3 of 3 on time" could
  stand beside "missed 1 deadline". Here `delivered` counts gigs the freelancer
  actually delivered (a `GigDelivered`), `delivered_on_time` those delivered by
  the deadline, and a missed deadline (refunded, nothing delivered) is kept
  apart; `deadlines_met` is the share of every gig that came due (delivered or
  missed) that was delivered on time.
- Distinct counterparties: the number of different accounts an account settled
  gigs with. A record built by paying oneself through a few accounts shows here.

Both are read with the account indexes on `gigs`, one query per list of accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, String, and_, bindparam, case, func, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter

from gigledger_node.index import db

#: States whose gig is evidence about its parties: paid out, refunded or resolved.
SETTLED_STATES = ("RELEASED", "REFUNDED", "RESOLVED")
#: States in which the freelancer was paid something.
PAID_STATES = ("RELEASED", "RESOLVED")


@dataclass(frozen=True)
class Delivery:
    """How an account delivered as freelancer."""

    delivered: int  # gigs it delivered (whatever came after)
    delivered_on_time: int  # of those, delivered by the deadline
    missed_deadlines: int  # gigs refunded after the deadline with nothing delivered
    on_time_rate: float | None  # delivered_on_time / delivered
    deadlines_met: float | None  # delivered_on_time / (delivered + missed_deadlines)

    @classmethod
    def of(cls, delivered: int, on_time: int, missed: int) -> Delivery:
        due = delivered + missed
        return cls(delivered, on_time, missed, on_time / delivered if delivered else None, on_time / due if due else None)

    @property
    def summary(self) -> str:
        """The record in words that never overstate it: "met 3 of 4 deadlines (1 missed)"."""
        due = self.delivered + self.missed_deadlines
        if not due:
            return "no gig has come due yet"
        text = f"met {self.delivered_on_time} of {due} {'deadline' if due == 1 else 'deadlines'}"
        late = self.delivered - self.delivered_on_time
        parts = [f"{late} delivered late"] if late else []
        if self.missed_deadlines:
            parts.append(f"{self.missed_deadlines} missed without delivery")
        return f"{text} ({', '.join(parts)})" if parts else text


@dataclass(frozen=True)
class Counterparties:
    """How many different accounts an account settled gigs with."""

    clients: int  # distinct clients that paid it as freelancer
    counterparties: int  # distinct accounts on the other side of any settled gig


def _deliveries_query() -> Select[Any]:
    """Delivered, on time and missed gigs per freelancer in the bound ``accounts``."""
    gigs = db.gigs
    delivered = gigs.c.delivered_at > 0
    return (
        select(
            gigs.c.freelancer,
            func.sum(case((delivered, 1), else_=0)).label("delivered"),
            func.sum(case((and_(delivered, gigs.c.delivered_at <= gigs.c.deadline), 1), else_=0)).label("on_time"),
            func.sum(case((and_(gigs.c.state == "REFUNDED", ~delivered), 1), else_=0)).label("missed"),
        )
        .where(gigs.c.freelancer.in_(_ACCOUNTS))
        .group_by(gigs.c.freelancer)
    )


def _counterparties_query() -> CompoundSelect:
    """Per account in the bound ``accounts``: distinct accounts across its settled gigs
    ("any"), and distinct clients that paid it ("clients"), in one statement."""
    gigs = db.gigs
    settled = gigs.c.state.in_(SETTLED_STATES)
    as_freelancer = select(gigs.c.freelancer.label("account"), gigs.c.client.label("other")).where(
        settled, gigs.c.freelancer.in_(_ACCOUNTS)
    )
    as_client = select(gigs.c.client.label("account"), gigs.c.freelancer.label("other")).where(
        settled, gigs.c.client.in_(_ACCOUNTS)
    )
    sides = union_all(as_freelancer, as_client).subquery()
    any_side = select(literal("any", String).label("side"), sides.c.account, func.count(sides.c.other.distinct()).label("n"))
    clients = (
        select(literal("clients", String).label("side"), gigs.c.freelancer.label("account"), func.count(gigs.c.client.distinct()))
        .where(gigs.c.state.in_(PAID_STATES), gigs.c.freelancer.in_(_ACCOUNTS), gigs.c.paid != 0)
        .group_by(gigs.c.freelancer)
    )
    return union_all(any_side.group_by(sides.c.account), clients)


# Built once: a reputation read runs both for one account, and building a statement
# costs more Python than its round trip (a profile of `Queries.reputation`).
_ACCOUNTS: BindParameter[list[str]] = bindparam("accounts", expanding=True)
_DELIVERIES = _deliveries_query()
_COUNTERPARTIES = _counterparties_query()


def deliveries(conn: Connection, accounts: Sequence[str]) -> dict[str, Delivery]:
    """Each account's delivery record as freelancer (accounts without gigs get zeros)."""
    rows = conn.execute(_DELIVERIES, {"accounts": list(accounts)})
    found = {r.freelancer: Delivery.of(int(r.delivered or 0), int(r.on_time or 0), int(r.missed or 0)) for r in rows}
    return {a: found.get(a, Delivery.of(0, 0, 0)) for a in accounts}


def counterparties(conn: Connection, accounts: Sequence[str]) -> dict[str, Counterparties]:
    """Each account's distinct clients and distinct counterparties over settled gigs."""
    counts = {(side, account): n for side, account, n in conn.execute(_COUNTERPARTIES, {"accounts": list(accounts)})}
    return {a: Counterparties(counts.get(("clients", a), 0), counts.get(("any", a), 0)) for a in accounts}

