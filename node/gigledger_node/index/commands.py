"""What `gigledger-node index` does, as plain functions.

The Typer command in `gigledger_node.cli` parses options, calls these and draws
the progress (`gigledger_node.backfill_progress`); the node also runs the indexer in
a thread next to its JSON-RPC server. Nothing here writes to the terminal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from gigledger.deployment import Deployment
from gigledger_node.index.db import default_url, open_index
from gigledger_node.index.endpoint import Endpoint, TransientError
from gigledger_node.index.indexer import FollowerHealth, Indexer, RangeSizer

#: Where the index lives when no --db is given.
DEFAULT_DATA_DIR = Path(".gigledger")
#: Seconds the background indexer waits before starting again after an unexpected failure.
RESTART_PAUSE = 5.0

log = logging.getLogger(__name__)


class IndexerStopped(RuntimeError):
    """A one-off backfill (no --follow) could not finish: the endpoint kept failing."""


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


#: Makes the progress display of a backfill from its first and last block; its
#: ``update`` is given each step (the CLI draws a bar; the library draws nothing).
ProgressFactory = Callable[[int, int], AbstractContextManager[Any]]


def run_indexer(
    rpc_url: str,
    deployment_path: Path,
    db_url: str | None = None,
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    follow: bool = True,
    poll_interval: float = 1.0,
    confirmations: int = 0,
    max_range: int = 100_000,
    progress: ProgressFactory | None = None,
    say: Callable[[str], None] = log.info,
) -> None:
    """Backfill to the head, then (with ``follow``) keep up with new blocks until interrupted.

    Transient endpoint failures (5xx, timeouts, dropped connections) are waited out
    with capped exponential backoff while following; a one-off backfill that meets
    one raises IndexerStopped instead of a traceback.
    """
    delay = poll_interval
    while True:
        try:
            indexer = open_indexer(
                rpc_url, deployment_path, db_url, data_dir=data_dir, confirmations=confirmations, max_range=max_range
            )
            if progress is None:
                indexer.sync()
            else:
                with progress(indexer.checkpoint()[0] + 1, indexer.endpoint.head()) as bar:
                    indexer.sync(bar.update)
            break
        except TransientError as error:
            record_failure(index_url(db_url, data_dir), error)
            if not follow:
                raise IndexerStopped(f"the endpoint {rpc_url} kept failing: {error}") from None
            delay = min(delay * 2, RESTART_PAUSE * 6)
            say(f"the endpoint is failing ({error}); trying again in {delay:.0f}s")
            time.sleep(delay)
    say(f"indexed up to block {indexer.checkpoint()[0]} into {indexer.engine.url.render_as_string()}")
    if follow:
        follow_until_interrupted(indexer, poll_interval)


def record_failure(db_url: str, error: BaseException) -> None:
    """Record a failure before the follower runs (it records its own) where /status reads it."""
    try:
        engine = open_index(db_url)
    except SQLAlchemyError as refused:  # the database is down too: the log is all there is
        log.warning("indexer: could not record %s: %s", error, refused)
        return
    try:
        health = FollowerHealth.load(engine) or FollowerHealth()
        health.failed(error)
        health.save(engine)
    finally:
        engine.dispose()


def follow_in_background(
    rpc_url: str,
    deployment: Deployment,
    db_url: str,
    *,
    poll_interval: float = 1.0,
    health: FollowerHealth | None = None,
) -> tuple[threading.Thread, threading.Event]:
    """Index and follow the chain in a daemon thread, as `gigledger-node start` does;
    set the returned event to stop it. Transient endpoint failures are waited out by
    the follower; anything else is logged, recorded in ``health`` and retried after
    a pause, so the thread never dies while the node runs."""
    stop = threading.Event()
    health = health or FollowerHealth()

    def follow() -> None:
        engine = open_index(db_url)
        try:
            while not stop.is_set():
                try:
                    Indexer(engine, Endpoint(rpc_url), deployment).follow(stop, poll_interval=poll_interval, health=health)
                except Exception as error:  # noqa: BLE001 (the thread must outlive any one failure)
                    log.exception("indexer stopped by %s; restarting", error)
                    health.failed(error)
                    health.save(engine)
                    stop.wait(max(poll_interval, RESTART_PAUSE))
        finally:
            engine.dispose()

    thread = threading.Thread(target=follow, name="indexer", daemon=True)
    thread.start()
    return thread, stop
