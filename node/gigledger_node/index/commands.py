"""What `gigledger-node index` does, as plain functions.

The Typer command in `gigledger_node.cli` only parses options and calls these,
so the node can also run the indexer in a thread next to its JSON-RPC server.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from gigledger.deployment import Deployment
from gigledger_node.index.db import default_url, open_index
from gigledger_node.index.endpoint import Endpoint, EndpointUnreachable
from gigledger_node.index.indexer import Indexer, RangeSizer, StepResult

#: Where the index lives when no --db is given.
DEFAULT_DATA_DIR = Path(".gigledger")


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
    indexer = Indexer(
        engine,
        Endpoint(rpc_url),
        Deployment.load(deployment_path),
        confirmations=confirmations,
        sizer=RangeSizer.up_to(max_range),
    )
    start = indexer.checkpoint()[0] + 1
    head = indexer.endpoint.head()
    with BackfillProgress(start, head, console) as progress:
        indexer.sync(progress.update)
    console.print(f"indexed up to block {indexer.checkpoint()[0]} into {engine.url.render_as_string()}")
    if follow:
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
