"""Gas per escrow and registry operation, first time and in steady state.

Deploys the shipped artifacts on eth-tester's py-evm (web3's EthereumTesterProvider)
and reads each transaction's receipt `gasUsed` (intrinsic gas included). Every
scenario runs twice with the same client and freelancer: the first run pays for
their records' first storage writes; the second is the steady state, a second gig
between two accounts that already have records. All gigs are ETH gigs with one
skill tag and no platform fee.

Targets are the issue's (steady state, ETH gig). The OpenZeppelin Escrow and
EAS figures are the issue's reference figures, not measured here; so is main's
cost of one fake completed gig before issue 11, measured with this scenario on
main's contracts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_tester import EthereumTester, PyEVMBackend
from web3 import EthereumTesterProvider, Web3

from gigledger.attestations import ATTESTATION_TYPES, DOMAIN_NAME, DOMAIN_VERSION
from gigledger.contracts import load_artifact
from gigledger.events import GigCreated, decode_log
from gigledger.gigs import Gig

ZERO_ADDRESS = "0x" + "00" * 20
DAY = 86_400
AMOUNT = 10**18
REVIEW_PERIOD = 3 * DAY
TERMS_HASH = b"\x11" * 32
DELIVERABLE_HASH = b"\x22" * 32
EVIDENCE_HASH = b"\x33" * 32
SKILL = b"python".ljust(32, b"\0")

# The steady-state targets for an ETH gig.
TARGETS = {"create_gig": 70_000, "accept": 35_000, "deliver": 35_000, "approve": 70_000, "attest": 60_000}
# The reference figures on the same EVM.
OPENZEPPELIN_ESCROW_DEPOSIT_WITHDRAW = 82_836
EAS_ATTEST = 272_217
# `fake_completed_gig` in steady state on main's contracts before issue 11 (commit 1f08127).
FAKE_COMPLETED_GIG_BEFORE = 251_483


@dataclass
class Chain:
    """A fresh eth-tester chain with the contracts deployed and funded accounts with keys."""

    tester: EthereumTester
    w3: Web3
    escrow: Any
    registry: Any
    accounts: dict[str, Any]  # role -> LocalAccount; "client" and "freelancer" are the current pair's
    pairs: list[tuple[Any, Any]]  # (client, freelancer) for each scenario
    gigs: dict[int, Gig] = field(default_factory=dict)  # gig id -> the gig as its events leave it
    spent: int = 0  # gas used by every transaction `gas` sent

    def cast(self, pair: int) -> None:
        """Makes scenario `pair`'s client and freelancer the ones that act."""
        self.accounts["client"], self.accounts["freelancer"] = self.pairs[pair]

    def gas(self, call: Any, sender: str) -> int:
        """Sends `call` from `sender`'s account, applies the escrow's events; returns gasUsed."""
        value = call.args[3] if call.fn_name == "create_gig" else 0
        tx_hash = call.transact({"from": self.accounts[sender].address, "value": value})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt.status == 1, f"{call.fn_name} reverted"
        self._apply(receipt)
        self.spent += receipt.gasUsed
        return receipt.gasUsed

    def wait(self, seconds: int) -> None:
        self.tester.time_travel(self.now() + seconds)

    def now(self) -> int:
        return self.w3.eth.get_block("latest").timestamp

    def _apply(self, receipt: Any) -> None:
        """Moves each gig the receipt's escrow events touch to its new state (SDK model)."""
        for log in receipt.logs:
            event = decode_log(log) if log.address == self.escrow.address else None
            if isinstance(event, GigCreated):
                self.gigs[event.gig_id] = Gig.created(event)
            elif event is not None and getattr(event, "gig_id", None) in self.gigs:
                self.gigs[event.gig_id] = self.gigs[event.gig_id].apply(event)


def deploy() -> Chain:
    """A fresh chain: registry, escrow (no fee), and funded accounts: the owner, an
    arbiter, a relayer, and a client and freelancer for each scenario."""
    tester = EthereumTester(PyEVMBackend())
    w3 = Web3(EthereumTesterProvider(tester))
    funder = w3.eth.accounts[0]
    keys = iter(range(0xB0, 0x100))

    def funded_account() -> Any:
        account = Account.from_key(next(keys).to_bytes(32, "big"))
        tester.add_account(account.key.hex())
        w3.eth.send_transaction({"from": funder, "to": account.address, "value": 1_000 * 10**18})
        return account

    accounts = {role: funded_account() for role in ("owner", "arbiter", "relayer")}
    pairs = [(funded_account(), funded_account()) for _ in SCENARIOS]

    def deploy_contract(name: str, *args: Any) -> Any:
        artifact = load_artifact(name)
        factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = w3.eth.wait_for_transaction_receipt(
            factory.constructor(*args).transact({"from": accounts["owner"].address})
        )
        return w3.eth.contract(address=receipt.contractAddress, abi=artifact["abi"])

    registry = deploy_contract("ReputationRegistry")
    escrow = deploy_contract("GigEscrow", registry.address, accounts["owner"].address, 0)
    registry.functions.announce_writer(escrow.address).transact({"from": accounts["owner"].address})
    return Chain(tester, w3, escrow, registry, accounts, pairs)


# ---------------------------------------------------------------- scenarios


def create(chain: Chain, measured: dict[str, int], milestones: list[int] | None = None, amount: int = AMOUNT) -> int:
    gig_id = chain.escrow.functions.next_gig_id().call()
    call = chain.escrow.functions.create_gig(
        chain.accounts["freelancer"].address,
        chain.accounts["arbiter"].address,
        ZERO_ADDRESS,
        amount,
        milestones or [],
        chain.now() + 7 * DAY,
        REVIEW_PERIOD,
        TERMS_HASH,
        [SKILL],
    )
    gas = chain.gas(call, "client")
    measured.setdefault("create_gig", gas)
    return gig_id


def step(chain: Chain, measured: dict[str, int], name: str, gig_id: int, sender: str, *args: Any) -> None:
    """Runs escrow function `name` on the gig as `sender` and records its gas under `name`."""
    call = getattr(chain.escrow.functions, name)(gig_id, chain.gigs[gig_id].as_tuple(), *args)
    measured.setdefault(name, chain.gas(call, sender))


def approve_and_attest(chain: Chain, measured: dict[str, int]) -> None:
    """The main road: create, accept, deliver, approve; the client attests and later
    revokes; the freelancer's attestation is signed and relayed by someone else."""
    gig_id = create(chain, measured)
    step(chain, measured, "accept", gig_id, "freelancer")
    step(chain, measured, "deliver", gig_id, "freelancer", DELIVERABLE_HASH)
    step(chain, measured, "approve", gig_id, "client")
    client, freelancer = chain.accounts["client"].address, chain.accounts["freelancer"].address
    attest = chain.registry.functions.attest(chain.escrow.address, gig_id, freelancer, 5, SKILL, EVIDENCE_HASH)
    measured["attest"] = chain.gas(attest, "client")
    deadline = chain.now() + DAY
    signature = sign_attestation(chain, "freelancer", gig_id, client, 4, deadline)
    relayed = chain.registry.functions.attest_by_signature(
        freelancer, chain.escrow.address, gig_id, client, 4, SKILL, EVIDENCE_HASH, deadline, signature
    )
    measured["attest_by_signature"] = chain.gas(relayed, "relayer")
    measured["revoke"] = chain.gas(chain.registry.functions.revoke(chain.escrow.address, gig_id, freelancer), "client")


def claim_after_review(chain: Chain, measured: dict[str, int]) -> None:
    gig_id = create(chain, {})
    step(chain, {}, "accept", gig_id, "freelancer")
    step(chain, {}, "deliver", gig_id, "freelancer", DELIVERABLE_HASH)
    chain.wait(REVIEW_PERIOD + 1)
    step(chain, measured, "claim", gig_id, "freelancer")


def release_milestones(chain: Chain, measured: dict[str, int]) -> None:
    gig_id = create(chain, {}, milestones=[AMOUNT // 2, AMOUNT - AMOUNT // 2])
    step(chain, {}, "accept", gig_id, "freelancer")
    step(chain, measured, "release_milestone", gig_id, "client")
    step(chain, {}, "release_milestone", gig_id, "client")


def refund_after_deadline(chain: Chain, measured: dict[str, int]) -> None:
    gig_id = create(chain, {})
    step(chain, {}, "accept", gig_id, "freelancer")
    chain.wait(7 * DAY + 1)
    step(chain, measured, "refund", gig_id, "client")


def dispute_and_resolve(chain: Chain, measured: dict[str, int]) -> None:
    gig_id = create(chain, {})
    step(chain, {}, "accept", gig_id, "freelancer")
    step(chain, {}, "deliver", gig_id, "freelancer", DELIVERABLE_HASH)
    step(chain, measured, "dispute", gig_id, "client")
    step(chain, measured, "resolve", gig_id, "arbiter", AMOUNT // 2)


def fake_completed_gig(chain: Chain, measured: dict[str, int]) -> None:
    """The cheapest reputation a pair of sybils can mint: a one-wei ETH gig in one
    milestone of one wei, released without a delivery, then a five-star attestation
    each way. Records the whole story's gas under `fake_completed_gig`."""
    before = chain.spent
    gig_id = create(chain, {}, amount=1, milestones=[1])
    step(chain, {}, "accept", gig_id, "freelancer")
    step(chain, {}, "release_milestone", gig_id, "client")
    client, freelancer = chain.accounts["client"].address, chain.accounts["freelancer"].address
    chain.gas(chain.registry.functions.attest(chain.escrow.address, gig_id, freelancer, 5, SKILL, EVIDENCE_HASH), "client")
    chain.gas(chain.registry.functions.attest(chain.escrow.address, gig_id, client, 5, SKILL, EVIDENCE_HASH), "freelancer")
    measured["fake_completed_gig"] = chain.spent - before


SCENARIOS: tuple[Callable[[Chain, dict[str, int]], None], ...] = (
    approve_and_attest,
    claim_after_review,
    release_milestones,
    refund_after_deadline,
    dispute_and_resolve,
    fake_completed_gig,
)
OPERATIONS = (
    "create_gig",
    "accept",
    "deliver",
    "approve",
    "claim",
    "release_milestone",
    "refund",
    "dispute",
    "resolve",
    "attest",
    "attest_by_signature",
    "revoke",
)


def sign_attestation(chain: Chain, signer: str, gig_id: int, subject: str, score: int, deadline: int) -> bytes:
    """`signer`'s EIP-712 attestation for the registry on this chain."""
    account = chain.accounts[signer]
    domain = {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain.w3.eth.chain_id,
        "verifyingContract": chain.registry.address,
    }
    message = {
        "escrow": chain.escrow.address,
        "gigId": gig_id,
        "subject": subject,
        "score": score,
        "skill": SKILL,
        "evidence": EVIDENCE_HASH,
        "nonce": chain.registry.functions.nonces(account.address).call(),
        "deadline": deadline,
    }
    return bytes(Account.sign_typed_data(account.key, domain, ATTESTATION_TYPES, message).signature)


def measure_rounds() -> tuple[dict[str, int], dict[str, int]]:
    """Gas per operation: the first time for each scenario's two parties, then in
    steady state (the same scenario again, between the same two parties)."""
    chain = deploy()
    first: dict[str, int] = {}
    steady: dict[str, int] = {}
    for measured in (first, steady):
        for pair, scenario in enumerate(SCENARIOS):
            chain.cast(pair)
            scenario(chain, measured)
    return first, steady


# ---------------------------------------------------------------- report


def run() -> list[dict]:
    """Benchmark rows: each operation first-time and steady (against first-time), with
    the issue's targets, then the issue's reference comparisons."""
    first, steady = measure_rounds()
    rows = []
    for operation in OPERATIONS:
        rows.append(_row(f"{operation}, first time", first[operation]))
        target = TARGETS.get(operation)
        note = "vs first time"
        if target:
            note += f"; issue target <= {target:,}: {'met' if steady[operation] <= target else 'MISSED'}"
        rows.append(_row(f"{operation}, steady state", steady[operation], first[operation], note))
    rows.append(
        _row(
            "fund and pay out (create_gig + approve), steady",
            steady["create_gig"] + steady["approve"],
            OPENZEPPELIN_ESCROW_DEPOSIT_WITHDRAW,
            "reference figure (issue): OpenZeppelin Escrow deposit + withdraw, no states",
        )
    )
    rows.append(
        _row("attest, steady", steady["attest"], EAS_ATTEST, "reference figure (issue): EAS attest, same payload")
    )
    rows.append(
        _row(
            "one fake completed gig (1 wei, one milestone, a 5-star attestation each way), steady",
            steady["fake_completed_gig"],
            FAKE_COMPLETED_GIG_BEFORE,
            "baseline: the same story on main before issue 11; gas only: with a minimum gig amount set "
            "for the token, each fake gig must also escrow at least that minimum and pay the fee on it, rounded up",
        )
    )
    return rows


def _row(benchmark: str, value: int, baseline: int | None = None, note: str = "") -> dict:
    return {
        "benchmark": benchmark,
        "value": value,
        "unit": "gas",
        "baseline": baseline,
        "ratio": round(value / baseline, 2) if baseline else None,
        "note": note,
    }


def main() -> int:
    rows = run()
    width = max(len(row["benchmark"]) for row in rows)
    print(f"{'benchmark':<{width}}  {'gas':>9}  {'baseline':>9}  {'ratio':>5}  note")
    for row in rows:
        baseline = f"{row['baseline']:,}" if row["baseline"] else ""
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else ""
        print(f"{row['benchmark']:<{width}}  {row['value']:>9,}  {baseline:>9}  {ratio:>5}  {row['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
