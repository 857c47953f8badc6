"""What `gigledger-node index` does, as plain functions.

The Typer command in `gigledger_node.cli` parses options, calls these and draws
the progress (`gigledger_node.backfill_progress`); the node also runs the indexer in
a thread next to its JSON-RPC server. Nothing here writes to the terminal.
"""

from __future__ import annotations

import threading
from pathlib import Path

from gigledger.deployment import Deployment
from gigledger_node.index.db import default_url, open_index
from gigledger_node.index.endpoint import Endpoint, EndpointUnreachable
from gigledger_node.index.indexer import Indexer, RangeSizer

#: Where the index lives when no --db is given.
DEFAULT_DATA_DIR = Path(".gigledger")


def index_url(db_url: str | None, data_dir: Path) -> str:
    """The database URL to use: --db, or SQLite in the data directory."""
    return db_url or default_url(data_dir)


def open_indexer(
    rpc_url: str,
    deployment_path: Path,
    db_url: str | None = None,
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    confirmations: int = 0,
    max_range: int = 100_000,
) -> Indexer:
    """An indexer of the manifest's contracts at `rpc_url` into the database (migrated first)."""
    return Indexer(
        open_index(index_url(db_url, data_dir)),
        Endpoint(rpc_url),
        Deployment.load(deployment_path),
        confirmations=confirmations,
        sizer=RangeSizer.up_to(max_range),
    )


def follow_until_interrupted(indexer: Indexer, poll_interval: float = 1.0) -> None:
    """Keep the index up with new blocks until Ctrl-C."""
    stop = threading.Event()
    try:
        indexer.follow(stop, poll_interval=poll_interval)
    except KeyboardInterrupt:
        stop.set()


def follow_in_background(
    rpc_url: str, deployment: Deployment, db_url: str, *, poll_interval: float = 1.0
) -> tuple[threading.Thread, threading.Event]:
    """Index and follow the chain in a daemon thread, as `gigledger-node start` does;
    set the returned event to stop it. Waits for the endpoint while it does not answer."""
    stop = threading.Event()

    def follow() -> None:
        engine = open_index(db_url)
        try:
            while not stop.is_set():
                try:
                    Indexer(engine, Endpoint(rpc_url), deployment).follow(stop, poll_interval=poll_interval)
                except EndpointUnreachable:
                    stop.wait(poll_interval)
        finally:
            engine.dispose()

    thread = threading.Thread(target=follow, name="indexer", daemon=True)
    thread.start()
    return thread, stop
