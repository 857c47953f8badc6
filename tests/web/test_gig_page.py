"""A gig's page: parties, money, hashes, milestones and the timeline of its events."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from gigledger.amounts import ETH_DECIMALS, format_units

from .story import Story

#: Gig 1 of the story: approved on time, both parties attested.
APPROVED = 1
#: Gig 2 of the story: paid in two milestones.
MILESTONES = 2


def test_gig_page_names_its_parties(page: Page, explorer: str, story: Story):
    gig = story.gigs[APPROVED]
    page.goto(f"{explorer}/gig/{APPROVED}")
    for role in ("client", "freelancer", "arbiter"):
        expect(page.locator(f"[data-field={role}] a")).to_have_attribute("title", getattr(gig, role))


def test_gig_page_shows_amount_token_and_hashes(page: Page, explorer: str, story: Story, screenshot):
    gig = story.gigs[APPROVED]
    page.goto(f"{explorer}/gig/{APPROVED}")
    expect(page.locator("[data-field=amount]")).to_have_text(f"{format_units(gig.amount, ETH_DECIMALS)} ETH")
    expect(page.locator("[data-field=token]")).to_have_text("ETH")
    expect(page.locator("[data-field=terms-hash]")).to_have_text(gig.terms_hash)
    expect(page.locator("[data-field=deliverable-hash]")).to_have_text(gig.deliverable_hash)
    screenshot(page, "gig-desktop")


def test_gig_timeline_lists_every_event_in_chain_order_with_its_transaction(page: Page, explorer: str, story: Story):
    page.goto(f"{explorer}/gig/{APPROVED}")
    expected = [(name, tx) for names, tx in story.transactions[APPROVED] for name in names]
    shown = page.locator(".timeline li").evaluate_all(
        "items => items.map(i => [i.dataset.event, i.querySelector('.event-meta a.hash').title])"
    )
    assert [tuple(item) for item in shown] == expected


def test_gig_timeline_links_each_event_to_its_transaction_page(page: Page, explorer: str, story: Story):
    _, delivered = story.transactions[APPROVED][2]
    page.goto(f"{explorer}/gig/{APPROVED}")
    page.locator("li[data-event=GigDelivered] .event-meta a.hash").click()
    expect(page).to_have_url(f"{explorer}/tx/{delivered}")
    expect(page.locator("li[data-event=GigDelivered]")).to_contain_text(f"gig #{APPROVED}")


def test_gig_page_shows_each_milestone_and_whether_it_was_released(page: Page, explorer: str, story: Story):
    gig = story.gigs[MILESTONES]
    page.goto(f"{explorer}/gig/{MILESTONES}")
    rows = page.locator("table.milestones tbody tr")
    expect(rows).to_have_count(len(gig.milestones))
    for index, amount in enumerate(gig.milestones):
        row = rows.nth(index)
        expect(row).to_contain_text(f"{format_units(amount, ETH_DECIMALS)} ETH")
        expect(row).to_contain_text("released" if index < gig.released else "pending")


def test_gig_page_links_to_its_freelancers_account(page: Page, explorer: str, story: Story):
    freelancer = story.gigs[APPROVED].freelancer
    page.goto(f"{explorer}/gig/{APPROVED}")
    page.locator("[data-field=freelancer] a").click()
    expect(page).to_have_url(f"{explorer}/account/{freelancer}")
