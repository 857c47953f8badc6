"""Every page fits a phone screen and works without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .story import Story

PAGES = {
    "home": "/",
    "gig": "/gig/2",
    "account": "/account/{bob}",
    "audit": "/account/{bob}/audit",
    "transaction": "/tx/{transaction}",
    "not-found": "/account/0x" + "12" * 20,
}


def page_path(name: str, story: Story) -> str:
    return PAGES[name].format(bob=story.parties["bob"], transaction=story.transactions[1][0][1])


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_screen_without_sideways_scrolling(phone: Page, explorer: str, story: Story, name, screenshot):
    phone.goto(explorer + page_path(name, story))
    screenshot(phone, f"{name}-phone")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_account_page_works_without_javascript(no_script_page: Page, explorer: str, story: Story):
    no_script_page.goto(explorer + page_path("account", story))
    expect(no_script_page.locator("[data-chart] .bar").first).to_be_visible()
    expect(no_script_page.locator("[data-fact=on-time]")).to_be_visible()


def test_search_works_without_javascript(no_script_page: Page, explorer: str):
    no_script_page.goto(explorer)
    no_script_page.get_by_role("searchbox").fill("1")
    no_script_page.get_by_role("button", name="Search").click()
    expect(no_script_page).to_have_url(f"{explorer}/gig/1")
