"""Finding talent in the explorer: from the home page to a Python freelancer, amounts in each token's units."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .market import Market


def test_a_client_finds_a_python_freelancer_from_the_home_page_in_three_clicks(page: Page, market_explorer: str, market: Market, screenshot):
    page.goto(market_explorer)
    page.get_by_role("link", name="Find talent").click()
    page.locator("tr[data-skill=python]").get_by_role("link", name="python").click()
    screenshot(page, "skill-python-desktop")
    page.locator(".talent-row[data-rank='1']").get_by_role("link").first.click()

    expect(page.locator("h1")).to_contain_text(market.parties["eve"])


def test_the_skill_page_ranks_the_freelancer_with_more_clients_first(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python")

    ranked = page.locator(".talent-row").evaluate_all("rows => rows.map(r => r.dataset.account)")

    assert ranked == [market.parties["eve"], market.parties["bob"]]


def test_the_skill_page_says_why_each_freelancer_ranks_there(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python")

    expect(page.locator(f".talent-row[data-account='{market.parties['eve']}'] [data-field=completed]")).to_have_text(
        "3 python gigs completed for 3 different clients."
    )


def test_the_skill_page_lists_the_open_gigs_of_that_skill(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python")

    expect(page.locator("[data-section=open-gigs] tr[data-gig]")).to_have_count(1)
    expect(page.locator(f"[data-section=open-gigs] tr[data-gig='{market.gigs['open']}']")).to_contain_text("0.5 ETH")


def test_searching_for_a_skill_opens_its_page(page: Page, market_explorer: str):
    page.goto(market_explorer)
    page.fill("#q", "Python")
    page.press("#q", "Enter")

    expect(page.locator("[data-skill-heading]")).to_have_text("python")


def test_searching_for_part_of_a_skill_lists_the_skills_containing_it(page: Page, market_explorer: str):
    page.goto(f"{market_explorer}/find?q=yth")

    expect(page.locator("tr[data-skill]")).to_have_count(1)


def _account_amounts_are_in_token_units(tab: Page, market_explorer: str, market: Market, screenshot, name: str) -> None:
    tab.goto(f"{market_explorer}/account/{market.parties['eve']}")
    screenshot(tab, f"tokens-account-{name}")
    for symbol, shown in (("USDC", "250.5"), ("DAI", "1.25"), ("ETH", "1.1")):
        expect(tab.locator(f"table.earnings tr[data-token={symbol}] [data-field=earned]")).to_have_text(shown)


def test_amounts_of_6_and_18_decimal_tokens_are_shown_in_their_units_on_a_desktop(page: Page, market_explorer: str, market: Market, screenshot):
    _account_amounts_are_in_token_units(page, market_explorer, market, screenshot, "desktop")


def test_amounts_of_6_and_18_decimal_tokens_are_shown_in_their_units_on_a_phone(phone: Page, market_explorer: str, market: Market, screenshot):
    _account_amounts_are_in_token_units(phone, market_explorer, market, screenshot, "phone")


def _gig_amount_is_in_token_units(tab: Page, market_explorer: str, market: Market, screenshot, name: str) -> None:
    tab.goto(f"{market_explorer}/gig/{market.gigs['usdc']}")
    screenshot(tab, f"tokens-gig-usdc-{name}")
    expect(tab.locator("[data-field=amount]")).to_have_text("250.5 USDC")


def test_a_gig_in_a_6_decimal_token_shows_its_amount_with_the_symbol_on_a_desktop(page: Page, market_explorer: str, market: Market, screenshot):
    _gig_amount_is_in_token_units(page, market_explorer, market, screenshot, "desktop")


def test_a_gig_in_a_6_decimal_token_shows_its_amount_with_the_symbol_on_a_phone(phone: Page, market_explorer: str, market: Market, screenshot):
    _gig_amount_is_in_token_units(phone, market_explorer, market, screenshot, "phone")


def test_times_are_shown_in_utc_with_how_long_ago(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/gig/{market.gigs['open']}")

    expect(page.locator("[data-field=deadline]")).to_contain_text("UTC")
    expect(page.locator("[data-field=deadline] .ago")).to_have_text(re.compile(r"^\(in \d+ (days|months)\)$"))


def test_a_reader_can_seed_the_skill_pages_trust_score(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python?trusted={market.parties['alice']}")

    expect(page.locator("[data-rule]")).to_contain_text("seeded from 1 trusted account")


def test_a_malformed_trusted_list_gets_a_friendly_400(page: Page, market_explorer: str):
    response = page.goto(f"{market_explorer}/skill/python?trusted=0x123")

    assert response.status == 400
    expect(page.locator("main")).to_contain_text("is not an address")


def test_a_skill_too_long_for_a_tag_gets_a_friendly_400(page: Page, market_explorer: str):
    assert page.goto(f"{market_explorer}/skill/{'p' * 33}").status == 400


def test_the_account_page_gives_the_trust_score(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/account/{market.parties['eve']}")

    expect(page.locator("[data-fact=trust]")).to_contain_text("seeded from the platform fees clients paid")


def test_the_account_page_counts_distinct_counterparties(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/account/{market.parties['eve']}")

    expect(page.locator("[data-fact=counterparties]")).to_have_text(
        "Settled gigs with 3 different accounts, 3 of them paying clients."
    )
