"""The indexer outlives a flaky endpoint: 5xx, timeouts, -32000 and outages are retried and waited out."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from gigledger_node.index.commands import IndexerStopped, follow_in_background, run_indexer
from gigledger_node.index.endpoint import Endpoint, EndpointTimeout, RangeTooLarge, ServerError
from gigledger_node.index.indexer import FollowerHealth
from gigledger_node.index.queries import Queries

from .proxy import flaky, outage, rpc_proxy, server_error_first, slow_first
from .story import ETHER, WEEK, deploy_contracts, ledgers


def test_a_flaky_502_is_retried(story):
    with rpc_proxy(story.url, flaky(2)) as url:
        endpoint = Endpoint(url)
        heads = [endpoint.head() for _ in range(4)]

    assert len(set(heads)) == 1


def test_a_json_rpc_server_error_is_retried(story):
    with rpc_proxy(story.url, server_error_first(2)) as url:
        assert Endpoint(url).chain_id() == 31337


def test_a_timeout_is_retried_not_read_as_a_range_too_large(story):
    with rpc_proxy(story.url, slow_first(1, 1.0)) as url:
        logs = Endpoint(url, timeout=0.3).logs([story.deployment.escrow], story.deployment.block, story.deployment.block + 50)

    assert logs


def test_a_timeout_that_persists_is_an_endpoint_timeout(story):
    with rpc_proxy(story.url, slow_first(10, 0.5)) as url:
        with pytest.raises(EndpointTimeout) as raised:
            Endpoint(url, timeout=0.1).logs([story.deployment.escrow], 0, 10)

    assert not isinstance(raised.value, RangeTooLarge)


def test_the_background_indexer_outlives_an_outage_and_records_it(anvil, db_url, engine, wait_for_gig):
    deployment = deploy_contracts(anvil)
    down = threading.Event()
    health = FollowerHealth()
    with rpc_proxy(anvil, outage(down)) as url:
        thread, stop = follow_in_background(url, deployment, db_url, poll_interval=0.05, health=health)
        try:
            down.set()
            deadline = time.monotonic() + 20
            while health.last_error is None and time.monotonic() < deadline:
                time.sleep(0.05)
            down.clear()
            people = ledgers(anvil, deployment)
            gig_id = people["alice"].create_gig(ETHER, arbiter=people["carol"].address, deadline=WEEK).gig_id

            assert wait_for_gig(Queries(engine), gig_id).summary.state == "OPEN"
            assert thread.is_alive() and "ServerError" in health.last_error
        finally:
            stop.set()
            thread.join(timeout=10)


@pytest.fixture
def manifest(story, tmp_path):
    """The story's deployment manifest, as a file."""
    path = tmp_path / "deployment.json"
    story.deployment.save(path)
    return path


@pytest.fixture
def dead_endpoint(story):
    """A proxy of the story's chain that answers every request with HTTP 502; yields its URL."""
    down = threading.Event()
    down.set()
    with rpc_proxy(story.url, outage(down)) as url:
        yield url


def test_a_one_off_backfill_against_a_failing_endpoint_stops_with_a_clear_error(dead_endpoint, manifest, tmp_path):
    with pytest.raises(IndexerStopped, match="kept failing"):
        run_indexer(dead_endpoint, manifest, f"sqlite:///{tmp_path / 'index.sqlite'}", follow=False)


def test_the_index_command_exits_3_without_a_traceback_when_the_endpoint_keeps_failing(dead_endpoint, manifest, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gigledger_node.cli", "index", "--deployment", str(manifest), "--rpc", dead_endpoint,
         "--data-dir", str(tmp_path), "--no-follow"],
        capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr and "kept failing" in result.stderr


def test_a_5xx_is_a_server_error(story):
    down = threading.Event()
    down.set()
    with rpc_proxy(story.url, outage(down, 503)) as url:
        with pytest.raises(ServerError):
            Endpoint(url).head()
