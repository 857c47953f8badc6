"""The auditor checks the index's payment history against the chain and names every mismatch."""

from __future__ import annotations

import csv
import io
import json

import pytest
from eth_account import Account
from sqlalchemy import delete, select, update

from gigledger import audit
from gigledger.deployment import Deployment
from gigledger_node.index import db
from gigledger_node.index.audit import audit_from_index
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries

from .proxy import rpc_proxy
from .story import ETHER, WEEK, ledgers, web3_of


def _audit(queries, story, party: str, url: str | None = None, authorities=None):
    return audit_from_index(
        queries, web3_of(url or story.url), story.deployment, story.parties[party], authorities=authorities
    )


def _first_payment_of(engine, account: str):
    with engine.connect() as conn:
        return conn.execute(
            select(db.payments).where(db.payments.c.account == account).order_by(db.payments.c.id).limit(1)
        ).one()


def _names(report) -> set[str]:
    return {m.name for m in report.mismatches}


@pytest.mark.parametrize("party", ["alice", "bob"])
def test_an_untouched_index_passes_the_audit(queries, story, party):
    report = _audit(queries, story, party)

    assert report.ok, report.mismatches
    assert report.rows and all(r.log_in_receipt and r.receipts_root and r.in_index for r in report.rows)


def test_a_chain_without_authorities_is_reported_unsealed(queries, story):
    report = _audit(queries, story, "bob")

    assert report.authorities == [] and {r.seal for r in report.rows} == {audit.UNSEALED_CHAIN}


def test_a_changed_amount_is_caught_and_named(queries, story):
    row = _first_payment_of(queries.engine, story.parties["bob"])
    with queries.engine.begin() as conn:
        conn.execute(update(db.payments).where(db.payments.c.id == row.id).values(amount=row.amount + 1))

    report = _audit(queries, story, "bob")

    assert _names(report) == {audit.DIFFERS_FROM_CHAIN}
    assert f"amount: index {row.amount + 1}, chain {row.amount}" in report.mismatches[0].detail


def test_a_deleted_payment_is_caught_and_named(queries, story):
    row = _first_payment_of(queries.engine, story.parties["bob"])
    with queries.engine.begin() as conn:
        conn.execute(delete(db.payments).where(db.payments.c.id == row.id))

    report = _audit(queries, story, "bob")

    assert _names(report) == {audit.MISSING_FROM_INDEX}
    assert report.mismatches[0].transaction_hash == row.transaction_hash


def test_a_fake_payment_is_caught_and_named(queries, story):
    row = _first_payment_of(queries.engine, story.parties["bob"])
    fake = {c: getattr(row, c) for c in row._fields if c != "id"} | {"transaction_hash": "0x" + "ab" * 32}
    with queries.engine.begin() as conn:
        conn.execute(db.payments.insert(), [fake])

    report = _audit(queries, story, "bob")

    assert _names(report) == {audit.NOT_ON_CHAIN}
    assert report.mismatches[0].transaction_hash == "0x" + "ab" * 32


def test_a_wrong_escrow_holding_is_caught_and_named(queries, story):
    with queries.engine.begin() as conn:
        conn.execute(update(db.holdings).values(amount=5 * ETHER))

    report = _audit(queries, story, "alice")

    assert _names(report) == {audit.ESCROW_BALANCE_MISMATCH}


def test_a_node_lying_about_receipts_is_caught(queries, story):
    def forge_receipts(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getBlockReceipts" and answer.get("result"):
            answer["result"][0]["cumulativeGasUsed"] = hex(int(answer["result"][0]["cumulativeGasUsed"], 16) + 1)
        return answer

    with rpc_proxy(story.url, rewrite=forge_receipts) as url:
        report = _audit(queries, story, "bob", url)

    assert _names(report) == {audit.RECEIPTS_ROOT_MISMATCH}


def test_a_node_lying_about_a_header_is_caught(queries, story):
    def forge_header(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getBlockByHash" and answer.get("result"):
            answer["result"]["gasUsed"] = hex(int(answer["result"]["gasUsed"], 16) + 1)
        return answer

    with rpc_proxy(story.url, rewrite=forge_header) as url:
        report = _audit(queries, story, "bob", url)

    assert audit.HEADER_HASH_MISMATCH in _names(report)


def test_the_report_renders_as_csv_and_json(queries, story):
    report = _audit(queries, story, "bob")

    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    document = json.loads(report.to_json())
    assert len(rows) == len(report.rows) == len(document["payments"])
    assert rows[0]["status"] == "ok" and document["ok"] is True


# ---------------------------------------------------------------- on the node, with real seals


@pytest.fixture(scope="module")
def sealed_payments(dev_node, tmp_path_factory):
    """One approved gig on the dev node, indexed into SQLite: (url, deployment, queries, freelancer)."""
    url, manifest = dev_node
    deployment = Deployment.load(manifest)
    people = ledgers(url, deployment)
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    gig = alice.create_gig(ETHER, freelancer=bob.address, arbiter=carol.address, deadline=WEEK).gig_id
    bob.accept(gig)
    bob.deliver(gig)
    alice.approve(gig)
    engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('sealed') / 'index.sqlite'}")
    Indexer(engine, Endpoint(url), deployment).sync()
    yield url, deployment, Queries(engine), bob.address
    engine.dispose()


def test_payments_on_the_node_are_sealed_by_its_genesis_authority(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments

    report = audit_from_index(queries, web3_of(url), deployment, freelancer)

    assert report.ok, report.mismatches
    assert len(report.authorities) == 1
    assert {r.seal for r in report.rows} == {f"sealed by {report.authorities[0]}"}


def test_blocks_sealed_by_someone_not_listed_are_named(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments
    stranger = Account.create().address

    report = audit_from_index(queries, web3_of(url), deployment, freelancer, authorities=[stranger])

    assert _names(report) == {audit.SEAL_NOT_BY_AUTHORITY}
