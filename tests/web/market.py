"""A small talent market on the dev chain, for the directory's browser tests.

On its own deployment (so the gig story's figures stay as they are), with two
tokens besides ETH: USDC-like (6 decimals) and DAI-like (18 decimals).

- eve, a Python freelancer: three gigs for three different clients, one in each
  token (1.1 ETH, 250.5 USDC, 1.25 DAI), delivered on time and approved; each
  client attests 5 at python.
- bob: one Python gig (0.2 ETH) for alice, delivered late.
- an open Python gig (0.5 ETH) nobody has taken.
- profiles: eve is "Eve Adams"; mallory, with no gig at all, copies the name;
  bob and his second account ("bob-laptop", linked) are both "Bob Stone"; grace is
  "Grace Hopper"; frank's name is HTML and LIKE metacharacters.
- open Python offers: eve's (300 USDC), bob's (0.3 ETH), then mallory's (0.01 ETH,
  the newest); mallory's second offer is withdrawn. eve also offers SQL work for
  40 USDC, the offer the browser test hires. alice hires bob's last python offer
  (0.1 ETH): that gig is open, naming bob, until he accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from index.named_tokens import deploy_named_token
from web3 import Web3

from gigledger.client import GigLedger
from gigledger.deployment import Deployment, deploy_with
from gigledger.hashes import hash_content
from gigledger.profiles import Profile
from gigledger.transactions import TransactionSender

from .story import DAY, ETHER, FEE_BPS, dev_account

#: The market's parties and their dev account numbers.
PEOPLE = {"bob-laptop": 0, "alice": 1, "bob": 2, "carol": 3, "mallory": 4, "deployer": 6, "frank": 7, "grace": 8, "eve": 9}
#: Frank's profile name: HTML, and the characters SQL's LIKE treats as wildcards.
HOSTILE_NAME = '<b>Frank</b> & "Sons" 100%_off'



@dataclass
class Market:
    """What the market did: where, who, which tokens and gigs."""

    deployment: Deployment
    parties: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)  # symbol -> address
    gigs: dict[str, int] = field(default_factory=dict)
    offers: dict[str, int] = field(default_factory=dict)


def play_market(w3: Web3) -> Market:
    """Deploys fresh contracts and tokens on ``w3``'s chain and plays the market."""
    accounts = {name: dev_account(i) for name, i in PEOPLE.items()}
    deployer = TransactionSender(w3, accounts["deployer"], poll_interval=0.02)
    deployment = deploy_with(deployer, treasury=dev_account(5).address, fee_bps=FEE_BPS)
    clients = [accounts[n].address for n in ("alice", "frank", "grace")]
    market = Market(deployment, {name: a.address for name, a in accounts.items()})
    market.tokens = {
        "USDC": deploy_named_token(w3, accounts["deployer"], "USDC", 6, clients),
        "DAI": deploy_named_token(w3, accounts["deployer"], "DAI", 18, clients),
    }
    ledgers = {name: GigLedger(w3, deployment, a) for name, a in accounts.items()}
    for ledger in ledgers.values():
        ledger.sender.poll_interval = 0.02

    def hire(client: str, freelancer: str, amount: int, token: str | None, *, late: bool = False) -> int:
        gig = ledgers[client].create_gig(
            amount,
            token=token,
            freelancer=market.parties[freelancer],
            arbiter=market.parties["carol"],
            deadline=timedelta(days=1) if late else 10 * DAY,
            review_period=DAY,
            terms_hash=hash_content(f"{client} hires {freelancer}"),
            skills=("python",),
        ).gig_id
        ledgers[freelancer].accept(gig)
        if late:
            w3.provider.make_request("evm_increaseTime", [2 * 86_400])
            w3.provider.make_request("evm_mine", [])
        ledgers[freelancer].deliver(gig, hash_content(f"deliverable of gig {gig}"))
        ledgers[client].approve(gig)
        ledgers[client].attest(gig, 5 if not late else 3, "python", hash_content(f"review of gig {gig}"))
        return gig

    market.gigs["eth"] = hire("alice", "eve", 11 * ETHER // 10, None)
    market.gigs["usdc"] = hire("frank", "eve", 250_500_000, market.tokens["USDC"])
    market.gigs["dai"] = hire("grace", "eve", 5 * ETHER // 4, market.tokens["DAI"])
    market.gigs["late"] = hire("alice", "bob", ETHER // 5, None, late=True)
    market.gigs["open"] = ledgers["alice"].create_gig(
        ETHER // 2, arbiter=market.parties["carol"], deadline=10 * DAY, review_period=DAY, skills=("python",)
    ).gig_id
    publish_profiles(ledgers)
    post_offers(market, ledgers)
    return market


def publish_profiles(ledgers: dict[str, GigLedger]) -> None:
    """Who says they are whom; bob's two accounts are one identity."""
    profiles = {
        "eve": Profile(name="Eve Adams", headline="Python data pipelines", skills=("python",)),
        "mallory": Profile(name="Eve Adams", headline="Python, cheapest in town", skills=("python",)),
        "bob": Profile(name="Bob Stone", headline="Python scripts", skills=("python",)),
        "bob-laptop": Profile(name="Bob Stone", headline="Python scripts, from the laptop"),
        "grace": Profile(name="Grace Hopper", headline="Hiring for compilers"),
        "frank": Profile(name=HOSTILE_NAME, headline="<script>alert(1)</script>"),
    }
    for name, profile in profiles.items():
        ledgers[name].set_profile(profile)
    ledgers["bob"].link(ledgers["bob-laptop"].sign_link(ledgers["bob"].address, deadline=timedelta(days=1)))


def post_offers(market: Market, ledgers: dict[str, GigLedger]) -> None:
    """The offers, oldest first: evidence-backed freelancers' before mallory's."""
    carol = market.parties["carol"]

    def post(who: str, price: int, token: str | None, skill: str) -> int:
        terms = hash_content(f"{who} offers {skill}")
        offer = ledgers[who].post_offer(price, token=token, arbiter=carol, delivery_time=7 * DAY, terms_hash=terms, skills=[skill])
        return offer.offer.offer_id

    market.offers["eve"] = post("eve", 300_000_000, market.tokens["USDC"], "python")
    market.offers["bob"] = post("bob", 3 * ETHER // 10, None, "python")
    market.offers["mallory"] = post("mallory", ETHER // 100, None, "python")
    market.offers["withdrawn"] = post("mallory", ETHER // 50, None, "python")
    ledgers["mallory"].withdraw_offer(market.offers["withdrawn"])
    market.offers["eve_sql"] = post("eve", 40_000_000, market.tokens["USDC"], "sql")
    market.offers["hired"] = post("bob", ETHER // 10, None, "python")
    market.gigs["hired"] = ledgers["alice"].hire(market.offers["hired"]).gig_id  # open until bob accepts
