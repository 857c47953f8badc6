"""A gig story played on a chain through the SDK, covering every event the index folds.

1. alice hires bob (2 ETH, solidity + audit): delivered on time, approved; alice
   attests 5 at solidity about bob; bob attests 4 about alice, then revokes it.
2. alice hires bob with two milestones (0.5 + 1.5 ETH), released one by one.
3. alice hires dave (1 ETH): nothing delivered; refunded after the deadline.
4. alice hires bob (1 ETH): bob disputes; carol rules 0.7 ETH to bob.
5. alice posts an open gig (0.25 ETH) and cancels it.
6. alice posts an open gig (0.3 ETH); dave accepts it and is still working.

The escrow charges a 1% fee to the treasury. Tests derive what they expect from
this record, never from the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from web3 import HTTPProvider, Web3
from web3.middleware import ExtraDataToPOAMiddleware

from gigledger.client import GigLedger
from gigledger.deployment import Deployment, deploy
from gigledger.devchain import dev_account

ETHER = 10**18
WEEK = timedelta(days=7)
FEE_BPS = 100


@dataclass
class Story:
    """What the story did: where, who, which gigs."""

    url: str
    deployment: Deployment
    parties: dict[str, str] = field(default_factory=dict)
    gigs: dict[str, int] = field(default_factory=dict)


def web3_of(url: str) -> Web3:
    """A web3 client that accepts the node's sealed (97+ byte) extraData."""
    w3 = Web3(HTTPProvider(url))
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return w3


def deploy_contracts(url: str) -> Deployment:
    """The contracts on a fresh chain, with a 1% fee to account 5."""
    return deploy(web3_of(url), dev_account(0), treasury=dev_account(5).address, fee_bps=FEE_BPS)


def ledgers(url: str, deployment: Deployment) -> dict[str, GigLedger]:
    w3 = web3_of(url)
    return {name: GigLedger(w3, deployment, dev_account(i)) for i, name in enumerate(("alice", "bob", "carol", "dave"), 1)}


def advance_time(url: str, seconds: int) -> None:
    w3 = web3_of(url)
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def tell(url: str) -> Story:
    """Play the whole story on the chain at ``url``."""
    deployment = deploy_contracts(url)
    people = ledgers(url, deployment)
    alice, bob, carol, dave = (people[n] for n in ("alice", "bob", "carol", "dave"))
    story = Story(url, deployment, {name: ledger.address for name, ledger in people.items()})
    story.parties["treasury"] = dev_account(5).address

    approved = alice.create_gig(2 * ETHER, freelancer=bob.address, arbiter=carol.address, deadline=WEEK, skills=["solidity", "audit"]).gig_id
    bob.accept(approved)
    bob.deliver(approved)
    alice.approve(approved)
    alice.attest(approved, 5, "solidity")
    bob.attest(approved, 4, "clear brief")
    bob.revoke(approved)

    staged = alice.create_gig(2 * ETHER, freelancer=bob.address, arbiter=carol.address, deadline=WEEK, milestones=[ETHER // 2, 3 * ETHER // 2]).gig_id
    bob.accept(staged)
    alice.release_milestone(staged)
    alice.release_milestone(staged)

    missed = alice.create_gig(ETHER, freelancer=dave.address, arbiter=carol.address, deadline=timedelta(days=1)).gig_id
    dave.accept(missed)
    advance_time(url, 2 * 86_400)
    alice.refund(missed)

    disputed = alice.create_gig(ETHER, freelancer=bob.address, arbiter=carol.address, deadline=WEEK).gig_id
    bob.accept(disputed)
    bob.dispute(disputed)
    carol.resolve(disputed, 7 * ETHER // 10)

    cancelled = alice.create_gig(ETHER // 4, arbiter=carol.address, deadline=WEEK).gig_id
    alice.cancel(cancelled)

    working = alice.create_gig(3 * ETHER // 10, arbiter=carol.address, deadline=WEEK).gig_id
    dave.accept(working)

    story.gigs = {
        "approved": approved, "staged": staged, "missed": missed,
        "disputed": disputed, "cancelled": cancelled, "working": working,
    }
    return story
