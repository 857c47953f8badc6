"""Migration 0004 on an index built before it: the skills of gigs already indexed are kept."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from gigledger_node.index import db
from gigledger_node.index.db import _alembic_config, make_engine, migrate

PYTHON = "0x" + b"python".ljust(32, b"\0").hex()
SQL = "0x" + b"sql".ljust(32, b"\0").hex()


def _gig(gig_id: int, skills: list[str]) -> dict:
    zero = "0x" + "00" * 20
    return {
        "gig_id": gig_id, "client": zero, "freelancer": zero, "arbiter": zero, "token": zero, "amount": 1, "paid": 0,
        "milestones": ["1"], "released": 0, "deadline": 0, "review_period": 0, "fee_bps": 0, "terms_hash": "0x" + "00" * 32,
        "skills": skills, "state": "OPEN", "delivered_at": 0, "disputed_at": 0, "created_block": gig_id,
        "created_at": 0, "updated_block": gig_id, "updated_at": 0,
    }


def test_upgrading_an_older_index_fills_gig_skills_from_its_gigs(db_url):
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(db.gigs.insert(), [_gig(1, [PYTHON, SQL]), _gig(2, [PYTHON, PYTHON]), _gig(3, []), _gig(4, ["0x" + "00" * 32])])

    migrate(engine)

    with engine.connect() as conn:
        rows = sorted(tuple(r) for r in conn.execute(select(db.gig_skills.c.gig_id, db.gig_skills.c.skill)))
    engine.dispose()
    assert rows == [(1, PYTHON), (1, SQL), (2, PYTHON)]
