"""Signed attestations under random interleavings, held to `escrow_model.Model`.

Gigs settle (or stay live, or are cancelled) between key-holding accounts,
contract wallets (`FickleWallet.vy`, ERC-1271) and a contract that has no
`isValidSignature` at all. Attesters sign attestations off-chain, with their next
nonce or one further ahead, for any gig and subject (or someone else signs in
their name); anyone submits them, in any order, again (replays), late, or with the
score changed. Attesters invalidate nonces, attest directly and revoke, and
wallets change their answer between signing and submitting: they vouch, vouch for
anything, refuse, revert, answer garbage or the magic value right-aligned, or burn
all their gas (and a reverting or gas-burning wallet refuses ETH payouts too).

Every call is sent with a wallet's gas limit (GAS), and must revert exactly when
the model refuses it, and otherwise log what the model expects; so a hostile
wallet (a party to the gig in any mode, or turning on a signature it vouched for)
never makes another party's attestation, or any settlement, fail, and never lets
its own signature land. After every step:

- each gig's slot holds exactly the attestation tickets the model expects: an
  attestation exists on chain iff it was validly made and not revoked;
- the attestations the registry's logs leave standing are the model's, and each is
  between the two parties of a gig the escrow says settled between them;
- the registry's counters, volumes and nonces are the model's;
- every nonce an attester moved past went to exactly one landed signature or one
  invalidation: an invalidated or used nonce never lands.

A wallet that answers with its calldata's first word is left out of the modes
drawn here: the registry reads that as the magic value (see test_erc1271_answers).

`GIGLEDGER_FUZZ=deep` runs many more, longer examples than CI does.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from functools import partial

import boa
from chain_logs import Event, logs_of
from deployed import Cast, Contracts, Wallet
from escrow_model import DAY, SETTLED, ZERO_ADDRESS, Model, Refused, settled_parties
from eth_account import Account
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from signed_attestations import sign_attestation
from wallet_model import HOSTILE, Mode, rejects_eth, vouches

PROFILES = {
    "ci": settings(max_examples=120, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)),
    "deep": settings(max_examples=500, stateful_step_count=60, deadline=None, suppress_health_check=list(HealthCheck)),
}
HASH = b"\x5a" * 32
SKILL = b"solidity".ljust(32, b"\0")
# Someone who holds no party's key and signs in their names.
FORGER = Account.from_key((99).to_bytes(32, "big"))
# How a gig ends, as the steps that take it there: (operation, by whom) each.
ENDINGS = {
    "approved": (("accept", "freelancer"), ("deliver", "freelancer"), ("approve", "client")),
    "claimed": (("accept", "freelancer"), ("deliver", "freelancer"), ("claim", "freelancer")),
    "refunded": (("accept", "freelancer"), ("refund", "client")),
    "resolved": (("accept", "freelancer"), ("deliver", "freelancer"), ("dispute", "client"), ("resolve", "arbiter")),
    "cancelled": (("cancel", "client"),),
    "left accepted": (("accept", "freelancer"),),
}
# The gas every settlement and attestation is sent with, as a wallet would set it:
# whatever a hostile wallet does with the gas it is given must leave enough of it.
GAS = 1_000_000
# A few gigs per run leave most steps to signatures.
MAX_GIGS = 6
MAX_WAITS = 3
DEADLINE = 2 * DAY
REVIEW_PERIOD = DAY
# Time an operation waits for: a claim for the review period, a refund for the deadline.
WAITS_FOR = {"claim": REVIEW_PERIOD, "refund": DEADLINE + 1}
MODES = st.sampled_from([Mode.VOUCHES, Mode.VOUCHES, Mode.VOUCHES_FOR_ANYTHING, *HOSTILE])


def mostly(usual: st.SearchStrategy, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` seven times in eight, else `unusual`: most signatures should land."""
    return st.integers(0, 7).flatmap(lambda draw: unusual if draw == 3 else usual)


# Who a party is, by index into the machine's parties: three accounts, three wallets
# and the contract without ERC-1271.
parties = st.integers(0, 6)
# Who attests about whom on a gig: mostly one party about the other.
attesters = mostly(st.sampled_from(["client", "freelancer"]), st.sampled_from(["arbiter", "stranger"]))
subjects = mostly(st.just("other"), st.sampled_from(["self", "arbiter"]))
scores = mostly(st.integers(1, 5), st.sampled_from([0, 6]))
# A gig: mostly a settled one.
picks = st.tuples(mostly(st.just(True), st.just(False)), st.integers(0, 10**6))
# How far ahead of the attester's next nonce a signature is made.
aheads = mostly(st.just(0), st.integers(1, 2))
unusually = mostly(st.just(False), st.just(True))


@dataclass(frozen=True)
class Signed:
    """An attestation signed off-chain: what it says, in whose name, by whose key."""

    attester: str
    signer: str  # the address whose key made the signature
    gig_id: int
    subject: str
    score: int
    nonce: int
    deadline: int
    signature: bytes


@dataclass(frozen=True)
class Landed:
    """A signature the registry accepted, and the nonce it spent: the signature's
    own, unless its attester's wallet vouches for anything (then whatever nonce
    was next; such a wallet cannot withdraw what it signed)."""

    signed: Signed
    nonce: int  # the attester's nonce on chain just before
    by_key: bool  # the attester's key (or its wallet's key holder) vouched, not a wallet that vouches for anything


class AttestationMachine(RuleBasedStateMachine):
    """Settles gigs, signs, submits, invalidates, revokes and changes wallets' minds,
    holding the registry and escrow to the model after every step."""

    signed = Bundle("signed")

    def __init__(self, contracts: Contracts, cast: Cast, wallets: tuple[Wallet, ...]) -> None:
        super().__init__()
        self.escrow = contracts.escrow
        self.registry = contracts.registry
        self.wallets = {wallet.address: wallet for wallet in wallets}
        self.modes = {address: Mode.VOUCHES for address in self.wallets}
        self.keys = {signer.address: signer for signer in cast.signers}  # the arbiter signs too
        self.accounts = tuple(signer.address for signer in cast.signers[:3])
        self.no_erc1271 = cast.eth_rejecting_party  # a contract with no isValidSignature, that reverts
        self.parties = (*self.accounts, *self.wallets, self.no_erc1271)
        self.arbiter = cast.signers[3].address
        self.model = Model(boa.env.evm.patch.timestamp, cast.treasury, {self.no_erc1271}, {})
        self.registry_logs: list[Event] = []  # every attestation log the registry emitted, in order
        self.landed: list[Landed] = []  # the signatures the registry accepted
        self.invalidated: list[tuple[str, int]] = []  # (attester, nonce) per NonceInvalidated log
        self.outstanding: list[Signed] = []  # signed, with a nonce not yet past
        self.submitted: set[Signed] = set()
        self.refused: set[Signed] = set()
        self.waits = 0

    # ------------------------------------------------------------ driving

    def _drive(self, label: str, predict, call, contract) -> bool:
        """The contract must revert exactly when the model refuses, and otherwise log
        exactly the model's events. Returns whether the call went through."""
        try:
            expected = predict()
        except Refused:
            with boa.reverts():
                call()
            event(f"{label}: refused")
            return False
        call()
        event(f"{label}: done")
        logs = logs_of(contract)
        assert logs == expected, label
        if contract is self.registry:
            self.registry_logs += logs
        return True

    def _wait(self, seconds: int) -> None:
        if seconds:
            boa.env.time_travel(seconds=seconds)
            self.model.time_passes(seconds)

    def _kind(self, account: str) -> str:
        """How an attester signs, for the coverage report."""
        if account in self.wallets:
            return f"wallet {self.modes[account].name}"
        return "contract without ERC-1271" if account == self.no_erc1271 else "account"

    def _gig_and_parties(self, pick, attester_role: str, subject_role: str) -> tuple[int, str, str]:
        """A gig and an attester and subject on it; `aimed`, a settled gig, on which
        the attester (if a party) has not attested yet, if there is one."""
        aimed, index = pick
        settled = [gig_id for gig_id, record in self.model.gigs.items() if record.gig.state & SETTLED]
        unused = [
            gig_id
            for gig_id in settled
            if attester_role not in ("client", "freelancer")
            or not self.model.gigs[gig_id].tickets.get(getattr(self.model.gigs[gig_id].gig, attester_role))
        ]
        candidates = ((unused or settled) if aimed else []) or list(self.model.gigs)
        gig_id = candidates[index % len(candidates)]
        gig = self.model.gigs[gig_id].gig
        strangers = [p for p in self.parties if p not in gig.parties()]
        attester = {
            "client": gig.client,
            "freelancer": gig.freelancer,
            "arbiter": gig.arbiter,
            "stranger": strangers[index % len(strangers)],
        }[attester_role]
        other = gig.freelancer if attester == gig.client else gig.client
        subject = {"other": other, "self": attester, "arbiter": gig.arbiter}[subject_role]
        return gig_id, attester, subject

    def _attested(self, gig_id: int, attester: str, subject: str, score: int) -> list[Event]:
        fields = {"attester": attester, "subject": subject, "gig_id": gig_id, "escrow": self.escrow.address}
        return [("Attested", {**fields, "score": score, "skill": SKILL, "evidence_hash": HASH})]

    # ------------------------------------------------------------ rules: gigs

    @precondition(lambda self: len(self.model.gigs) < MAX_GIGS)
    @rule(
        client=parties,
        freelancer=parties,
        ending=st.sampled_from(sorted(ENDINGS)),
        amount=st.integers(1, 10**18),
        share=st.integers(0, 4),
        moods=st.tuples(MODES, MODES),
    )
    def settle_a_gig(self, client, freelancer, ending, amount, share, moods):
        """A gig between two parties (an account, a wallet, the contract without
        ERC-1271), taken to an end: every step must go through. A wallet among the
        parties first takes its mood from `moods` (a hostile one refuses ETH too)."""
        client = self.parties[client]
        freelancer = self.parties[(self.parties.index(client) + 1 + freelancer % 6) % 7]
        for party, mood in zip((client, freelancer), moods, strict=True):
            if party in self.wallets:
                self._set_mode(party, mood)
        deadline = self.model.now + DEADLINE

        def create():
            with boa.env.prank(client):
                self.escrow.create_gig(freelancer, self.arbiter, ZERO_ADDRESS, amount, [], deadline, REVIEW_PERIOD, HASH, [SKILL], value=amount)

        def predict_create():
            _, events = self.model.create_gig(client, freelancer, self.arbiter, ZERO_ADDRESS, amount, [], deadline, REVIEW_PERIOD, amount)
            return events

        assert self._drive("create_gig", predict_create, create, self.escrow)
        gig_id = len(self.model.gigs)
        for operation, role in ENDINGS[ending]:
            self._wait(WAITS_FOR.get(operation, 0))
            gig = self.model.gigs[gig_id].gig
            caller = getattr(gig, role)
            args = ((gig.amount * share // 4),) if operation == "resolve" else ()
            escrow_args = (HASH,) if operation == "deliver" else args

            def call(operation=operation, caller=caller, gig=gig, escrow_args=escrow_args):
                with boa.env.prank(caller):
                    getattr(self.escrow, operation)(gig_id, gig.as_tuple(), *escrow_args, gas=GAS)

            def predict(operation=operation, caller=caller, args=args):
                return getattr(self.model, operation)(gig_id, caller, *args)

            hostile = [self._kind(p) for p in gig.parties() if p in self.wallets and self.modes[p] in HOSTILE]
            assert self._drive(operation, predict, call, self.escrow), (operation, hostile)

    @initialize(client=parties, freelancer=parties, ending=st.sampled_from(["approved", "claimed", "resolved"]))
    def start_with_a_settled_gig(self, client, freelancer, ending):
        """Attestations need a settled gig: every run starts with one."""
        self.settle_a_gig(client, freelancer, ending, 10**18, 2, (Mode.VOUCHES, Mode.VOUCHES))

    @precondition(lambda self: self.outstanding and self.waits < MAX_WAITS)
    @rule(seconds=st.sampled_from([DAY // 2, DAY, 3 * DAY]))
    def time_passes(self, seconds):
        """Signatures' deadlines come and go (a few times a run: hypothesis would
        otherwise spend many steps on this one)."""
        self.waits += 1
        self._wait(seconds)

    # ------------------------------------------------------------ rules: wallets

    @rule(pick=st.integers(0, 10**6), mode=MODES)
    def a_wallet_changes_its_mind(self, pick, mode):
        """From the next call on, a wallet (mostly one with signatures outstanding)
        answers, and takes ETH, differently."""
        signing = [s.attester for s in self.outstanding if s.attester in self.wallets]
        self._set_mode((signing or list(self.wallets))[pick % len(signing or self.wallets)], mode)

    @precondition(lambda self: self._vouched_next_in_line())
    @rule(
        pick=st.integers(0, 10**6),
        modes=st.permutations(HOSTILE),
        submitter=parties,
        relents=st.booleans(),
    )
    def a_wallet_turns_on_its_signature(self, pick, modes, submitter, relents):
        """A wallet whose key holder signed answers every hostile way in turn (in the
        order `modes`) when the signature is submitted: it must never land, whoever
        submits it. `relents`: the wallet vouches again and the signature is submitted once
        more. Mostly a signature that would land but for the wallet's answer."""
        candidates = self._vouched_next_in_line()
        candidates = [s for s in candidates if self._would_land(s)] or candidates
        signed = candidates[pick % len(candidates)]
        for mode in modes:
            self._set_mode(signed.attester, mode)
            self.submit(signed, submitter, changed=False)
        if relents:
            self._set_mode(signed.attester, Mode.VOUCHES)
            self.submit(signed, submitter, changed=False)

    def _vouched_next_in_line(self) -> list[Signed]:
        """Signatures by wallets' key holders, next in line (what the wallet answers
        is up to the wallet when they are submitted)."""
        return [s for s in self._next_in_line() if s.attester in self.wallets and s.signer == self.wallets[s.attester].holder.address]

    def _would_land(self, signed: Signed) -> bool:
        """Whether the model would take the signature if its attester vouched for it."""
        trial = copy.deepcopy(self.model)
        try:
            trial.attest_by_signature(signed.gig_id, signed.attester, signed.subject, signed.score, signed.deadline, lambda _: True)
        except Refused:
            return False
        return True

    def _set_mode(self, wallet: str, mode: Mode) -> None:
        self.wallets[wallet].contract.set_mode(int(mode))
        self.modes[wallet] = mode
        if rejects_eth(mode):
            self.model.rejects_eth.add(wallet)
        else:
            self.model.rejects_eth.discard(wallet)

    # ------------------------------------------------------------ rules: attestations

    @precondition(lambda self: self.model.gigs)
    @rule(
        target=signed,
        pick=picks,
        attester_role=attesters,
        subject_role=subjects,
        score=scores,
        ahead=aheads,
        lifetime=mostly(st.just(10 * DAY), st.sampled_from([0, DAY])),
        forged=unusually,
    )
    def sign(self, pick, attester_role, subject_role, score, ahead, lifetime, forged):
        """An attester signs an attestation off-chain, with its next nonce or one
        further ahead; or, `forged`, someone without its key signs in its name."""
        gig_id, attester, subject = self._gig_and_parties(pick, attester_role, subject_role)
        key = FORGER
        if not forged and attester in self.keys:
            key = self.keys[attester]
        elif not forged and attester in self.wallets:
            key = self.wallets[attester].holder
        nonce = self.model.nonces.get(attester, 0) + ahead
        deadline = self.model.now + lifetime
        signature = sign_attestation(key.key, self.registry, self.escrow.address, gig_id, subject, score, SKILL, HASH, nonce, deadline)
        signed = Signed(attester, key.address, gig_id, subject, score, nonce, deadline, signature)
        self.outstanding.append(signed)
        return signed

    @precondition(lambda self: self._next_in_line())
    @rule(pick=st.integers(0, 10**6), submitter=parties, changed=unusually)
    def submit_the_next(self, pick, submitter, changed):
        """Anyone submits a signature made with its attester's next nonce, one not
        submitted before if there is one (most of these should land)."""
        next_in_line = self._next_in_line()
        untried = [s for s in next_in_line if s not in self.submitted] or next_in_line
        self.submit(untried[pick % len(untried)], submitter, changed)

    def _next_in_line(self) -> list[Signed]:
        return [s for s in self.outstanding if s.nonce == self.model.nonces.get(s.attester, 0)]

    @rule(signed=signed, submitter=parties, changed=unusually)
    def submit(self, signed, submitter, changed):
        """Anyone submits any signed attestation, perhaps again, perhaps late, perhaps
        ahead of its turn, perhaps with its score `changed` from the one signed."""
        self.submitted.add(signed)
        score = signed.score % 5 + 1 if changed else signed.score
        nonce = self.registry.nonces(signed.attester)  # the one the registry's digest will carry

        def predict():
            vouches = partial(self._vouches, signed, exactly_as_signed=not changed)
            self.model.attest_by_signature(signed.gig_id, signed.attester, signed.subject, score, signed.deadline, vouches)
            return self._attested(signed.gig_id, signed.attester, signed.subject, score)

        def call():
            with boa.env.prank(self.parties[submitter]):
                self.registry.attest_by_signature(
                    signed.attester,
                    self.escrow.address,
                    signed.gig_id,
                    signed.subject,
                    score,
                    SKILL,
                    HASH,
                    signed.deadline,
                    signed.signature,
                    gas=GAS,
                )

        event(f"submitted: {self._situation(signed, nonce, changed)}")
        if not self._drive(f"attest_by_signature ({self._kind(signed.attester)})", predict, call, self.registry):
            self.refused.add(signed)
            return
        if signed in self.refused:
            event("attest_by_signature: landed after it was refused")
        self.landed.append(Landed(signed, nonce, self.modes.get(signed.attester) != Mode.VOUCHES_FOR_ANYTHING))
        self._forget_spent()

    def _situation(self, signed: Signed, nonce: int, changed: bool) -> str:
        """What is special about a submission, for the coverage report."""
        record = self.model.gigs.get(signed.gig_id)
        return next(
            (
                label
                for label, applies in (
                    ("late", self.model.now > signed.deadline),
                    ("nonce used or invalidated", signed.nonce < nonce),
                    ("nonce ahead", signed.nonce > nonce),
                    ("forged", signed.signer == FORGER.address),
                    ("changed", changed),
                    ("already attested", record is not None and record.tickets.get(signed.attester, 0) != 0),
                )
                if applies
            ),
            "fresh",
        )

    def _vouches(self, signed: Signed, nonce: int, exactly_as_signed: bool) -> bool:
        """Whether the attester stands behind the message as submitted, with the
        registry's `nonce`: an account if its key signed exactly that, a wallet if
        its answer says so, the contract without ERC-1271 never."""
        by_key = exactly_as_signed and signed.nonce == nonce
        if signed.attester in self.wallets:
            by_key = by_key and signed.signer == self.wallets[signed.attester].holder.address
            return vouches(self.modes[signed.attester], by_key)
        return signed.attester in self.keys and by_key and signed.signer == signed.attester

    @precondition(lambda self: self.outstanding)
    @rule(pick=st.integers(0, 10**6), anyone=unusually)
    def invalidate_nonce(self, pick, anyone):
        """An attester gives up its next nonce, withdrawing what it signed with it:
        mostly one with signatures outstanding, else `anyone`."""
        attester = self.parties[pick % len(self.parties)] if anyone else self.outstanding[pick % len(self.outstanding)].attester

        def predict():
            return [("NonceInvalidated", {"attester": attester, "nonce": self.model.invalidate_nonce(attester)})]

        def call():
            with boa.env.prank(attester):
                self.registry.invalidate_nonce()

        self._drive(f"invalidate_nonce ({self._kind(attester)})", predict, call, self.registry)
        self.invalidated.append((attester, self.registry_logs[-1][1]["nonce"]))
        self._forget_spent()

    def _forget_spent(self) -> None:
        """Signatures whose nonce is past can never land (they stay in the bundle, to be replayed)."""
        self.outstanding = [s for s in self.outstanding if s.nonce >= self.model.nonces.get(s.attester, 0)]

    @precondition(lambda self: self.model.gigs)
    @rule(pick=picks, attester_role=attesters, subject_role=subjects, score=scores)
    def attest_directly(self, pick, attester_role, subject_role, score):
        """A party attests in its own transaction, whatever its wallet answers."""
        gig_id, attester, subject = self._gig_and_parties(pick, attester_role, subject_role)

        def predict():
            self.model.attest(gig_id, attester, subject, score)
            return self._attested(gig_id, attester, subject, score)

        def call():
            with boa.env.prank(attester):
                self.registry.attest(self.escrow.address, gig_id, subject, score, SKILL, HASH, gas=GAS)

        self._drive(f"attest ({self._kind(attester)} about {self._kind(subject)})", predict, call, self.registry)

    @precondition(lambda self: any(r.tickets for r in self.model.gigs.values()))
    @rule(pick=picks, attester_role=attesters, subject_role=subjects)
    def revoke(self, pick, attester_role, subject_role):
        gig_id, attester, subject = self._gig_and_parties(pick, attester_role, subject_role)

        def predict():
            score = self.model.revoke(gig_id, attester, subject)
            fields = {"attester": attester, "subject": subject, "gig_id": gig_id, "escrow": self.escrow.address}
            return [("AttestationRevoked", {**fields, "score": score})]

        def call():
            with boa.env.prank(attester):
                self.registry.revoke(self.escrow.address, gig_id, subject)

        self._drive(f"revoke ({self._kind(attester)})", predict, call, self.registry)

    # ------------------------------------------------------------ invariants

    @invariant()
    def attestations_on_chain_are_the_models(self):
        """Each gig's slot holds its tickets: attested (with the score) or revoked exactly
        as the model says, and nothing on a gig that did not settle."""
        stored = self.escrow._storage.gig_commitment.get()
        assert {gig_id: stored.get(gig_id) for gig_id in self.model.gigs} == {
            gig_id: record.commitment() for gig_id, record in self.model.gigs.items()
        }

    @invariant()
    def logged_attestations_stand_between_settled_parties(self):
        """The registry's logs leave standing exactly the model's attestations, and
        each is about the other party of a gig the escrow says settled between them."""
        standing: dict[tuple[int, str, str], int] = {}
        for name, args in self.registry_logs:
            if name == "Attested":
                key = (args["gig_id"], args["attester"], args["subject"])
                assert key not in standing, key
                standing[key] = args["score"]
            elif name == "AttestationRevoked":
                key = (args["gig_id"], args["attester"], args["subject"])
                assert standing.pop(key) == args["score"], key
        assert standing == {
            (gig_id, attester, subject): score
            for gig_id, record in self.model.gigs.items()
            for attester, score in record.tickets.items()
            if score < 128
            for subject in record.gig.parties()
            if subject != attester
        }
        # the escrow's `is_settled_between`, read from its storage (a call per attestation per step costs too much)
        stored = self.escrow._storage.gig_commitment.get()
        for gig_id, attester, subject in standing:
            parties = int.from_bytes(stored[gig_id], "big") >> 16 << 16
            assert attester != subject
            assert parties in (settled_parties(attester, subject), settled_parties(subject, attester)), (gig_id, attester, subject)

    @invariant()
    def counters_volumes_and_nonces_are_the_models(self):
        counters = self.registry._storage.counters.get()
        for account in {*counters, *self.model.counters}:
            packed = counters.get(account, 0)
            assert [(packed >> (32 * i)) & (2**32 - 1) for i in range(8)] == self.model.summary(account), account
        stored_volumes = {
            (account, token): [packed >> 128, packed & (2**128 - 1)]
            for account, by_token in self.registry._storage.volumes.get().items()
            for token, packed in by_token.items()
            if packed
        }
        assert stored_volumes == {key: value for key, value in self.model.volumes.items() if any(value)}
        stored_nonces = {account: nonce for account, nonce in self.registry._storage.nonces.get().items() if nonce}
        assert stored_nonces == {account: nonce for account, nonce in self.model.nonces.items() if nonce}

    @invariant()
    def each_spent_nonce_went_once(self):
        """An attester's nonces below the registry's are each spent exactly once: by a
        signature that landed or by an invalidation, never both, never twice; and a
        signature lands only on its own nonce, so never on one invalidated or used."""
        nonces = self.registry._storage.nonces.get()
        for attester in (*self.parties, self.arbiter):
            spent = sorted(
                [landed.nonce for landed in self.landed if landed.signed.attester == attester]
                + [nonce for who, nonce in self.invalidated if who == attester]
            )
            assert spent == list(range(nonces.get(attester, 0))), attester
        for landed in self.landed:
            assert not landed.by_key or landed.signed.nonce == landed.nonce, landed


def test_signed_attestations_keep_their_invariants(contracts: Contracts, cast: Cast, wallets: tuple[Wallet, ...]) -> None:
    profile = PROFILES[os.environ.get("GIGLEDGER_FUZZ", "ci")]
    run_state_machine_as_test(lambda: AttestationMachine(contracts, cast, wallets), settings=profile)
