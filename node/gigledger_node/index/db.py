"""The index's SQL schema (SQLAlchemy 2), engines and migrations.

The index is a cache of the chain: raw logs plus projections derived from them
(gigs, payments, attestations) and per-account aggregates kept up to date on
every insert and rollback, so reputation reads are primary-key lookups.

Amounts are uint256 and do not fit SQL integers, so they are stored as decimal
text (`Uint256`) and summed in Python; counters are plain integers that SQL can
add to in place. The same schema runs on SQLite (WAL) and PostgreSQL.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    event,
    false,
)
from sqlalchemy.types import TypeDecorator

from gigledger.events import Event, decode_log

metadata = MetaData()


class Uint256(TypeDecorator):
    """A uint256 stored losslessly as decimal text; Python sees an int."""

    impl = String(78)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect) -> int | None:
        return None if value is None else int(value)


def _address(name: str, **kwargs) -> Column:
    """A checksummed 0x address column."""
    return Column(name, String(42), **kwargs)


def _hash(name: str, **kwargs) -> Column:
    """A 0x-prefixed 32-byte hash column."""
    return Column(name, String(66), **kwargs)


# The one row describing what is indexed and how far.
indexer_state = Table(
    "indexer_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chain_id", BigInteger, nullable=False),
    _address("escrow", nullable=False),
    _address("registry", nullable=False),
    Column("start_block", BigInteger, nullable=False),
    Column("checkpoint_number", BigInteger, nullable=True),
    _hash("checkpoint_hash", nullable=True),
    Column("chain_head", BigInteger, nullable=True),
    Column("event_count", BigInteger, nullable=False, default=0),
    Column("updated_at", BigInteger, nullable=True),
)

# The follower's last error and last successful poll (unix seconds), one row, written by
# whichever process indexes and read by /status in any process (`gigledger_node.index.health`).
indexer_health = Table(
    "indexer_health",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_error", String(500), nullable=True),
    Column("last_error_at", BigInteger, nullable=True),
    Column("last_success_at", BigInteger, nullable=True),
)

# Blocks the index depends on: every block holding an indexed log, and every
# checkpoint. Their hashes are what reorg detection compares with the chain.
blocks = Table(
    "blocks",
    metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    _hash("hash", nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("event_count", Integer, nullable=False, default=0),
    Index("ix_blocks_hash", "hash"),
)

# Every decoded log, raw, so rollbacks can undo exactly what was applied.
events = Table(
    "events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("block_number", BigInteger, nullable=False),
    _hash("block_hash", nullable=False),
    _hash("transaction_hash", nullable=False),
    Column("transaction_index", Integer, nullable=False),
    Column("log_index", Integer, nullable=False),
    _address("address", nullable=False),
    Column("name", String(40), nullable=False),
    Column("gig_id", BigInteger, nullable=True),
    Column("topics", LargeBinary, nullable=False),
    Column("data", LargeBinary, nullable=False),
    # No log is stored twice; the index also serves lookups by transaction.
    UniqueConstraint("transaction_hash", "log_index", name="uq_events_transaction_log"),
    Index("ix_events_block", "block_number"),
    Index("ix_events_gig", "gig_id"),
)

# A gig as it stands now, folded from its events.
gigs = Table(
    "gigs",
    metadata,
    Column("gig_id", BigInteger, primary_key=True, autoincrement=False),
    _address("client", nullable=False),
    _address("freelancer", nullable=False),
    _address("arbiter", nullable=False),
    _address("token", nullable=False),
    Column("amount", Uint256, nullable=False),
    Column("paid", Uint256, nullable=False),
    Column("milestones", JSON, nullable=False),
    Column("released", Integer, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("review_period", BigInteger, nullable=False),
    Column("fee_bps", Integer, nullable=False),
    _hash("terms_hash", nullable=False),
    Column("skills", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("delivered_at", BigInteger, nullable=False),
    Column("disputed_at", BigInteger, nullable=False),
    _hash("deliverable_hash", nullable=True),
    Column("on_time", Boolean, nullable=True),
    Column("created_block", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_block", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Index("ix_gigs_client", "client", "gig_id"),
    Index("ix_gigs_freelancer", "freelancer", "gig_id"),
    Index("ix_gigs_state", "state", "gig_id"),
    Index("ix_gigs_token", "token", "gig_id"),
    Index("ix_gigs_created_at", "created_at"),
)

# Money into and out of the escrow, one row per account and log.
payments = Table(
    "payments",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("block_number", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    _hash("transaction_hash", nullable=False),
    Column("log_index", Integer, nullable=False),
    _address("account", nullable=False),
    Column("kind", String(16), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("gig_id", BigInteger, nullable=True),
    _address("token", nullable=False),
    Column("amount", Uint256, nullable=False),
    Column("fee", Uint256, nullable=False),
    # Derived from events in the same transaction, so unique with them; no index of its own.
    Index("ix_payments_account", "account", "block_number", "log_index"),
    Index("ix_payments_block", "block_number"),
)

attestations = Table(
    "attestations",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("block_number", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    _hash("transaction_hash", nullable=False),
    _address("escrow", nullable=False),
    Column("gig_id", BigInteger, nullable=False),
    _address("attester", nullable=False),
    _address("subject", nullable=False),
    Column("score", Integer, nullable=False),
    _hash("skill", nullable=False),
    _hash("evidence_hash", nullable=False),
    Column("revoked_block", BigInteger, nullable=True),
    UniqueConstraint("escrow", "gig_id", "attester", name="uq_attestations_gig_attester"),
    Index("ix_attestations_subject", "subject", "block_number"),
    Index("ix_attestations_revoked_block", "revoked_block"),
)

# Per-account aggregates: the registry's counters, as its `*Recorded` events (from any
# writer) and attestations record them, plus the gigs an account took part in.
reputation = Table(
    "reputation",
    metadata,
    _address("account", primary_key=True),
    Column("completed", Integer, nullable=False, default=0),
    Column("on_time", Integer, nullable=False, default=0),
    Column("missed_deadlines", Integer, nullable=False, default=0),
    Column("disputes_opened", Integer, nullable=False, default=0),
    Column("disputes_won", Integer, nullable=False, default=0),
    Column("disputes_lost", Integer, nullable=False, default=0),
    Column("attestations", Integer, nullable=False, default=0),
    Column("score_sum", Integer, nullable=False, default=0),
    Column("gigs_as_client", Integer, nullable=False, default=0),
    Column("gigs_as_freelancer", Integer, nullable=False, default=0),
)

skill_reputation = Table(
    "skill_reputation",
    metadata,
    _address("account", primary_key=True),
    _hash("skill", primary_key=True),
    Column("completed", Integer, nullable=False, default=0),
    Column("attestations", Integer, nullable=False, default=0),
    Column("score_sum", Integer, nullable=False, default=0),
)

monthly_completions = Table(
    "monthly_completions",
    metadata,
    _address("account", primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("completed", Integer, nullable=False, default=0),
)

# Volume per account and token, as the registry keeps it: earned as freelancer, paid as client.
volumes = Table(
    "volumes",
    metadata,
    _address("account", primary_key=True),
    _address("token", primary_key=True),
    Column("earned", Uint256, nullable=False),
    Column("paid", Uint256, nullable=False),
)

# What the escrow holds per token by the index's account: deposits and credits
# in, payouts and withdrawals out. The auditor compares it with the chain.
holdings = Table(
    "holdings",
    metadata,
    _address("token", primary_key=True),
    Column("amount", Uint256, nullable=False),
)

# Each gig's skill tags, one row per (skill, gig), so lists filter by skill with an
# index; written when a gig is created and dropped with it on a rollback.
gig_skills = Table(
    "gig_skills",
    metadata,
    _hash("skill", primary_key=True),
    Column("gig_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_block", BigInteger, nullable=False),
    Index("ix_gig_skills_created_block", "created_block"),
)

# ERC-20 metadata read once from the token contract (decimals(), symbol()); NULL
# where the token has no such function. Not chain history: kept across rollbacks.
tokens = Table(
    "tokens",
    metadata,
    _address("address", primary_key=True),
    Column("decimals", Integer, nullable=True),
    Column("symbol", String(32), nullable=True),
    # The last read failed for the endpoint's reason, not the token's (index/tokens.py): read again.
    Column("retry", Boolean, nullable=False, server_default=false()),
    Column("read_block", BigInteger, nullable=True),  # the range end of the last read
)


def event_row(log: dict, event) -> dict:
    """The events row storing one JSON-RPC log (hex strings) and its decoded event."""
    return {
        "block_number": int(log["blockNumber"], 16),
        "block_hash": log["blockHash"].lower(),
        "transaction_hash": log["transactionHash"].lower(),
        "transaction_index": int(log["transactionIndex"], 16),
        "log_index": int(log["logIndex"], 16),
        "address": event.address,
        "name": event.name,
        "gig_id": getattr(event, "gig_id", None),
        "topics": b"".join(bytes.fromhex(t[2:]) for t in log["topics"]),
        "data": bytes.fromhex(log["data"][2:]),
    }


def stored_log(row) -> dict:
    """An events row as the log it was decoded from (what `decode_log` accepts)."""
    topics = row.topics
    return {
        "topics": ["0x" + topics[i : i + 32].hex() for i in range(0, len(topics), 32)],
        "data": row.data,
        "blockNumber": row.block_number,
        "blockHash": row.block_hash,
        "transactionHash": row.transaction_hash,
        "logIndex": row.log_index,
        "address": row.address,
    }


class UnreadableEvent(RuntimeError):
    """A stored events row no longer decodes: the index was written for other contracts' events."""


def stored_event(row) -> Event:
    """An events row decoded again; every stored row was decoded once, when indexed."""
    event = decode_log(stored_log(row))
    if event is None:
        raise UnreadableEvent(f"stored {row.name} log at block {row.block_number} no longer decodes")
    return event


#: Aggregate tables whose integer columns are adjusted in place by deltas.
COUNTER_TABLES = {t.name: t for t in (reputation, skill_reputation, monthly_completions)}


def default_url(data_dir: Path) -> str:
    """The embedded default: an SQLite file in the node's data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'index.sqlite'}"


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and foreign keys."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
    return engine


def _alembic_config(engine: Engine):
    from alembic.config import Config

    package = resources.files("gigledger_node.index")
    config = Config(str(package / "alembic.ini"))
    config.set_main_option("script_location", str(package / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest Alembic revision."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def open_index(url: str) -> Engine:
    """An engine on a migrated index at ``url``."""
    engine = make_engine(url)
    migrate(engine)
    return engine
