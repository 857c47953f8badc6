"""The home page: chain head, indexing lag, recent gigs and blocks."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from web3 import Web3

from .story import Story


def test_home_shows_the_chain_head_and_no_lag_once_indexed(page: Page, explorer: str, w3: Web3, screenshot):
    page.goto(explorer)
    head = w3.eth.block_number
    expect(page.locator("[data-figure=head]")).to_have_text(str(head))
    expect(page.locator("[data-figure=indexed]")).to_have_text(str(head))
    expect(page.locator("[data-figure=lag]")).to_have_text("0 blocks")
    screenshot(page, "home-desktop")


def test_home_lists_every_gig_of_the_story_newest_first(page: Page, explorer: str, story: Story):
    page.goto(explorer)
    shown = page.locator("table.gigs tbody tr").evaluate_all("rows => rows.map(r => Number(r.dataset.gig))")
    assert shown == sorted(story.gigs, reverse=True)


def test_home_shows_each_gigs_state(page: Page, explorer: str, story: Story):
    page.goto(explorer)
    for gig_id, gig in story.gigs.items():
        expect(page.locator(f"tr[data-gig='{gig_id}'] .state")).to_have_text(gig.state.name.lower())


def test_home_lists_the_newest_blocks_holding_story_events(page: Page, explorer: str, story: Story, w3: Web3):
    page.goto(explorer)
    last_transaction = max(
        (w3.eth.get_transaction_receipt(tx)["blockNumber"] for txs in story.transactions.values() for _, tx in txs)
    )
    first_row = page.locator("table.blocks tbody tr").first
    expect(first_row).to_have_attribute("data-block", str(last_transaction))


def test_home_links_to_a_gig_page(page: Page, explorer: str):
    page.goto(explorer)
    page.locator("tr[data-gig='1'] td").first.get_by_role("link").click()
    expect(page).to_have_url(f"{explorer}/gig/1")
    expect(page.locator("h1")).to_contain_text("Gig #1")
