"""A small gig story seeded on a dev chain, for the explorer's browser tests.

It plays the parties of several gigs through the SDK's transaction sender and gig
model, over plain JSON-RPC, so it runs against `gigledger-node start --dev` or
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

import eth_abi
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from gigledger.contracts import load_artifact
from gigledger.events import Event, GigCreated
from gigledger.gigs import ZERO_ADDRESS, Gig
from gigledger.transactions import Receipt, TransactionSender

MNEMONIC = "test test test test test test test test test test test junk"
ETHER = 10**18
DAY = 86_400
#: Platform fee of the story's escrow, so fees show on the pages.
FEE_BPS = 100


def dev_account(index: int) -> LocalAccount:
    """The dev chain's prefunded account number `index`."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def skill(name: str) -> str:
    """A skill tag as the contracts carry it: UTF-8, left-aligned in 32 bytes."""
    return "0x" + name.encode().ljust(32, b"\0").hex()


def digest(text: str) -> str:
    """A stand-in hash of an off-chain document (terms, deliverable, evidence)."""
    return Web3.keccak(text=text).to_0x_hex()


@dataclass
class Story:
    """What the story did: the parties, the contracts, and each gig's final model."""

    chain_id: int
    escrow: str
    registry: str
    start_block: int
    parties: dict[str, str]
    gigs: dict[int, Gig] = field(default_factory=dict)
    # Every transaction of each gig, in order: (event names, transaction hash).
    transactions: dict[int, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    # (attester, subject, gig id, score, skill name, evidence hash, transaction hash)
    attestations: list[tuple[str, str, int, int, str, str, str]] = field(default_factory=list)


class StoryTeller:
    """Plays the story's parties on a chain: deploys, then runs each gig."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self.senders = {
            name: TransactionSender(w3, dev_account(index), poll_interval=0.02)
            for index, name in enumerate(("deployer", "alice", "bob", "carol", "dave", "treasury"))
        }
        self.escrow = None
        self.registry = None
        self.story: Story | None = None

    # ------------------------------------------------------------ setup

    def deploy(self) -> None:
        """Deploys the registry and the escrow (with a fee) and authorises the escrow."""
        deployer = self.senders["deployer"]
        start_block = self.w3.eth.block_number + 1
        self.registry = self._deploy("ReputationRegistry")
        self.escrow = self._deploy(
            "GigEscrow", self.registry.address, self.senders["treasury"].address, FEE_BPS
        )
        deployer.transact(self.registry.functions.set_escrow(self.escrow.address, True))
        self.story = Story(
            chain_id=self.w3.eth.chain_id,
            escrow=self.escrow.address,
            registry=self.registry.address,
            start_block=start_block,
            parties={name: sender.address for name, sender in self.senders.items()},
        )

    def _deploy(self, name: str, *args):
        artifact = load_artifact(name)
        constructor = next((e for e in artifact["abi"] if e["type"] == "constructor"), {"inputs": []})
        arguments = eth_abi.encode([i["type"] for i in constructor["inputs"]], list(args))
        receipt = self.senders["deployer"].deploy(artifact["bytecode"], arguments)
        return self.w3.eth.contract(address=receipt.contract_address, abi=artifact["abi"])

    # ------------------------------------------------------------ the story

    def tell(self) -> Story:
        """Deploys and plays every gig of the story; returns its record."""
        self.deploy()
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

    def approved_on_time_with_attestations(self) -> None:
        gig_id = self.create("alice", "bob", 2 * ETHER, skills=("solidity", "audit"))
        self.act("bob", "accept", gig_id)
        self.act("bob", "deliver", gig_id, digest("gig 1 deliverable"))
        self.act("alice", "approve", gig_id)
        self.attest("alice", "bob", gig_id, 5, "solidity", "alice reviews bob on gig 1")
        self.attest("bob", "alice", gig_id, 4, "", "bob reviews alice on gig 1")

    def paid_by_milestones(self) -> None:
        gig_id = self.create("alice", "bob", 2 * ETHER, milestones=(ETHER // 2, 3 * ETHER // 2), skills=("solidity",))
        self.act("bob", "accept", gig_id)
        self.act("alice", "release_milestone", gig_id)
        self.act("bob", "deliver", gig_id, digest("gig 2 deliverable"))
        self.act("alice", "release_milestone", gig_id)

    def delivered_late(self) -> None:
        gig_id = self.create("alice", "bob", ETHER, deadline_in=DAY, skills=("frontend",))
        self.act("bob", "accept", gig_id)
        self.advance(2 * DAY)
        self.act("bob", "deliver", gig_id, digest("gig 3 deliverable"))
        self.act("alice", "approve", gig_id)
        self.attest("alice", "bob", gig_id, 3, "frontend", "alice reviews bob on gig 3")

    def refunded_after_missed_deadline(self) -> None:
        gig_id = self.create("alice", "dave", ETHER, deadline_in=DAY, skills=("design",))
        self.act("dave", "accept", gig_id)
        self.advance(2 * DAY)
        self.act("alice", "refund", gig_id)

    def resolved_by_arbiter(self) -> None:
        gig_id = self.create("alice", "bob", ETHER, skills=("solidity",))
        self.act("bob", "accept", gig_id)
        self.act("bob", "dispute", gig_id)
        self.act("carol", "resolve", gig_id, 7 * ETHER // 10)

    def cancelled_open_gig(self) -> None:
        gig_id = self.create("alice", None, ETHER // 4)
        self.act("alice", "cancel", gig_id)

    def open_gig_in_progress(self) -> None:
        gig_id = self.create("alice", None, 3 * ETHER // 10, skills=("writing",))
        self.act("dave", "accept", gig_id)

    # ------------------------------------------------------------ moves

    def create(
        self,
        client: str,
        freelancer: str | None,
        amount: int,
        *,
        milestones: tuple[int, ...] = (),
        deadline_in: int = 10 * DAY,
        skills: tuple[str, ...] = (),
    ) -> int:
        """Alice (or `client`) creates and funds an ETH gig with carol as arbiter."""
        deadline = self.w3.eth.get_block("latest")["timestamp"] + deadline_in
        call = self.escrow.functions.create_gig(
            self.story.parties[freelancer] if freelancer else ZERO_ADDRESS,
            self.story.parties["carol"],
            ZERO_ADDRESS,
            amount,
            list(milestones),
            deadline,
            DAY,
            digest(f"terms of a gig for {amount} wei"),
            [skill(name) for name in skills],
        )
        receipt = self.senders[client].transact(call, value=amount)
        created = receipt.event(GigCreated)
        self.story.gigs[created.gig_id] = Gig.created(created)
        self._record(created.gig_id, receipt)
        return created.gig_id

    def act(self, party: str, function: str, gig_id: int, *args) -> Receipt:
        """`party` calls an escrow function on a gig, passing the gig as it stands."""
        gig = self.story.gigs[gig_id]
        call = getattr(self.escrow.functions, function)(gig_id, gig.as_tuple(), *args)
        receipt = self.senders[party].transact(call)
        timestamps = {receipt.block_number: self.w3.eth.get_block(receipt.block_number)["timestamp"]}
        for event in receipt.events:
            if getattr(event, "gig_id", None) == gig_id and event.address == self.escrow.address:
                gig = gig.apply(event, timestamps)
        self.story.gigs[gig_id] = gig
        self._record(gig_id, receipt)
        return receipt

    def attest(self, attester: str, subject: str, gig_id: int, score: int, skill_name: str, evidence: str) -> None:
        """`attester` attests about `subject` on a settled gig."""
        evidence_hash = digest(evidence)
        call = self.registry.functions.attest(
            self.escrow.address,
            gig_id,
            self.story.parties[subject],
            score,
            skill(skill_name) if skill_name else "0x" + "00" * 32,
            evidence_hash,
        )
        receipt = self.senders[attester].transact(call)
        self._record(gig_id, receipt)
        self.story.attestations.append(
            (self.story.parties[attester], self.story.parties[subject], gig_id, score, skill_name,
             evidence_hash, receipt.transaction_hash)
        )

    def advance(self, seconds: int) -> None:
        """Moves the dev chain's clock forward and mines a block at the new time."""
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    def _record(self, gig_id: int, receipt: Receipt) -> None:
        names = tuple(event.name for event in receipt.events)
        self.story.transactions.setdefault(gig_id, []).append((names, receipt.transaction_hash))


def tell_story(w3: Web3) -> Story:
    """Deploys fresh contracts on `w3`'s chain and plays the whole story on them."""
    return StoryTeller(w3).tell()
