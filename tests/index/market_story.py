"""A small talent market played through the SDK, covering every market event.

1. bob, erin and frank publish profiles; bob updates his (the index keeps the
   latest); frank's second document breaks the rules (not JSON).
2. bob offers python work (1 ETH) and a rust audit (2 ETH); erin offers python
   (0.5 ETH); frank offers design (0.2 ETH) and withdraws it.
3. alice hires bob's python offer; bob delivers, alice approves (bob: 1 completed).
4. bob and erin link (erin signs, bob submits); frank links with dave, and dave unlinks.

Tests derive what they expect from this record, never from the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from gigledger.client import GigLedger
from gigledger.deployment import Deployment
from gigledger.profiles import Profile

from .story import ETHER, WEEK, deploy_contracts, dev_account, web3_of

NAMES = ("alice", "bob", "carol", "dave", "erin", "frank")


@dataclass
class MarketStory:
    url: str
    deployment: Deployment
    parties: dict[str, str] = field(default_factory=dict)
    offers: dict[str, int] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)  # the latest document per party
    gig: int = 0


def market_ledgers(url: str, deployment: Deployment) -> dict[str, GigLedger]:
    w3 = web3_of(url)
    return {name: GigLedger(w3, deployment, dev_account(i)) for i, name in enumerate(NAMES, 1)}


def offer(ledger: GigLedger, carol: GigLedger, price: int, skill: str) -> int:
    return ledger.post_offer(price, arbiter=carol.address, delivery_time=WEEK, skills=[skill]).offer.offer_id


def tell_market(url: str) -> MarketStory:
    deployment = deploy_contracts(url)
    people = market_ledgers(url, deployment)
    alice, bob, carol, dave, erin, frank = (people[n] for n in NAMES)
    story = MarketStory(url, deployment, {name: ledger.address for name, ledger in people.items()})

    bob.set_profile(Profile(name="Bob", headline="Python", skills=("python",)))
    latest = Profile(name="Bob B.", headline="Python and Rust", skills=("python", "rust"))
    bob.set_profile(latest)
    erin.set_profile(Profile(name="Erin", headline="Data in Python", skills=("python",)))
    frank.set_profile(Profile(name="Frank", headline="Design"))
    frank.sender.transact(frank.market.functions.set_profile("not json"))
    erin_profile = Profile(name="Erin", headline="Data in Python", skills=("python",))
    story.profiles = {"bob": latest.to_json(), "erin": erin_profile.to_json(), "frank": "not json"}

    story.offers = {
        "bob_python": offer(bob, carol, ETHER, "python"),
        "bob_rust": offer(bob, carol, 2 * ETHER, "rust"),
        "erin_python": offer(erin, carol, ETHER // 2, "python"),
        "frank_design": offer(frank, carol, ETHER // 5, "design"),
    }
    frank.withdraw_offer(story.offers["frank_design"])

    gig = alice.hire(story.offers["bob_python"]).gig
    bob.deliver(bob.accept(gig).gig)
    alice.approve(gig.gig_id)
    story.gig = gig.gig_id

    bob.link(erin.sign_link(bob.address, deadline=timedelta(days=1)))
    dave.link(frank.sign_link(dave.address, deadline=timedelta(days=1)))
    dave.unlink(frank.address)
    return story
