"""A standalone `gigledger-node index` and a separate API: /status reports the indexer's
last error and its last successful poll, with their ages, from the index database.

The adversary is an operator's own flaky endpoint (HTTP 502 while ``down`` is set)
and an API that used to look current while its indexer, in another process,
was failing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gigledger_node.index.db import open_index
from gigledger_node.index.health import FollowerHealth
from gigledger_node.web.api import web_app

from .proxy import outage, rpc_proxy
from .story import deploy_contracts


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.1)


@pytest.fixture
def standalone_indexer(anvil, db_url, tmp_path) -> Iterator[threading.Event]:
    """`gigledger-node index --follow` in its own process, through a proxy of a fresh chain
    that fails with 502 while the yielded event is set."""
    manifest = tmp_path / "deployment.json"
    deploy_contracts(anvil).save(manifest)
    down = threading.Event()
    with rpc_proxy(anvil, outage(down)) as url:
        process = subprocess.Popen(
            [sys.executable, "-m", "gigledger_node.cli", "index", "--rpc", url, "--deployment", str(manifest),
             "--db", db_url, "--poll-interval", "0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            yield down
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def api_status(db_url):
    """GET /status of an API on the same database, in this process (not the indexer's)."""
    with TestClient(web_app(db_url)) as client:
        yield lambda: client.get("/status").json()


def _indexing(status: dict) -> bool:
    return "checkpoint_block" in status and status.get("last_success_at") is not None


def test_a_separate_api_reports_the_standalone_indexers_last_error_and_its_age(standalone_indexer, api_status):
    down = standalone_indexer
    _wait_for(lambda: _indexing(api_status()))
    down.set()
    _wait_for(lambda: api_status().get("last_error") is not None)

    status = api_status()

    assert "ServerError" in status["last_error"]
    assert status["seconds_since_error"] >= 0 and status["last_error_at"] >= status["last_success_at"]


def test_a_separate_api_reports_the_age_of_the_last_successful_poll_while_the_endpoint_fails(standalone_indexer, api_status):
    down = standalone_indexer
    _wait_for(lambda: _indexing(api_status()))
    down.set()
    _wait_for(lambda: api_status().get("last_error") is not None)
    stalled = api_status()["last_success_at"]
    time.sleep(1.5)

    status = api_status()

    assert status["last_success_at"] == stalled and status["seconds_since_success"] >= 1


def test_the_last_success_moves_past_the_error_once_the_endpoint_recovers(standalone_indexer, api_status):
    down = standalone_indexer
    _wait_for(lambda: _indexing(api_status()))
    down.set()
    _wait_for(lambda: api_status().get("last_error") is not None)
    down.clear()

    _wait_for(lambda: api_status()["last_success_at"] > api_status()["last_error_at"])


def test_health_survives_in_the_database(db_url):
    engine = open_index(db_url)
    health = FollowerHealth()
    health.failed(RuntimeError("boom"))
    health.save(engine)

    stored = FollowerHealth.load(engine)
    engine.dispose()
    assert stored.last_error == "RuntimeError: boom" and stored.last_error_at == int(health.last_error_at)
