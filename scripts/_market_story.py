"""The talent market part of `make demo`: profiles, offers, a linked identity, a hire.

Three freelancers (bob, dave, erin) publish profiles and offers; bob links his
second address into one identity; of the two clients, frank hires erin's Python
offer in one call and the gig runs to approval (erin then offers again, on new
terms), and alice browses what is open. With the dev node's explorer, the demo
then prints the python skill page: the ranking with its reasons, and the open offers.
Called by scripts/demo.py after the gig story, with the same chain and manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from web3 import Web3

from gigledger import Deployment, GigLedger, hash_content
from gigledger.cli.talent import talent_table
from gigledger.devchain import dev_account
from gigledger.profiles import Profile, Rate
from gigledger.talent import fetch_talent

ETHER = 10**18
#: Dev-mnemonic account indices of the market's people (0 deploys; 1-3 are the gig story's).
PEOPLE = {"alice": 1, "bob": 2, "carol": 3, "dave": 4, "erin": 5, "frank": 6, "bob-laptop": 7}


@dataclass
class MarketSummary:
    """What the market story left on chain, for the demo to point at."""

    parties: dict[str, str] = field(default_factory=dict)
    offers: dict[str, int] = field(default_factory=dict)
    hired_gig: int = 0


def play_market(endpoint: str | Web3, deployment: Deployment | Path, console: Console) -> MarketSummary:
    """Play the market on the chain at `endpoint`; print each step."""
    people = {name: GigLedger.connect(endpoint, account=dev_account(i), deployment=deployment) for name, i in PEOPLE.items()}
    alice, bob, carol, dave, erin, frank, laptop = people.values()
    summary = MarketSummary({name: ledger.address for name, ledger in people.items()})

    def step(text: str, transaction_hash: str) -> None:
        console.print(f"[green]✓[/green] {text} [dim]{transaction_hash}[/dim]")

    console.print("\n[bold]The talent market[/bold]")
    profiles = {
        bob: Profile(name="Bob", headline="Python back ends and data pipelines", skills=("python", "data"),
                     links=("https://bob.example",), rate=Rate("0.05 ETH", "ETH"), availability="20h/week"),
        dave: Profile(name="Dave", headline="Solidity and Vyper audits", skills=("solidity", "audit")),
        erin: Profile(name="Erin", headline="Python for analytics", skills=("python",), rate=Rate("0.04 ETH", "ETH")),
    }
    for ledger, profile in profiles.items():
        step(f"{profile.name} published a profile", ledger.set_profile(profile).transaction_hash)

    offers = {
        "bob-python": (bob, ETHER, ["python", "data"], "A CSV importer with tests, in a week."),
        "dave-audit": (dave, 3 * ETHER, ["solidity", "audit"], "Audit of one contract up to 500 lines."),
        "erin-python": (erin, ETHER // 2, ["python"], "A pandas notebook answering three questions."),
    }
    for name, (ledger, price, skills, terms) in offers.items():
        posted = ledger.post_offer(price, arbiter=carol.address, delivery_time=timedelta(days=7), skills=skills,
                                   terms_hash=hash_content(terms))
        summary.offers[name] = posted.offer.offer_id
        step(f"{name} offer {posted.offer.offer_id} posted: {ledger.token_units().format(price)}", posted.receipt.transaction_hash)

    consent = laptop.sign_link(bob.address, deadline=timedelta(days=1))
    step(f"bob linked his second address {laptop.address} (both signed)", bob.link(consent).transaction_hash)

    hired = frank.hire(summary.offers["erin-python"])
    summary.hired_gig = hired.gig_id
    escrowed = frank.token_units(hired.gig.token).format(hired.gig.amount)
    step(f"frank hired erin's offer in one call: gig {hired.gig_id}, {escrowed} escrowed", hired.transaction_hash)
    step("erin accepted", erin.accept(hired.gig_id).transaction_hash)
    step("erin delivered", erin.deliver(hired.gig_id, hash_content("analysis.ipynb")).transaction_hash)
    step("frank approved: erin paid", frank.approve(hired.gig_id).transaction_hash)
    again = erin.post_offer(6 * ETHER // 10, arbiter=carol.address, delivery_time=timedelta(days=7), skills=["python"],
                            terms_hash=hash_content("A pandas notebook answering five questions."))
    summary.offers["erin-python-2"] = again.offer.offer_id
    step(f"erin offered python again on new terms (offers are never edited): offer {again.offer.offer_id}, 0.6 ETH",
         again.receipt.transaction_hash)
    still_open = [offer_id for offer_id in summary.offers.values() if alice.offer_is_open(alice.offer(offer_id))]
    console.print(f"alice reads the offers still open on chain: {', '.join(f'#{i}' for i in still_open)}")
    return summary


def show_market_pages(explorer_url: str, endpoint: str, deployment: Path, console: Console, skill: str = "python") -> None:
    """What the explorer's skill page shows, read from the query API it renders (the
    ranking with each row's reasons, then the open offers, ranked freelancers' first
    as the page orders them), and where the rest of the market can be seen."""
    reader = GigLedger.connect(endpoint, deployment=deployment, api_url=explorer_url)
    names = {dev_account(i).address: name for name, i in PEOPLE.items()}
    ranking = fetch_talent(explorer_url, skill, limit=10)
    console.print(f"\n[bold]The explorer's skill page[/bold] {explorer_url}/skill/{skill}")
    console.print(talent_table(ranking, names))
    ranks = {entry.account: entry.rank for entry in ranking.entries}
    offers = sorted(reader.offers(skill=skill), key=lambda o: (ranks.get(o["freelancer"], len(ranks) + 1), -o["offer_id"]))
    table = Table(title=f"Open {skill} offers")
    for column in ("offer", "freelancer", "rank", "price", "delivery", "page"):
        table.add_column(column)
    for offer in offers:
        rank = ranks.get(offer["freelancer"])
        table.add_row(
            f"#{offer['offer_id']}",
            names.get(offer["freelancer"], offer["freelancer"]),
            f"#{rank}" if rank else "not ranked yet",
            reader.token_units(offer["token"]).format(int(offer["price"])),
            str(timedelta(seconds=offer["delivery_time"])),
            f"{explorer_url}/offer/{offer['offer_id']}",
        )
    console.print(table)
    bob = dev_account(PEOPLE["bob"]).address
    console.print(f"  bob's profile and linked account: {explorer_url}/account/{bob}")
    console.print(f"  bob's identity (API): {explorer_url}/identities/{bob}")
    console.print(f"  the ranking with its reasons (API): curl '{explorer_url}/talent?skill={skill}'")
    console.print(f"  every open {skill} offer (API): {explorer_url}/offers?skill={skill}")
