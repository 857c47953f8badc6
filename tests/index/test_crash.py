"""Killed at any moment, the indexer resumes from its checkpoint with no gap and no duplicate.

`gigledger-node index` runs as a subprocess over a seeded chain, two blocks per
log query so the backfill commits many times; it is SIGKILLed as soon as its
checkpoint moves (so mostly in the middle of the next transaction), several
times, then left to finish. The result must equal an index built in one go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from gigledger.testing.seeding import EVENTS_PER_GIG
from gigledger_node.index import db
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer

from .conftest import SEEDED_GIGS, index_contents

KILLS = 2


def _checkpoint(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(db.indexer_state.c.checkpoint_number)).scalar() or 0


def _start_indexer(url: str, deployment_path, db_url: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gigledger_node.cli", "index", "--rpc", url, "--deployment", str(deployment_path),
        "--db", db_url, "--no-follow", "--max-range", "2",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_once_it_commits(process: subprocess.Popen, engine, after: int) -> int:
    """SIGKILL ``process`` right after its checkpoint passes ``after``; returns the checkpoint seen."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen = _checkpoint(engine)
        if seen > after:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return seen
        if process.poll() is not None:
            raise AssertionError(f"the indexer finished before it was killed: {process.stderr.read().decode()[-500:]}")
        time.sleep(0.01)
    raise TimeoutError("the indexer's checkpoint never moved")


def test_sigkill_during_backfill_leaves_no_gap_and_no_duplicate(seeded_chain, engine, db_url, tmp_path):
    url, deployment, deployment_path = seeded_chain
    checkpoint = 0
    for _ in range(KILLS):
        checkpoint = _kill_once_it_commits(_start_indexer(url, deployment_path, db_url), engine, checkpoint)

    finished = _start_indexer(url, deployment_path, db_url)
    assert finished.wait(timeout=120) == 0, finished.stderr.read().decode()[-2000:]

    fresh = open_index(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    Indexer(fresh, Endpoint(url), deployment).sync()
    with engine.connect() as conn:
        gig_events = conn.execute(select(func.count()).select_from(db.events).where(db.events.c.gig_id.is_not(None))).scalar()
    assert gig_events == SEEDED_GIGS * EVENTS_PER_GIG
    assert index_contents(engine) == index_contents(fresh)
    fresh.dispose()
