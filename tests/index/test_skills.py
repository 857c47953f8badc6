"""Skills in the index: gig lists filtered by skill for real, skills listed with counts."""

from __future__ import annotations

import pytest

from gigledger_node.index.queries import InvalidFilter
from gigledger_node.index.skills import skill_counts

from .synthetic import account

ALICE, BOB, CAROL = account(1), account(2), account(3)


def test_gigs_filtered_by_skill_hold_only_gigs_with_that_skill(queries, story):
    page = queries.gigs(skill="solidity")

    assert [g.gig_id for g in page.items] == [story.gigs["approved"]]


def test_a_skill_no_gig_carries_matches_nothing(queries):
    assert queries.gigs(skill="cobol").total == 0


def test_open_gigs_filtered_by_skill_leave_out_taken_ones(synthetic, engine):
    from gigledger_node.index.queries import Queries

    waiting = synthetic.created(ALICE, 10, skills=("python",))
    synthetic.settled(ALICE, BOB, 10, skills=("python",))
    synthetic.created(ALICE, 10, skills=("design",))
    synthetic.mine()

    page = Queries(engine).gigs(skill="python", state="open")

    assert [g.gig_id for g in page.items] == [waiting]


@pytest.mark.parametrize("skill", ["", "   ", "x" * 33, "é" * 17, "0x" + "ab" * 32])
def test_a_skill_that_cannot_be_a_tag_is_refused(queries, skill):
    with pytest.raises(InvalidFilter):
        queries.gigs(skill=skill)


def test_skills_are_listed_by_name_with_gig_and_freelancer_counts(synthetic, engine):
    synthetic.settled(ALICE, BOB, 10, skills=("python", "sql"))
    synthetic.settled(CAROL, BOB, 10, skills=("python",))
    synthetic.created(ALICE, 10, skills=("python",))
    synthetic.mine()

    counts = {s.name: (s.gigs, s.open_gigs, s.freelancers) for s in skill_counts(engine)}

    assert counts == {"python": (3, 1, 1), "sql": (1, 0, 1)}


def test_a_rolled_back_gig_leaves_the_skill_counts(synthetic, engine):
    from gigledger_node.index.projection import roll_back
    from gigledger_node.index.skills import roll_back_gig_skills

    synthetic.settled(ALICE, BOB, 10, skills=("python",))
    synthetic.mine()
    synthetic.created(ALICE, 10, skills=("rust",))
    synthetic.mine()
    with engine.begin() as conn:
        roll_back(conn, 1)
        roll_back_gig_skills(conn, 1)

    assert [s.name for s in skill_counts(engine)] == ["python"]
