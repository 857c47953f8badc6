"""A small talent market on the dev chain, for the directory's browser tests.

On its own deployment (so the gig story's figures stay as they are), with two
tokens besides ETH: USDC-like (6 decimals) and DAI-like (18 decimals).

- eve, a Python freelancer: three gigs for three different clients, one in each
  token (1.1 ETH, 250.5 USDC, 1.25 DAI), delivered on time and approved; each
  client attests 5 at python.
- bob: one Python gig (0.2 ETH) for alice, delivered late.
- an open Python gig (0.5 ETH) nobody has taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from index.named_tokens import deploy_named_token
from web3 import Web3

from gigledger.client import GigLedger
from gigledger.deployment import Deployment, deploy_with
from gigledger.hashes import hash_content
from gigledger.transactions import TransactionSender

from .story import DAY, ETHER, FEE_BPS, dev_account

#: The market's parties and their dev account numbers.
PEOPLE = {"alice": 1, "bob": 2, "carol": 3, "deployer": 6, "frank": 7, "grace": 8, "eve": 9}


@dataclass
class Market:
    """What the market did: where, who, which tokens and gigs."""

    deployment: Deployment
    parties: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)  # symbol -> address
    gigs: dict[str, int] = field(default_factory=dict)


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
    return market
