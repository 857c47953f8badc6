"""The market in the browser: a skill page's open offers, finding people by name
(namesakes, impostors and hostile search text), and hiring from an offer page with
the command it shows."""

from __future__ import annotations

import shlex
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from .market import HOSTILE_NAME, Market

# ---------------------------------------------------------------- a skill's open offers


def offer_rows(page: Page):
    return page.locator("[data-section=offers] tr[data-offer]")


def test_the_skill_page_lists_ranked_freelancers_offers_before_offers_without_evidence(page: Page, market_explorer: str, market: Market):
    """mallory's offer is the newest, but mallory never completed a gig: it lists last."""
    page.goto(f"{market_explorer}/skill/python")

    listed = offer_rows(page).evaluate_all("rows => rows.map(r => Number(r.dataset.offer))")

    assert listed == [market.offers["eve"], market.offers["bob"], market.offers["mallory"]]


def test_the_skill_page_leaves_out_withdrawn_offers(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python")

    expect(page.locator(f"[data-section=offers] tr[data-offer='{market.offers['withdrawn']}']")).to_have_count(0)


@pytest.mark.parametrize(("who", "price"), [("eve", "300 USDC"), ("bob", "0.3 ETH")])
def test_an_offers_price_is_shown_in_its_tokens_units(page: Page, market_explorer: str, market: Market, who, price):
    page.goto(f"{market_explorer}/skill/python")

    expect(page.locator(f"tr[data-offer='{market.offers[who]}'] [data-field=price]")).to_have_text(price)


def test_an_offer_row_names_the_freelancer_and_their_rank(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python")
    row = page.locator(f"tr[data-offer='{market.offers['eve']}']")

    expect(row.locator(f"a[title='{market.parties['eve']}']")).to_be_visible()
    expect(row.locator("[data-field=rank]")).to_have_text("ranked #1")


def test_the_skill_page_gives_each_ranked_freelancer_the_name_their_profile_claims(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python")

    expect(page.locator(f".talent-row[data-account='{market.parties['eve']}'] [data-field=profile-name]")).to_have_text("Eve Adams")


def test_an_offer_row_gives_the_freelancers_profile_name(page: Page, market_explorer: str, market: Market):
    page.goto(f"{market_explorer}/skill/python")

    expect(page.locator(f"tr[data-offer='{market.offers['mallory']}'] [data-field=profile-name]")).to_have_text("Eve Adams")


def test_an_offer_row_links_to_the_offer_page(page: Page, market_explorer: str, market: Market, screenshot):
    page.goto(f"{market_explorer}/skill/python")
    screenshot(page, "skill-python-offers-desktop")
    page.locator(f"tr[data-offer='{market.offers['bob']}'] [data-field=offer]").click()

    expect(page.locator("h1")).to_contain_text(f"Offer #{market.offers['bob']}")


def test_a_gig_hired_from_an_offer_is_not_listed_as_waiting_for_a_freelancer(page: Page, market_explorer: str, market: Market):
    """It is open until its freelancer accepts, but it names that freelancer."""
    page.goto(f"{market_explorer}/skill/python")

    expect(page.locator("[data-section=open-gigs] tr[data-gig]")).to_have_count(1)


# ---------------------------------------------------------------- people by name


def find(page: Page, explorer: str, text: str):
    return page.goto(f"{explorer}/find?q={quote(text, safe='')}")


def test_a_name_two_identities_share_lists_both_with_their_evidence(page: Page, market_explorer: str, market: Market, screenshot):
    """mallory copied eve's name: the search lists both, eve (3 completed gigs) first."""
    find(page, market_explorer, "eve adams")
    screenshot(page, "search-namesakes-desktop")

    listed = page.locator("tr[data-person]").evaluate_all("rows => rows.map(r => r.dataset.person)")
    assert listed == [market.parties["eve"], market.parties["mallory"]]
    expect(page.locator(f"tr[data-person='{market.parties['mallory']}'] [data-field=completed]")).to_have_text("0")


def test_a_unique_name_opens_the_persons_account_page(page: Page, market_explorer: str, market: Market):
    find(page, market_explorer, "Grace Hopper")

    expect(page).to_have_url(f"{market_explorer}/account/{market.parties['grace']}")


def test_part_of_a_unique_name_opens_the_persons_account_page(page: Page, market_explorer: str, market: Market):
    find(page, market_explorer, "hopp")

    expect(page.locator("[data-field=profile-name]")).to_have_text("Grace Hopper")


def test_a_name_both_accounts_of_one_identity_use_opens_the_one_with_more_evidence(page: Page, market_explorer: str, market: Market):
    find(page, market_explorer, "Bob Stone")

    expect(page).to_have_url(f"{market_explorer}/account/{market.parties['bob']}")


def test_the_search_box_finds_a_name(page: Page, market_explorer: str, market: Market):
    page.goto(market_explorer)
    page.get_by_role("searchbox").fill("Grace")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(f"{market_explorer}/account/{market.parties['grace']}")


def test_like_wildcards_in_a_search_match_only_themselves(page: Page, market_explorer: str, market: Market):
    """Only frank's name holds % and _ (in its word 100%_off)."""
    find(page, market_explorer, "100%_")

    expect(page).to_have_url(f"{market_explorer}/account/{market.parties['frank']}")


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_a_like_wildcard_alone_finds_nobody(page: Page, market_explorer: str, wildcard):
    """No word of any name starts with it; were it a wildcard, every profile would match."""
    response = find(page, market_explorer, wildcard)

    assert response.status == 404


def test_a_name_made_of_html_is_shown_as_text(page: Page, market_explorer: str, market: Market):
    find(page, market_explorer, "<b>Frank")

    expect(page.locator("[data-field=profile-name]")).to_have_text(HOSTILE_NAME)
    expect(page.locator("[data-field=profile-name] b")).to_have_count(0)


@pytest.mark.parametrize(
    "text",
    ["' OR '1'='1", "\"; DROP TABLE profiles; --", "<script>alert(1)</script>", "Robert'); --", "\\", "名前"],
)
def test_hostile_search_text_gets_a_friendly_nothing_found(page: Page, market_explorer: str, text):
    response = find(page, market_explorer, text)

    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Nothing found")
    expect(page.locator(".notice")).to_contain_text(text)


def test_the_profiles_survive_a_search_for_sql(page: Page, market_explorer: str, market: Market):
    find(page, market_explorer, "x'; DELETE FROM profiles; --")
    find(page, market_explorer, "Grace Hopper")

    expect(page).to_have_url(f"{market_explorer}/account/{market.parties['grace']}")


def test_search_text_longer_than_any_name_gets_a_friendly_400(page: Page, market_explorer: str):
    response = find(page, market_explorer, "eve " * 1000)

    assert response.status == 400
    expect(page.locator(".notice")).to_contain_text("no profile name is longer than 100")


def test_search_text_with_control_characters_gets_a_friendly_400(page: Page, market_explorer: str):
    response = find(page, market_explorer, "eve\x00adams")

    assert response.status == 400
    expect(page.locator(".notice")).to_contain_text("control characters")


# ---------------------------------------------------------------- hiring from an offer


def test_a_client_hires_from_an_offer_by_running_the_command_its_page_shows(
    page: Page, market_explorer: str, market: Market, market_cli, market_indexer, screenshot
):
    offer_id = market.offers["eve_sql"]
    page.goto(f"{market_explorer}/offer/{offer_id}")
    screenshot(page, "offer-hire-command-desktop")
    command = shlex.split(page.locator("[data-field=hire-command]").inner_text())
    assert command[:4] == ["gigledger", "hire", str(offer_id), "--max-price"] and "--offer-hash" in command

    hired = market_cli(*command[1:], account="grace")
    assert hired.returncode == 0, hired.stderr
    market_indexer.sync()

    page.reload()
    page.locator("[data-field=gig] a").first.click()
    expect(page.locator("[data-field=freelancer] a")).to_have_attribute("title", market.parties["eve"])
    expect(page.locator("[data-field=client] a")).to_have_attribute("title", market.parties["grace"])
    expect(page.locator("[data-field=amount]")).to_have_text("40 USDC")
    gig_id = page.url.rsplit("/", 1)[1]
    page.goto(f"{market_explorer}/account/{market.parties['eve']}")
    expect(page.locator(f"tr[data-gig='{gig_id}']")).to_be_visible()


# ---------------------------------------------------------------- phones


MARKET_PAGES = {
    "skill-python": "/skill/python",
    "search-namesakes": "/find?q=eve%20adams",
    "offer": "/offer/{offer}",
}


@pytest.mark.parametrize("name", MARKET_PAGES)
def test_market_page_fits_a_phone_screen_without_sideways_scrolling(phone: Page, market_explorer: str, market: Market, name, screenshot):
    phone.goto(market_explorer + MARKET_PAGES[name].format(offer=market.offers["eve"]))
    screenshot(phone, f"{name}-phone")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
