"""The talent directory: freelancers for a skill ranked by evidence, each row with its reasons."""

from __future__ import annotations

import pytest

from gigledger_node.index.errors import InvalidFilter, InvalidPaging
from gigledger_node.index.talent import Talent

from .synthetic import account

ETHER = 10**18
CLIENTS = [account(200 + i) for i in range(4)]
STEADY, NEWCOMER, LATE = account(100), account(101), account(102)


@pytest.fixture
def market(synthetic):
    """STEADY: three python gigs for three clients, on time. NEWCOMER: one. LATE: two,
    both late, for one client. Someone else does design only."""
    for client in CLIENTS[:3]:
        synthetic.settled(client, STEADY, ETHER, skills=("python",))
    synthetic.settled(CLIENTS[3], NEWCOMER, ETHER, skills=("python",))
    synthetic.settled(CLIENTS[3], LATE, ETHER, skills=("python",), late=True)
    synthetic.settled(CLIENTS[3], LATE, ETHER, skills=("python",), late=True)
    synthetic.settled(CLIENTS[0], account(103), ETHER, skills=("design",))
    synthetic.mine()
    return synthetic


def test_the_directory_ranks_the_freelancer_with_most_evidence_first(market, engine):
    rows = Talent(engine).directory("python").page.items

    assert [r.account for r in rows][0] == STEADY


def test_the_directory_lists_only_freelancers_of_that_skill(market, engine):
    rows = Talent(engine).directory("python").page.items

    assert account(103) not in {r.account for r in rows} and len(rows) == 3


def test_each_row_says_why_with_its_figures(market, engine):
    row = Talent(engine).directory("python").page.items[0]

    assert "3 python gigs completed" in row.why and "3 distinct clients" in row.why and "earned 3 ETH" in row.why


def test_late_deliveries_show_in_the_on_time_rate_over_delivered_gigs(market, engine):
    late = next(r for r in Talent(engine).directory("python").page.items if r.account == LATE)

    assert (late.delivered, late.delivered_on_time, late.on_time_rate) == (2, 0, 0.0)


def test_a_gig_paid_without_delivery_is_not_counted_as_delivered_on_time(synthetic, engine):
    synthetic.settled(CLIENTS[0], STEADY, ETHER, skills=("python",), delivered=False)
    synthetic.mine()

    row = Talent(engine).directory("python").page.items[0]

    assert (row.completed_in_skill, row.delivered, row.on_time_rate) == (1, 0, None)


def test_missed_deadlines_lower_the_deadline_record_not_hidden_beside_a_perfect_rate(synthetic, engine):
    for client in CLIENTS[:3]:
        synthetic.settled(client, STEADY, ETHER, skills=("python",))
    synthetic.missed(CLIENTS[3], STEADY, ETHER, skills=("python",))
    synthetic.mine()

    row = Talent(engine).directory("python").page.items[0]

    assert "met 3 of 4 deadlines (1 missed without delivery)" in row.why and "3 of 3" not in row.why


def test_the_directory_pages(market, engine):
    directory = Talent(engine).directory("python", offset=1, limit=1)

    assert (directory.page.total, len(directory.page.items), directory.page.items[0].rank, directory.page.next_offset) == (3, 1, 2, 2)


@pytest.mark.parametrize(("offset", "limit"), [(-1, 10), (0, 0), (0, 5000)])
def test_bad_paging_is_refused(market, engine, offset, limit):
    with pytest.raises(InvalidPaging):
        Talent(engine).directory("python", offset=offset, limit=limit)


def test_a_skill_longer_than_a_tag_is_refused(engine):
    with pytest.raises(InvalidFilter):
        Talent(engine).directory("p" * 33)


def test_the_ranking_is_recomputed_once_the_index_moves(market, engine):
    talent = Talent(engine)
    before = talent.directory("python").page.total
    market.settled(CLIENTS[0], account(104), ETHER, skills=("python",))
    market.mine()

    assert (before, talent.directory("python").page.total) == (3, 4)
