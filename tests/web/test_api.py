"""The query API over HTTP: a real uvicorn on loopback over an index of the gig story on Anvil.

Figures come from the query layer (tested against the chain in tests/index);
these tests check the HTTP contract: routes, filters, paging, CSV, OpenAPI, and
that every bad request gets a 4xx with a clear message, never a 500.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from index.story import Story, tell

from gigledger.testing import AnvilProcess, free_port
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries
from gigledger_node.web.api import create_app

ZERO = "0x" + "00" * 20


@pytest.fixture(scope="module")
def api_story(tmp_path_factory) -> Iterator[tuple[Story, Queries]]:
    """The gig story on Anvil, indexed into SQLite."""
    with AnvilProcess() as anvil:
        story = tell(anvil.url)
        engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('api') / 'index.sqlite'}")
        Indexer(engine, Endpoint(anvil.url), story.deployment).sync()
        yield story, Queries(engine)
        engine.dispose()


@contextmanager
def served(app) -> Iterator[httpx.Client]:
    """An HTTP client of ``app`` served by uvicorn on a free loopback port."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def api(api_story) -> Iterator[httpx.Client]:
    """An HTTP client of the query API over the story, able to audit against its chain."""
    story, queries = api_story
    with served(create_app(queries, rpc_url=story.url, deployment=story.deployment)) as client:
        yield client


@pytest.fixture(scope="module")
def story(api_story) -> Story:
    return api_story[0]


def test_openapi_describes_every_route(api):
    paths = api.get("/openapi.json").json()["paths"]

    assert {
        "/status", "/gigs", "/gigs/{gig_id}", "/accounts/{address}/reputation", "/accounts/{address}/payments",
        "/accounts/{address}/attestations", "/accounts/{address}/audit", "/transactions/{transaction_hash}", "/search",
    } <= set(paths)


def test_status_shows_the_index_at_the_head(api):
    status = api.get("/status").json()

    assert status["lag"] == 0 and status["checkpoint_block"] == status["chain_head"]


def test_gigs_filter_by_state(api, story):
    page = api.get("/gigs", params={"state": "released"}).json()

    assert sorted(g["gig_id"] for g in page["items"]) == sorted([story.gigs["approved"], story.gigs["staged"]])


def test_gigs_filter_by_party_and_token(api, story):
    page = api.get("/gigs", params={"party": story.parties["dave"], "token": ZERO}).json()

    assert sorted(g["gig_id"] for g in page["items"]) == sorted([story.gigs["missed"], story.gigs["working"]])


def test_gigs_filter_by_creation_time(api, story):
    every = api.get("/gigs").json()["items"]
    newest = max(g["created_at"] for g in every)

    page = api.get("/gigs", params={"since": newest}).json()

    assert {g["gig_id"] for g in page["items"]} == {g["gig_id"] for g in every if g["created_at"] == newest}


def test_gigs_page_with_offset_and_limit(api):
    first = api.get("/gigs", params={"limit": 2}).json()
    second = api.get("/gigs", params={"limit": 2, "offset": first["next_offset"]}).json()

    assert first["total"] == 6 and first["next_offset"] == 2
    assert [g["gig_id"] for g in first["items"] + second["items"]] == [6, 5, 4, 3]


def test_a_gig_comes_with_its_whole_timeline(api, story):
    gig = api.get(f"/gigs/{story.gigs['approved']}").json()

    assert [e["name"] for e in gig["timeline"]] == [
        "GigCreated", "GigAccepted", "GigDelivered", "GigReleased", "Attested", "Attested", "AttestationRevoked",
    ]
    assert gig["summary"]["amount"] == str(2 * 10**18)


def test_reputation_amounts_are_decimal_strings(api, story):
    reputation = api.get(f"/accounts/{story.parties['bob']}/reputation").json()

    assert reputation["completed"] == 2 and reputation["volumes"][0]["earned"] == str(47 * 10**17)


def test_payment_history_pages_as_json(api, story):
    page = api.get(f"/accounts/{story.parties['alice']}/payments", params={"limit": 3, "offset": 1}).json()

    assert [p["kind"] for p in page["items"]] == ["deposit", "deposit", "refund"]
    assert page["next_offset"] == 4


def test_payment_history_as_csv_for_auditors(api, story):
    response = api.get(f"/accounts/{story.parties['bob']}/payments", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))

    assert response.headers["content-type"].startswith("text/csv")
    assert [r["kind"] for r in rows] == ["release", "milestone", "release", "resolution"]


def test_audit_verifies_the_account_against_the_chain(api, story):
    report = api.get(f"/accounts/{story.parties['bob']}/audit").json()

    assert report["ok"] is True and len(report["payments"]) == 4


def test_audit_as_csv(api, story):
    response = api.get(f"/accounts/{story.parties['bob']}/audit", params={"format": "csv"})

    assert response.text.splitlines()[0].startswith("block,transaction,log_index")


@pytest.mark.parametrize(
    ("text", "kind"),
    [("1", "gig"), ("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "account")],
)
def test_search_names_what_it_found(api, text, kind):
    assert api.get("/search", params={"q": text}).json()["kind"] == kind


def test_search_finds_a_transaction(api, story):
    tx = api.get(f"/gigs/{story.gigs['approved']}").json()["timeline"][0]["transaction_hash"]

    assert api.get("/search", params={"q": tx}).json() == {"kind": "transaction", "key": tx}
    assert api.get(f"/transactions/{tx}").json()[0]["name"] == "GigCreated"


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/gigs/999", 404, "no gig 999"),
        ("/gigs/0", 404, "gig ids start at 1"),
        ("/gigs/99999999999999999999999999", 404, "no gig"),
        ("/gigs?state=lost", 400, "unknown gig state"),
        ("/gigs?party=0x123", 400, "is not an address"),
        ("/gigs?since=10&until=5", 400, "must be after"),
        ("/gigs?since=-1", 400, "unix time"),
        ("/accounts/0xnothex/reputation", 400, "is not an address"),
        ("/accounts/0x70997970c51812dc3a010c7d01b50e0d17dc79C8/payments", 400, "checksum"),
        ("/transactions/0x12", 400, "not a transaction hash"),
        ("/transactions/0x" + "ab" * 32, 404, "no indexed event"),
        ("/search?q=nothing", 404, "is not an address"),
        ("/search?q=424242", 404, "no gig or indexed block"),
    ],
)
def test_bad_requests_get_a_4xx_naming_the_problem(api, path, status, detail):
    response = api.get(path)

    assert response.status_code == status and detail in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/gigs?limit=0",
        "/gigs?limit=100000",
        "/gigs?offset=-1",
        "/gigs/abc",
        "/gigs?offset=999999999999999999999999",
        "/accounts/0x70997970C51812dc3A010C7d01b50e0d17dc79C8/payments?format=xml",
        "/accounts/0x70997970C51812dc3A010C7d01b50e0d17dc79C8/attestations?limit=-5",
    ],
)
def test_bad_paging_and_types_are_refused_with_4xx(api, path):
    assert 400 <= api.get(path).status_code < 500


def test_an_audit_with_the_chain_down_is_a_502_not_a_500(api_story):
    story, queries = api_story
    app = create_app(queries, rpc_url=f"http://127.0.0.1:{free_port()}", deployment=story.deployment)

    with served(app) as client:
        response = client.get(f"/accounts/{story.parties['bob']}/audit")

    assert response.status_code == 502 and "failed during the audit" in response.json()["detail"]


def test_an_api_without_a_chain_endpoint_cannot_audit(api_story):
    story, queries = api_story

    with served(create_app(queries)) as client:
        response = client.get(f"/accounts/{story.parties['bob']}/audit")

    assert response.status_code == 503 and "--rpc" in response.json()["detail"]


def test_holdings_are_what_the_escrow_holds(api, story):
    from index.story import web3_of

    holdings = api.get("/escrow/holdings").json()["holdings"]

    assert holdings == {ZERO: str(web3_of(story.url).eth.get_balance(story.deployment.escrow))}


def test_the_sdk_auditor_reconciles_the_api_claims_with_the_chain(api, story):
    from index.story import web3_of

    from gigledger.audit import audit_account, claims_from_api

    claimed, held = claims_from_api(str(api.base_url), story.parties["alice"])
    report = audit_account(
        web3_of(story.url), story.deployment, story.parties["alice"], require_seals=False, held=held, claimed=claimed
    )

    assert report.ok and all(row.in_index for row in report.rows) and len(claimed) == len(report.rows)


def gigledger_audit(api: httpx.Client, story: Story, account: str, tmp_path) -> subprocess.CompletedProcess:
    """`gigledger --api URL audit ACCOUNT --json`, the auditor's command, as a subprocess."""
    manifest = tmp_path / "deployment.json"
    story.deployment.save(manifest)
    command = [str(Path(sys.executable).with_name("gigledger")), "--json", "--rpc", story.url,
               "--deployment", str(manifest), "--api", str(api.base_url), "audit", account, "--unsealed"]
    env = {**os.environ, "GIGLEDGER_CACHE": str(tmp_path / "cache")}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_the_audit_command_passes_an_honest_index_behind_the_api(api, story, tmp_path):
    result = gigledger_audit(api, story, story.parties["alice"], tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_the_audit_command_names_a_tampered_index_behind_the_api_and_exits_9(api, api_story, tmp_path):
    from sqlalchemy import select, update

    from gigledger.report import DIFFERS_FROM_CHAIN
    from gigledger_node.index import db

    story, queries = api_story
    with queries.engine.begin() as conn:
        row = conn.execute(
            select(db.payments).where(db.payments.c.account == story.parties["bob"]).order_by(db.payments.c.id)
        ).first()
        conn.execute(update(db.payments).where(db.payments.c.id == row.id).values(amount=row.amount + 1))
    try:
        result = gigledger_audit(api, story, story.parties["bob"], tmp_path)
    finally:
        with queries.engine.begin() as conn:
            conn.execute(update(db.payments).where(db.payments.c.id == row.id).values(amount=row.amount))

    assert result.returncode == 9, result.stdout + result.stderr
    assert DIFFERS_FROM_CHAIN in result.stdout


def test_the_sdk_auditor_reconciles_the_api_record_with_the_proved_registry_record(api, story):
    from index.story import web3_of

    from gigledger.audit import audit_account, record_from_api

    record = record_from_api(str(api.base_url), story.parties["bob"])
    report = audit_account(web3_of(story.url), story.deployment, story.parties["bob"], require_seals=False, record=record)

    assert report.ok, report.mismatches
    assert record.counters["completed"] == report.registry.counters["completed"] > 0


@contextmanager
def tampered(queries, table, where, **changes):
    """The index row of ``table`` matching ``where`` changed by ``changes`` (old value + delta), put back after."""
    from sqlalchemy import select, update

    with queries.engine.begin() as conn:
        row = conn.execute(select(table).where(where)).one()
        conn.execute(update(table).where(where).values({k: getattr(row, k) + d for k, d in changes.items()}))
    try:
        yield
    finally:
        with queries.engine.begin() as conn:
            conn.execute(update(table).where(where).values({k: getattr(row, k) for k in changes}))


def test_the_audit_command_names_a_tampered_reputation_row_behind_the_api_and_exits_9(api, api_story, tmp_path):
    from gigledger.report import REPUTATION_DIFFERS_FROM_CHAIN
    from gigledger_node.index import db

    story, queries = api_story
    bob = story.parties["bob"]
    with tampered(queries, db.reputation, db.reputation.c.account == bob, completed=5):
        result = gigledger_audit(api, story, bob, tmp_path)

    assert result.returncode == 9, result.stdout + result.stderr
    assert REPUTATION_DIFFERS_FROM_CHAIN in result.stdout and "completed" in result.stdout


def test_the_audit_command_names_a_tampered_volume_row_behind_the_api_and_exits_9(api, api_story, tmp_path):
    from gigledger.report import VOLUME_DIFFERS_FROM_CHAIN
    from gigledger_node.index import db

    story, queries = api_story
    bob = story.parties["bob"]
    with tampered(queries, db.volumes, (db.volumes.c.account == bob) & (db.volumes.c.token == ZERO), earned=10**18):
        result = gigledger_audit(api, story, bob, tmp_path)

    assert result.returncode == 9, result.stdout + result.stderr
    assert VOLUME_DIFFERS_FROM_CHAIN in result.stdout


def test_status_says_how_long_ago_the_indexer_wrote_and_its_last_error(api_story):
    from gigledger_node.index.indexer import FollowerHealth

    story, queries = api_story
    health = FollowerHealth()
    health.failed(RuntimeError("HTTP 502 Bad Gateway"))

    with served(create_app(queries, health=health)) as client:
        status = client.get("/status").json()

    assert status["seconds_since_update"] >= 0
    assert "502" in status["last_error"] and status["last_error_at"] > 0
