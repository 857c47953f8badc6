"""Fixtures for the index: Anvil chains, the gig story, and an index per database.

Every test that touches SQL runs twice, on SQLite (a file in tmp_path) and on
PostgreSQL (127.0.0.1:5432, database `test`), each test in its own schema so
parallel runs never collide; schemas are dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from gigledger.devchain import DevNode
from gigledger.testing import AnvilProcess
from gigledger.testing.seeding import ANVIL_FLAGS, Seeder
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries

from .story import Story, deploy_contracts, tell

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Full gig lifecycles on the seeded chain (four events each).
SEEDED_GIGS = 200


@pytest.fixture
def anvil() -> Iterator[str]:
    """The URL of a fresh Anvil chain, for tests that change the chain."""
    with AnvilProcess() as process:
        yield process.url


@pytest.fixture(scope="module")
def story() -> Iterator[Story]:
    """The gig story played on a module-wide Anvil chain that nobody changes afterwards."""
    with AnvilProcess() as process:
        yield tell(process.url)


@pytest.fixture(scope="module")
def seeded_chain(tmp_path_factory):
    """An Anvil chain with SEEDED_GIGS full gig lifecycles, five per block; its URL and deployment file."""
    with AnvilProcess(*ANVIL_FLAGS) as process:
        url = process.url
        deployment = deploy_contracts(url)
        seeder = Seeder(url, deployment.escrow)
        seeder.seed(SEEDED_GIGS, per_block=5)
        seeder.close()
        path = tmp_path_factory.mktemp("seeded") / "deployment.json"
        deployment.save(path)
        yield url, deployment, path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """A database URL of its own: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'index.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty index."""
    engine = open_index(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def story_indexer(engine: Engine, story: Story) -> Indexer:
    """An indexer of the story's chain into the test's database."""
    return Indexer(engine, Endpoint(story.url), story.deployment)


@pytest.fixture
def queries(story_indexer: Indexer) -> Queries:
    """Queries over the story, indexed up to the chain head."""
    story_indexer.sync()
    return Queries(story_indexer.engine)


#: Columns that record how a row got there (autoincrement ids, wall-clock times), not what the chain says.
_BOOKKEEPING = {"id", "updated_at"}


def index_contents(engine: Engine) -> dict[str, list[tuple]]:
    """Every table's rows as sorted tuples, without bookkeeping columns or
    checkpoint-only blocks: two indexes of one chain must hold exactly this."""
    from gigledger_node.index import db

    contents = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.c if c.name not in _BOOKKEEPING and not (table is db.indexer_state and c.name == "chain_head")]
            query = select(*columns)
            if table is db.blocks:
                query = query.where(db.blocks.c.event_count > 0)
            contents[table.name] = sorted(tuple(map(repr, row)) for row in conn.execute(query))
    return contents


@pytest.fixture(scope="module")
def dev_node(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """`gigledger-node start --dev` on loopback: its URL and the deployment manifest it writes."""
    root = tmp_path_factory.mktemp("node")
    with DevNode(root / "data", log_path=root / "node.log").start() as node:
        yield node.url, node.manifest
