"""The search box, and friendly pages for unknown and malformed input."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .story import Story


def search(page: Page, explorer: str, text: str) -> None:
    page.goto(explorer)
    page.get_by_role("searchbox").fill(text)
    page.get_by_role("button", name="Search").click()


def test_search_finds_an_address(page: Page, explorer: str, parties):
    search(page, explorer, parties["bob"].lower())
    expect(page).to_have_url(f"{explorer}/account/{parties['bob']}")


def test_search_finds_a_gig_by_id(page: Page, explorer: str):
    search(page, explorer, "3")
    expect(page).to_have_url(f"{explorer}/gig/3")
    expect(page.locator("h1")).to_contain_text("Gig #3")


def test_search_finds_a_transaction(page: Page, explorer: str, story: Story, screenshot):
    _, created = story.transactions[2][0]
    search(page, explorer, created)
    expect(page).to_have_url(f"{explorer}/tx/{created}")
    expect(page.locator("li[data-event=GigCreated]")).to_contain_text("gig #2")
    screenshot(page, "transaction-desktop")


def test_search_finds_a_block_by_number(page: Page, explorer: str, story: Story, w3, screenshot):
    _, resolved = story.transactions[5][-1]
    number = w3.eth.get_transaction_receipt(resolved)["blockNumber"]
    assert number not in story.gigs  # else the number names a gig first
    search(page, explorer, str(number))
    expect(page).to_have_url(f"{explorer}/block/{number}")
    expect(page.locator(".timeline li a.hash").first).to_have_attribute("title", resolved)
    screenshot(page, "block-desktop")


def test_unknown_address_shows_a_friendly_page_with_status_404(page: Page, explorer: str, screenshot):
    response = page.goto(f"{explorer}/account/0x{'12' * 20}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    expect(page.get_by_role("link", name="recent gigs")).to_be_visible()
    screenshot(page, "not-found-desktop")


def test_unknown_gig_shows_a_friendly_page_with_status_404(page: Page, explorer: str):
    response = page.goto(f"{explorer}/gig/999999")
    assert response.status == 404
    expect(page.locator(".notice")).to_contain_text("No gig 999999")


def test_unknown_transaction_shows_a_friendly_page_with_status_404(page: Page, explorer: str):
    response = page.goto(f"{explorer}/tx/0x{'ab' * 32}")
    assert response.status == 404


def test_searching_for_nothing_known_shows_a_friendly_page_with_status_404(page: Page, explorer: str):
    search(page, explorer, "0x" + "cd" * 32)
    expect(page.locator("h1")).to_have_text("Nothing found")


def test_malformed_address_gets_status_400_and_a_friendly_page(page: Page, explorer: str, screenshot):
    response = page.goto(f"{explorer}/account/0x1234")
    assert response.status == 400
    expect(page.locator(".notice")).to_contain_text("is not an address")
    screenshot(page, "bad-input-desktop")


def test_malformed_gig_id_gets_status_400(page: Page, explorer: str):
    assert page.goto(f"{explorer}/gig/seven").status == 400


def test_a_gig_id_in_digits_that_are_not_ascii_gets_status_400(page: Page, explorer: str):
    assert page.goto(f"{explorer}/gig/%C2%B2").status == 400  # '²': str.isdigit() holds, int() fails


def test_gig_id_too_large_to_index_gets_status_404(page: Page, explorer: str):
    assert page.goto(f"{explorer}/gig/{2**256 - 1}").status == 404


def test_malformed_transaction_hash_gets_status_400(page: Page, explorer: str):
    assert page.goto(f"{explorer}/tx/0xnothex").status == 400


def test_search_for_gibberish_gets_a_friendly_page(page: Page, explorer: str):
    search(page, explorer, "hello world")
    expect(page.locator(".notice")).to_be_visible()


def test_a_page_that_does_not_exist_gets_a_friendly_404(page: Page, explorer: str):
    response = page.goto(f"{explorer}/no/such/page")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("No such page")
