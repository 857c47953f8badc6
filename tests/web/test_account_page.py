"""An account's page: reputation in plain words, skills, earnings, chart, attestations, payments."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import httpx
from playwright.sync_api import Page, expect
from web3 import Web3

from gigledger.amounts import ETH_DECIMALS, format_units
from gigledger.gigs import ZERO_ADDRESS
from gigledger.skills import skill_name

from .story import Story


def summary_of(registry, account: str) -> dict[str, int]:
    """The registry's objective record of `account`, by field name, read from the chain."""
    names = [o["name"] for o in registry.functions.summary(account).abi["outputs"][0]["components"]]
    return dict(zip(names, registry.functions.summary(account).call(), strict=True))


def test_reputation_card_counts_on_time_over_delivered_gigs(page: Page, explorer: str, story: Story, parties, screenshot):
    bob = parties["bob"]
    delivered = [g for g in story.gigs.values() if g.freelancer == bob and g.delivered_at]
    on_time = sum(g.delivered_at <= g.deadline for g in delivered)
    page.goto(f"{explorer}/account/{bob}")
    expect(page.locator("[data-fact=on-time]")).to_have_text(
        f"Met {on_time} of {len(delivered)} deadlines: {on_time} of {len(delivered)} delivered gigs on time."
    )
    screenshot(page, "account-desktop")


def test_a_missed_deadline_counts_against_the_deadlines_met(page: Page, explorer: str, parties, registry):
    record = summary_of(registry, parties["dave"])
    page.goto(f"{explorer}/account/{parties['dave']}")
    expect(page.locator("[data-fact=on-time]")).to_have_text(
        f"Met 0 of {record['missed_deadlines']} deadline, {record['missed_deadlines']} missed without delivery."
    )


def test_reputation_card_gives_the_average_score_of_attestations(page: Page, explorer: str, parties, registry):
    record = summary_of(registry, parties["bob"])
    average = record["score_sum"] / record["attestations"]
    page.goto(f"{explorer}/account/{parties['bob']}")
    expect(page.locator("[data-fact=score]")).to_have_text(
        f"Average score {average:.1f} out of 5 from {record['attestations']} attestations."
    )


def test_reputation_card_counts_disputes(page: Page, explorer: str, parties, registry):
    record = summary_of(registry, parties["alice"])
    page.goto(f"{explorer}/account/{parties['alice']}")
    fact = page.locator("[data-fact=disputes]")
    expect(fact).to_contain_text(f"won {record['disputes_won']}, lost {record['disputes_lost']}")


def test_reputation_card_mentions_missed_deadlines(page: Page, explorer: str, parties, registry):
    record = summary_of(registry, parties["dave"])
    page.goto(f"{explorer}/account/{parties['dave']}")
    expect(page.locator("[data-fact=missed]")).to_contain_text(f"Missed {record['missed_deadlines']} deadline")


def test_skills_are_tags_weighted_by_evidence(page: Page, explorer: str, story: Story, parties):
    bob = parties["bob"]
    paid_out = [g for g in story.gigs.values() if g.freelancer == bob and g.state.name == "RELEASED"]
    tagged = [skill_name(tag) for gig in paid_out for tag in gig.skills]
    attested = [a.skill for a in story.attestations if a.subject == bob and a.skill]
    evidence = Counter(tagged + attested)
    page.goto(f"{explorer}/account/{bob}")
    tags = page.locator(".skills .tag")
    shown = tags.evaluate_all("tags => tags.map(t => [t.dataset.skill, Number(t.querySelector('small').textContent)])")
    assert dict(map(tuple, shown)) == evidence
    strongest, _ = evidence.most_common(1)[0]
    expect(page.locator(f".skills .tag[data-skill='{strongest}']")).to_have_class("tag weight-4")


def test_earnings_by_token_match_the_registrys_volume(page: Page, explorer: str, parties, registry):
    earned, paid = registry.functions.volume(parties["bob"], ZERO_ADDRESS).call()
    page.goto(f"{explorer}/account/{parties['bob']}")
    row = page.locator("table.earnings tr[data-token=ETH]")
    expect(row.locator("[data-field=earned]")).to_have_text(format_units(earned, ETH_DECIMALS))
    expect(row.locator("[data-field=paid]")).to_have_text(format_units(paid, ETH_DECIMALS))


def test_chart_has_a_bar_per_month_from_the_first_completion_to_the_last(
    page: Page, explorer: str, story: Story, parties, registry, w3: Web3
):
    bob = parties["bob"]
    settled = [
        tx
        for gig_id, gig in story.gigs.items()
        if gig.freelancer == bob
        for names, tx in story.transactions[gig_id]
        if "GigReleased" in names
    ]
    months = {_month(w3, tx) for tx in settled}
    page.goto(f"{explorer}/account/{bob}")
    bars = page.locator("[data-chart] .bar")
    counts = bars.evaluate_all("bars => bars.map(b => Number(b.dataset.count))")
    assert sum(counts) == summary_of(registry, bob)["completed"]
    first, last = min(months), max(months)
    assert len(counts) == (last[0] - first[0]) * 12 + last[1] - first[1] + 1


def _month(w3: Web3, transaction_hash: str) -> tuple[int, int]:
    block = w3.eth.get_block(w3.eth.get_transaction_receipt(transaction_hash)["blockNumber"])
    moment = datetime.fromtimestamp(block["timestamp"], UTC)
    return moment.year, moment.month


def test_tapping_a_chart_bar_shows_its_month_and_count(phone: Page, explorer: str, parties):
    phone.goto(f"{explorer}/account/{parties['bob']}")
    bar = phone.locator("[data-chart] .bar").first
    bar.tap()
    label, count = bar.get_attribute("data-label"), bar.get_attribute("data-count")
    expect(phone.locator("[data-chart-caption]")).to_contain_text(f"{label}: {count} completed")


def test_attestations_received_show_score_and_evidence_hash(page: Page, explorer: str, story: Story, parties):
    bob = parties["bob"]
    page.goto(f"{explorer}/account/{bob}")
    about_bob = [a for a in story.attestations if a.subject == bob]
    expect(page.locator("table.attestations tbody tr")).to_have_count(len(about_bob))
    for attestation in about_bob:
        row = page.locator(f"tr[data-attestation='{attestation.gig_id}-{attestation.attester}']")
        expect(row).to_contain_text(f"{attestation.score}/5")
        expect(row.locator("code.hash")).to_have_attribute("title", attestation.evidence_hash)
        expect(row.locator("a.hash").last).to_have_attribute("title", attestation.transaction_hash)


def test_payment_history_lists_every_payment_with_a_verified_mark(page: Page, explorer: str, story: Story, parties):
    bob = parties["bob"]
    paid_out = [
        tx
        for gig_id, gig in story.gigs.items()
        if gig.freelancer == bob
        for names, tx in story.transactions[gig_id]
        if {"MilestoneReleased", "GigReleased", "GigResolved"} & set(names)
    ]
    page.goto(f"{explorer}/account/{bob}")
    rows = page.locator("table.payments tbody tr")
    expect(rows).to_have_count(len(paid_out))
    expect(page.locator("table.payments [data-verified=yes]")).to_have_count(len(paid_out))


def test_csv_link_downloads_the_payment_history(page: Page, explorer: str, parties):
    bob = parties["bob"]
    page.goto(f"{explorer}/account/{bob}")
    shown = page.locator("table.payments tbody tr").count()
    href = page.get_by_role("link", name="Payment history (CSV)").get_attribute("href")
    response = httpx.get(httpx.URL(explorer).join(href))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert len(response.text.strip().splitlines()) == shown + 1  # a header row, then one per payment


def test_account_page_links_to_its_gigs(page: Page, explorer: str, parties):
    page.goto(f"{explorer}/account/{parties['dave']}")
    page.locator("table.gigs tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("Gig #")
    expect(page.locator("[data-field=freelancer] a")).to_have_attribute("title", parties["dave"])
