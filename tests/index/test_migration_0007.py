"""Migration 0007 on an index built before it: profiles already indexed are found by the start of their name."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from gigledger_node.index.db import _alembic_config, make_engine, migrate
from gigledger_node.index.market_queries import MarketQueries

from .synthetic import account

ADA = account(1)
_PROFILES = sa.table("profiles", *(sa.column(name) for name in (
    "account", "document", "content_hash", "name", "headline", "valid", "block_number", "log_index", "transaction_hash", "timestamp",
    "name_key",
)))


def test_upgrading_an_older_index_finds_its_profiles_by_the_start_of_their_name(db_url):
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0006")
    with engine.begin() as conn:
        conn.execute(sa.insert(_PROFILES), [{
            "account": ADA, "document": "{}", "content_hash": "0x" + "00" * 32, "name": "Ada Lovelace", "headline": None,
            "valid": True, "block_number": 1, "log_index": 0, "transaction_hash": "0x" + "00" * 32, "timestamp": 0,
            "name_key": "ada lovelace",
        }])

    migrate(engine)

    found = [p.account for p in MarketQueries(engine).people_named("ada lov")]
    engine.dispose()
    assert found == [ADA]
