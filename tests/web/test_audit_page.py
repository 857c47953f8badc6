"""The audit report page: every payment of an account checked against the chain, printable."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .story import Story


def test_audit_page_verifies_every_payment_of_the_account(page: Page, explorer: str, story: Story, parties, screenshot):
    alice = parties["alice"]
    page.goto(f"{explorer}/account/{alice}")
    payments = page.locator("table.payments tbody tr").count()
    page.get_by_role("link", name="Audit this account's payments").click()
    expect(page).to_have_url(f"{explorer}/account/{alice}/audit")
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "ok")
    expect(page.locator("table.audit-rows tbody tr")).to_have_count(payments)
    screenshot(page, "audit-desktop")


def test_audit_page_prints_without_the_site_chrome(page: Page, explorer: str, parties, screenshot):
    page.goto(f"{explorer}/account/{parties['bob']}/audit")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("[data-verdict]")).to_be_visible()
    screenshot(page, "audit-print")


def test_audit_of_a_malformed_address_gets_status_400(page: Page, explorer: str):
    assert page.goto(f"{explorer}/account/not-an-address/audit").status == 400
