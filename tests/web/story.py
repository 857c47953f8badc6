"""A small gig story seeded on a dev chain, for the explorer's browser tests.

It plays the parties of several gigs through the SDK's `GigLedger` client, over
plain JSON-RPC, so it runs against `gigledger-node start --dev` or
Anvil alike. It records what it did (gig ids, parties, amounts, transaction
hashes); the tests derive every figure they expect from this record and from the
chain, never from the pages.

The gigs, spread over several months so the completions chart has more than one bar:

1. alice hires bob (2 ETH, solidity and audit): delivered on time, approved; both attest.
2. alice hires bob with two milestones (0.5 + 1.5 ETH): paid in two steps, on time.
3. alice hires bob (1 ETH, frontend): delivered after the deadline, approved; alice attests.
4. alice hires dave (1 ETH): nothing delivered, refunded after the deadline.
5. alice hires bob (1 ETH): bob disputes, carol rules 0.7 ETH to bob.
6. alice posts an open gig (0.25 ETH) and cancels it.
7. alice posts an open gig (0.3 ETH); dave accepts it and is still working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from web3 import Web3

from gigledger.client import GigLedger, GigResult
from gigledger.deployment import Deployment, deploy_with
from gigledger.devchain import dev_account
from gigledger.gigs import Gig
from gigledger.hashes import hash_content
from gigledger.transactions import Receipt, TransactionSender

#: The story's parties and their dev account numbers; account 0 is left to the dev
#: node, which deploys its own contracts with it at start.
PARTIES = {"alice": 1, "bob": 2, "carol": 3, "dave": 4, "treasury": 5, "deployer": 6}
ETHER = 10**18
DAY = timedelta(days=1)
#: Platform fee of the story's escrow, so fees show on the pages.
FEE_BPS = 100


@dataclass(frozen=True)
class AttestationMade:
    """An attestation the story gave, as the chain should show it."""

    attester: str
    subject: str
    gig_id: int
    score: int
    skill: str
    evidence_hash: str
    transaction_hash: str


@dataclass
class Story:
    """What the story did: the parties, the deployment, and each gig's final model."""

    deployment: Deployment
    parties: dict[str, str]
    gigs: dict[int, Gig] = field(default_factory=dict)
    # Every transaction about each gig, in order: (event names, transaction hash).
    transactions: dict[int, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    attestations: list[AttestationMade] = field(default_factory=list)


class StoryTeller:
    """Plays the story's parties on a chain: deploys, then runs each gig."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        accounts = {name: dev_account(index) for name, index in PARTIES.items()}
        deployer = TransactionSender(w3, accounts["deployer"], poll_interval=0.02)
        deployment = deploy_with(deployer, treasury=accounts["treasury"].address, fee_bps=FEE_BPS)
        self.ledgers = {name: GigLedger(w3, deployment, account) for name, account in accounts.items()}
        for ledger in self.ledgers.values():
            ledger.sender.poll_interval = 0.02
        self.story = Story(deployment, {name: account.address for name, account in accounts.items()})

    def tell(self) -> Story:
        """Plays every gig of the story; returns its record."""
        self.approved_on_time_with_attestations()
        self.advance(35 * DAY)
        self.paid_by_milestones()
        self.advance(35 * DAY)
        self.delivered_late()
        self.refunded_after_missed_deadline()
        self.advance(35 * DAY)
        self.resolved_by_arbiter()
        self.cancelled_open_gig()
        self.open_gig_in_progress()
        return self.story

    # ------------------------------------------------------------ the gigs

    def approved_on_time_with_attestations(self) -> None:
        gig = self.create("bob", 2 * ETHER, skills=("solidity", "audit"))
        self.act("bob", "accept", gig)
        self.act("bob", "deliver", gig, hash_content("gig 1 deliverable"))
        self.act("alice", "approve", gig)
        self.attest("alice", gig, 5, "solidity", "alice reviews bob on gig 1")
        self.attest("bob", gig, 4, "", "bob reviews alice on gig 1")

    def paid_by_milestones(self) -> None:
        gig = self.create("bob", 2 * ETHER, milestones=(ETHER // 2, 3 * ETHER // 2), skills=("solidity",))
        self.act("bob", "accept", gig)
        self.act("alice", "release_milestone", gig)
        self.act("bob", "deliver", gig, hash_content("gig 2 deliverable"))
        self.act("alice", "release_milestone", gig)

    def delivered_late(self) -> None:
        gig = self.create("bob", ETHER, deadline=DAY, skills=("frontend",))
        self.act("bob", "accept", gig)
        self.advance(2 * DAY)
        self.act("bob", "deliver", gig, hash_content("gig 3 deliverable"))
        self.act("alice", "approve", gig)
        self.attest("alice", gig, 3, "frontend", "alice reviews bob on gig 3")

    def refunded_after_missed_deadline(self) -> None:
        gig = self.create("dave", ETHER, deadline=DAY, skills=("design",))
        self.act("dave", "accept", gig)
        self.advance(2 * DAY)
        self.act("alice", "refund", gig)

    def resolved_by_arbiter(self) -> None:
        gig = self.create("bob", ETHER, skills=("solidity",))
        self.act("bob", "accept", gig)
        self.act("bob", "dispute", gig)
        self.act("carol", "resolve", gig, 7 * ETHER // 10)

    def cancelled_open_gig(self) -> None:
        gig = self.create(None, ETHER // 4)
        self.act("alice", "cancel", gig)

    def open_gig_in_progress(self) -> None:
        gig = self.create(None, 3 * ETHER // 10, skills=("writing",))
        self.act("dave", "accept", gig)

    # ------------------------------------------------------------ moves

    def create(
        self,
        freelancer: str | None,
        amount: int,
        *,
        milestones: tuple[int, ...] = (),
        deadline: timedelta = 10 * DAY,
        skills: tuple[str, ...] = (),
    ) -> int:
        """Alice creates and funds an ETH gig for `freelancer` (or anyone), carol arbitrating."""
        result = self.ledgers["alice"].create_gig(
            amount,
            freelancer=self.story.parties[freelancer] if freelancer else None,
            arbiter=self.story.parties["carol"],
            deadline=deadline,
            milestones=milestones,
            review_period=DAY,
            terms_hash=hash_content(f"terms of a gig for {amount} wei"),
            skills=skills,
        )
        self._record(result)
        return result.gig_id

    def act(self, party: str, move: str, gig_id: int, *args) -> None:
        """`party` makes a move (a GigLedger method) on a gig as it stands."""
        self._record(getattr(self.ledgers[party], move)(self.story.gigs[gig_id], *args))

    def attest(self, attester: str, gig_id: int, score: int, skill: str, evidence: str) -> None:
        """`attester` attests about the other party of a settled gig."""
        evidence_hash = hash_content(evidence)
        result = self.ledgers[attester].attest(self.story.gigs[gig_id], score, skill, evidence_hash)
        self._log(gig_id, result.receipt)
        made = result.attestation
        self.story.attestations.append(
            AttestationMade(made.attester, made.subject, gig_id, score, skill, evidence_hash, result.receipt.transaction_hash)
        )

    def advance(self, time: timedelta) -> None:
        """Moves the dev chain's clock forward and mines a block at the new time."""
        self.w3.provider.make_request("evm_increaseTime", [int(time.total_seconds())])
        self.w3.provider.make_request("evm_mine", [])

    def _record(self, result: GigResult) -> None:
        self.story.gigs[result.gig_id] = result.gig
        self._log(result.gig_id, result.receipt)

    def _log(self, gig_id: int, receipt: Receipt) -> None:
        # Events about the gig carry its id; the registry's *Recorded events (the
        # accounts' records, written in the same transaction) do not.
        names = tuple(event.name for event in receipt.events if hasattr(event, "gig_id"))
        self.story.transactions.setdefault(gig_id, []).append((names, receipt.transaction_hash))


def tell_story(w3: Web3) -> Story:
    """Deploys fresh contracts on `w3`'s chain and plays the whole story on them."""
    return StoryTeller(w3).tell()
