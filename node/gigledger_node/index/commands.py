"""What `gigledger-node index` does, as plain functions.

The Typer command in `gigledger_node.cli` only parses options and calls these,
so the node can also run the indexer in a thread next to its JSON-RPC server.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from gigledger.deployment import Deployment
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from gigledger_node.index.db import default_url, open_index
from gigledger_node.index.endpoint import Endpoint, TransientError
from gigledger_node.index.indexer import FollowerHealth, Indexer, RangeSizer, StepResult

#: Where the index lives when no --db is given.
DEFAULT_DATA_DIR = Path(".gigledger")
#: Seconds the background indexer waits before starting again after an unexpected failure.
RESTART_PAUSE = 5.0

log = logging.getLogger(__name__)


class IndexerStopped(RuntimeError):
    """A one-off backfill (no --follow) could not finish: the endpoint kept failing."""


class BackfillProgress:
    """A rich progress bar over blocks, with blocks and events per second."""

    def __init__(self, first: int, last: int, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("[bold]indexing"),
            BarColumn(),
            TextColumn("block {task.completed:,.0f}/{task.total:,.0f}"),
            TextColumn("{task.fields[blocks_per_second]:,.0f} blocks/s"),
            TextColumn("{task.fields[events]:,} events ({task.fields[events_per_second]:,.0f}/s)"),
            TimeRemainingColumn(),
            console=console,
        )
        self.first = first
        self.started = time.perf_counter()
        self.events = 0
        self.task = self.progress.add_task(
            "backfill", total=max(last - first + 1, 1), events=0, blocks_per_second=0.0, events_per_second=0.0
        )

    def __enter__(self) -> BackfillProgress:
        self.progress.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.progress.stop()

    def update(self, step: StepResult) -> None:
        self.events += step.events
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        done = step.last - self.first + 1
        self.progress.update(
            self.task,
            completed=done,
            events=self.events,
            blocks_per_second=done / elapsed,
            events_per_second=self.events / elapsed,
        )


def index_url(db_url: str | None, data_dir: Path) -> str:
    """The database URL to use: --db, or SQLite in the data directory."""
    return db_url or default_url(data_dir)


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
    console: Console | None = None,
) -> None:
    """Backfill with a progress bar, then (with ``follow``) keep up with new blocks until interrupted."""
    console = console or Console(stderr=True)
    engine = open_index(index_url(db_url, data_dir))
    delay = poll_interval
    while True:
        try:
            indexer = Indexer(
                engine,
                Endpoint(rpc_url),
                Deployment.load(deployment_path),
                confirmations=confirmations,
                sizer=RangeSizer.up_to(max_range),
            )
            start = indexer.checkpoint()[0] + 1
            with BackfillProgress(start, indexer.endpoint.head(), console) as progress:
                indexer.sync(progress.update)
            break
        except TransientError as error:
            if not follow:
                raise IndexerStopped(f"the endpoint {rpc_url} kept failing: {error}") from None
            delay = min(delay * 2, RESTART_PAUSE * 6)
            console.print(f"the endpoint is failing ({error}); trying again in {delay:.0f}s")
            time.sleep(delay)
    console.print(f"indexed up to block {indexer.checkpoint()[0]} into {engine.url.render_as_string()}")
    if follow:
        stop = threading.Event()
        try:
            indexer.follow(stop, poll_interval=poll_interval)
        except KeyboardInterrupt:
            stop.set()


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
                    stop.wait(max(poll_interval, RESTART_PAUSE))
        finally:
            engine.dispose()

    thread = threading.Thread(target=follow, name="indexer", daemon=True)
    thread.start()
    return thread, stop
