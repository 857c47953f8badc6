"""Migration 0006 on an index built before it: profiles already indexed are found by name; tokens already read stay read."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from gigledger_node.index.db import _alembic_config, make_engine, migrate
from gigledger_node.index.market_queries import MarketQueries
from gigledger_node.index.tokens import due_for_retry

from .synthetic import account

ADA, FRANK = account(1), account(2)
_PROFILES_BEFORE_0006 = sa.table(
    "profiles", *(sa.column(name) for name in (
        "account", "document", "content_hash", "name", "headline", "valid", "block_number", "log_index", "transaction_hash", "timestamp",
    ))
)


def _profile(account: str, name: str | None) -> dict:
    return {
        "account": account, "document": "{}", "content_hash": "0x" + "00" * 32, "name": name, "headline": None,
        "valid": name is not None, "block_number": 1, "log_index": 0, "transaction_hash": "0x" + "00" * 32, "timestamp": 0,
    }


def test_upgrading_an_older_index_makes_its_profiles_searchable_by_name(db_url):
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0005")
    with engine.begin() as conn:
        conn.execute(sa.insert(_PROFILES_BEFORE_0006), [_profile(ADA, "Ada  Lovelace"), _profile(FRANK, None)])

    migrate(engine)

    found = [(p.account, p.exact) for p in MarketQueries(engine).people_named("ada lovelace")]
    engine.dispose()
    assert found == [(ADA, True)]


def test_upgrading_an_older_index_reads_none_of_its_tokens_again(db_url):
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0005")
    with engine.begin() as conn:
        conn.execute(sa.insert(sa.table("tokens", sa.column("address"), sa.column("decimals"), sa.column("symbol"))),
                     [{"address": account(0xC0), "decimals": 6, "symbol": "USDC"}, {"address": account(0xC1), "decimals": None, "symbol": None}])

    migrate(engine)

    due = due_for_retry(engine, at_block=10**6)
    engine.dispose()
    assert due == []
