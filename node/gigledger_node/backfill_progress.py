"""The progress bar `gigledger-node index` draws while it backfills: rendering, not indexing."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from gigledger_node.index.indexer import StepResult


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
