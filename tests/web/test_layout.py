"""Every page fits a phone screen and works without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from web3 import Web3

from .story import Story

PAGES = {
    "home": "/",
    "gig": "/gig/2",
    "account": "/account/{bob}",
    "audit": "/account/{bob}/audit",
    "transaction": "/tx/{transaction}",
    "block": "/block/{block}",
    "not-found": "/account/0x" + "12" * 20,
}


def page_path(name: str, story: Story, w3: Web3) -> str:
    """The path of one kind of page, for the story's bob and its first transaction."""
    transaction = story.transactions[1][0][1]
    block = w3.eth.get_transaction_receipt(transaction)["blockNumber"]
    return PAGES[name].format(bob=story.parties["bob"], transaction=transaction, block=block)


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_screen_without_sideways_scrolling(phone: Page, explorer: str, story: Story, w3: Web3, name, screenshot):
    phone.goto(explorer + page_path(name, story, w3))
    screenshot(phone, f"{name}-phone")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_account_page_works_without_javascript(no_script_page: Page, explorer: str, story: Story, w3: Web3):
    no_script_page.goto(explorer + page_path("account", story, w3))
    expect(no_script_page.locator("[data-chart] .bar").first).to_be_visible()
    expect(no_script_page.locator("[data-fact=on-time]")).to_be_visible()


def test_search_works_without_javascript(no_script_page: Page, explorer: str):
    no_script_page.goto(explorer)
    no_script_page.get_by_role("searchbox").fill("1")
    no_script_page.get_by_role("button", name="Search").click()
    expect(no_script_page).to_have_url(f"{explorer}/gig/1")
