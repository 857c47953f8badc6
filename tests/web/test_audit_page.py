"""The audit report page: every payment of an account checked against the chain, printable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from gigledger.report import DIFFERS_FROM_CHAIN, REPUTATION_DIFFERS_FROM_CHAIN
from gigledger_node.index import db
from gigledger_node.index.queries import Queries


@contextmanager
def payout_inflated(queries: Queries, account: str) -> Iterator[str]:
    """The account's first payout inflated by one wei in the index while inside; yields its transaction hash."""
    payments = db.payments
    with queries.engine.begin() as conn:
        row = conn.execute(
            select(payments).where(payments.c.account == account).order_by(payments.c.id).limit(1)
        ).one()
        conn.execute(update(payments).where(payments.c.id == row.id).values(amount=row.amount + 1))
    try:
        yield row.transaction_hash
    finally:
        with queries.engine.begin() as conn:
            conn.execute(update(payments).where(payments.c.id == row.id).values(amount=row.amount))


@pytest.fixture
def tampered_payout(queries: Queries, parties, explorer: str) -> Iterator[str]:
    """Bob's first payout inflated by one wei in the index; yields its transaction hash."""
    with payout_inflated(queries, parties["bob"]) as transaction_hash:
        yield transaction_hash


def test_audit_page_verifies_every_payment_of_the_account(page: Page, explorer: str, parties, screenshot):
    alice = parties["alice"]
    page.goto(f"{explorer}/account/{alice}")
    payments = page.locator("table.payments tbody tr").count()
    page.get_by_role("link", name="Audit this account's payments").click()
    expect(page).to_have_url(f"{explorer}/account/{alice}/audit")
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "ok")
    expect(page.locator("table.audit-rows tbody tr")).to_have_count(payments)
    expect(page.locator("table.audit-rows [data-verified=no]")).to_have_count(0)
    screenshot(page, "audit-desktop")


def test_audit_page_names_a_payment_the_index_got_wrong(page: Page, explorer: str, parties, tampered_payout, screenshot):
    page.goto(f"{explorer}/account/{parties['bob']}/audit")
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "mismatch")
    expect(page.locator(f"[data-mismatch='{DIFFERS_FROM_CHAIN}']")).to_contain_text("amount")
    expect(page.locator("tr.bad-row a.hash")).to_have_attribute("title", tampered_payout)
    screenshot(page, "audit-mismatch-desktop")


def test_account_page_marks_a_payment_the_audit_found_wrong(page: Page, explorer: str, parties, tampered_payout):
    bob = parties["bob"]
    page.goto(f"{explorer}/account/{bob}/audit")
    page.get_by_role("link", name="Back to the account").click()
    wrong = page.locator("table.payments tbody tr").filter(has=page.locator("[data-verified=no]"))
    expect(wrong).to_have_count(1)
    expect(wrong.locator("a.hash")).to_have_attribute("title", tampered_payout)


def test_audit_page_prints_without_the_site_chrome(page: Page, explorer: str, parties, screenshot):
    page.goto(f"{explorer}/account/{parties['bob']}/audit")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".actions")).to_be_hidden()
    expect(page.locator("[data-verdict]")).to_be_visible()
    screenshot(page, "audit-print")


def test_audit_of_a_malformed_address_gets_status_400(page: Page, explorer: str):
    assert page.goto(f"{explorer}/account/not-an-address/audit").status == 400


def test_account_page_turns_a_payment_red_as_soon_as_its_row_is_tampered(page: Page, explorer: str, parties, queries):
    bob = parties["bob"]
    page.goto(f"{explorer}/account/{bob}")
    expect(page.locator("table.payments [data-verified=no]")).to_have_count(0)

    with payout_inflated(queries, bob) as transaction_hash:
        page.goto(f"{explorer}/account/{bob}")
        wrong = page.locator("table.payments tbody tr").filter(has=page.locator("[data-verified=no]"))
        expect(wrong).to_have_count(1)
        expect(wrong.locator("a.hash")).to_have_attribute("title", transaction_hash)

    page.goto(f"{explorer}/account/{bob}")
    expect(page.locator("table.payments [data-verified=no]")).to_have_count(0)


def test_account_and_audit_pages_offer_a_proof_bundle_that_verifies_offline(page: Page, explorer: str, parties, w3, tmp_path):
    from gigledger.bundle import verify_bundle

    bob = parties["bob"]
    page.goto(f"{explorer}/account/{bob}/audit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Proof bundle (offline check)").click()
    path = tmp_path / "bundle.json"
    download.value.save_as(path)
    page.goto(f"{explorer}/account/{bob}")
    expect(page.get_by_role("link", name="Proof bundle (offline check)")).to_be_visible()

    genesis = w3.provider.make_request("eth_getBlockByNumber", ["0x0", False])["result"]["hash"]
    report = verify_bundle(path, genesis)
    assert report.ok, report.mismatches
    assert report.authorities and report.rows


@contextmanager
def completions_inflated(queries: Queries, account: str) -> Iterator[None]:
    """The account's completed count one higher in the index's reputation row while inside."""
    reputation = db.reputation
    with queries.engine.begin() as conn:
        before = conn.execute(select(reputation.c.completed).where(reputation.c.account == account)).scalar_one()
        conn.execute(update(reputation).where(reputation.c.account == account).values(completed=before + 1))
    try:
        yield
    finally:
        with queries.engine.begin() as conn:
            conn.execute(update(reputation).where(reputation.c.account == account).values(completed=before))


def test_account_page_marks_the_record_verified_when_the_index_rows_match(page: Page, explorer: str, parties):
    page.goto(f"{explorer}/account/{parties['bob']}")
    expect(page.locator("[data-record] [data-verified]")).to_have_attribute("data-verified", "yes")


def test_account_page_turns_the_record_red_on_a_tampered_reputation_row(page: Page, explorer: str, parties, queries):
    bob = parties["bob"]
    with completions_inflated(queries, bob):
        page.goto(f"{explorer}/account/{bob}")
        expect(page.locator("[data-record] [data-verified]")).to_have_attribute("data-verified", "no")
        page.goto(f"{explorer}/account/{bob}/audit")
        expect(page.locator(f"[data-mismatch='{REPUTATION_DIFFERS_FROM_CHAIN}']")).to_contain_text("completed")
        expect(page.locator("section[data-record]")).to_have_attribute("data-record", "mismatch")
