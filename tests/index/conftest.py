"""Fixtures for the index: Anvil chains, the gig story, and an index per database.

Every test that touches SQL runs twice, on SQLite (a file in tmp_path) and on
PostgreSQL (127.0.0.1:5432, database `test`), each test in its own schema so
parallel runs never collide; schemas are dropped afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from gigledger.deployment import Deployment
from gigledger.devchain import DevNode
from gigledger.testing import AnvilProcess
from gigledger.testing.seeding import ANVIL_FLAGS, Seeder
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.market_queries import MarketQueries
from gigledger_node.index.queries import GigDetail, Queries, UnknownGig
from gigledger_node.index.scratch import KINDS, scratch_database

from .market_story import tell_market
from .story import ETHER, WEEK, Story, deploy_contracts, ledgers, tell, web3_of
from .synthetic import SyntheticChain

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


@pytest.fixture(params=KINDS)
def db_url(request) -> Iterator[str]:
    """A database URL of its own: an SQLite file, or a fresh PostgreSQL schema."""
    with scratch_database(request.param) as url:
        yield url


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
            if table is db.indexer_health:  # how the follower fared, not what the chain says
                continue
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


@pytest.fixture(scope="module", params=["anvil", "dev-node"])
def proving_chain(request, tmp_path_factory) -> Iterator[str]:
    """A chain serving eth_getProof, for state-proof tests that need no seals: Anvil, or
    `gigledger-node start --dev` (a fresh one per module); its URL."""
    if request.param == "anvil":
        with AnvilProcess() as process:
            yield process.url
        return
    root = tmp_path_factory.mktemp("proving-node")
    with DevNode(root / "data", log_path=root / "node.log").start() as node:
        yield node.url


@pytest.fixture(scope="module")
def proof_story(proving_chain: str) -> Story:
    """The gig story played on the proving chain."""
    return tell(proving_chain)


@pytest.fixture
def proof_queries(engine: Engine, proof_story: Story) -> Queries:
    """Queries over the proof story, indexed up to the chain head."""
    Indexer(engine, Endpoint(proof_story.url), proof_story.deployment).sync()
    return Queries(engine)


@pytest.fixture
def synthetic(engine: Engine) -> SyntheticChain:
    """A pretend chain whose gigs are indexed into the test's database as they are mined."""
    return SyntheticChain(engine)


@pytest.fixture(scope="module")
def market_story():
    """The market story played on a module-wide Anvil chain that nobody changes afterwards."""
    with AnvilProcess() as process:
        yield tell_market(process.url)


@pytest.fixture
def market_queries(engine: Engine, market_story) -> MarketQueries:
    """Market queries over the market story, indexed up to the chain head."""
    Indexer(engine, Endpoint(market_story.url), market_story.deployment).sync()
    return MarketQueries(engine)


@pytest.fixture(scope="module")
def sealed_payments(dev_node, tmp_path_factory):
    """One approved gig on the dev node, then one more block, indexed into SQLite:
    (url, deployment, queries, freelancer)."""
    url, manifest = dev_node
    deployment = Deployment.load(manifest)
    people = ledgers(url, deployment)
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    gig = alice.create_gig(ETHER, freelancer=bob.address, arbiter=carol.address, deadline=WEEK).gig_id
    bob.accept(gig)
    bob.deliver(gig)
    alice.approve(gig)
    web3_of(url).provider.make_request("evm_mine", [])
    engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('sealed') / 'index.sqlite'}")
    Indexer(engine, Endpoint(url), deployment).sync()
    yield url, deployment, Queries(engine), bob.address
    engine.dispose()


@pytest.fixture
def wait_for_gig() -> Callable[[Queries, int], GigDetail]:
    """Polls the index until a gig reaches it (up to 30 s); returns the gig."""

    def wait(queries: Queries, gig_id: int, timeout: float = 30.0) -> GigDetail:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return queries.gig(gig_id)
            except UnknownGig:
                assert time.monotonic() < deadline, f"gig {gig_id} never reached the index"
                time.sleep(0.05)

    return wait


def _rows_read(plan: dict) -> int:
    """Rows a PostgreSQL plan node and those under it read from tables (EXPLAIN ANALYZE's counts)."""
    read = 0
    if "Relation Name" in plan:
        kept = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0) + plan.get("Rows Removed by Index Recheck", 0)
        read = kept * plan.get("Actual Loops", 1)
    return read + sum(_rows_read(child) for child in plan.get("Plans", []))


@pytest.fixture
def database_work(engine: Engine) -> Callable[[Callable[[], object]], int]:
    """How much work the database does for a call: on SQLite the virtual machine's
    instructions, on PostgreSQL the table rows its statements read (EXPLAIN ANALYZE
    of each statement again, planned as a big table is: on fresh statistics, with
    table scans and hash or merge joins priced out, which a table of a few rows gets
    because reading it all is cheapest). A count, not a time, so a test can compare two."""
    from sqlalchemy import event

    def measure(call: Callable[[], object]) -> int:
        steps = [0]
        statements: list[tuple[str, object]] = []
        counted = []  # the SQLite connections counting their instructions

        def count() -> int:
            steps[0] += 1
            return 0

        def before(conn, cursor, statement, parameters, context, executemany) -> None:
            if engine.dialect.name == "sqlite":
                counted.append(conn.connection.driver_connection)
                counted[-1].set_progress_handler(count, 1)
            else:
                statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", before)
        try:
            call()
        finally:
            event.remove(engine, "before_cursor_execute", before)
            for connection in counted:
                connection.set_progress_handler(None, 1)
        if engine.dialect.name == "sqlite":
            return steps[0]
        total = 0
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            cursor.execute("ANALYZE")
            for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
                cursor.execute(f"SET LOCAL {setting} = off")
            for statement, parameters in statements:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                total += _rows_read(cursor.fetchone()[0][0]["Plan"])
        return total

    return measure
