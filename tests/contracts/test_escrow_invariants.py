"""Random sequences of every escrow and registry operation, by several accounts,
with time moving and ETH, plain ERC-20 and fee-on-transfer gigs mixed, checked
after every step against `escrow_model.Model`:

- the escrow holds of each token exactly what it owes (live gigs' unpaid amounts
  plus outstanding credits), and the credits are the model's;
- no gig pays out more than it took, and a settled gig paid out all of it;
- states only move forward, and each gig's slot holds the commitment to the
  gig (or, once settled, to its parties and their tickets) the model expects;
- the registry's counters, volumes and nonces are what the settled gigs imply,
  and its logs alone rebuild every account's counters and volumes;
- each gig's fees add up to the fee on what the freelancer was paid in total,
  rounded up; a stale dispute over an undelivered gig always refunds the client;
- whatever the registry's owner did (retiring the escrow, announcing another
  writer), every live gig can still be settled and the escrow ends up holding
  only its credits.

`GIGLEDGER_FUZZ=deep` runs many more, longer examples than CI does.
"""

from __future__ import annotations

import os

import boa
from chain_logs import logs_of
from deployed import FEE_TOKEN_BPS, Cast, Contracts
from escrow_model import (
    ARBITRATION_PERIOD,
    BPS,
    DAY,
    LIVE,
    SETTLED,
    ZERO_ADDRESS,
    Event,
    Model,
    Refused,
    State,
    fee_on,
)
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from signed_attestations import sign_attestation

PROFILES = {
    "ci": settings(max_examples=200, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)),
    "deep": settings(
        max_examples=2_000, stateful_step_count=80, deadline=None, suppress_health_check=list(HealthCheck)
    ),
}
HASH = b"\x5a" * 32
SKILL = b"solidity".ljust(32, b"\0")


def mostly(usual: st.SearchStrategy, unusual: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` about fifteen times in sixteen, else `unusual`: most calls should get
    somewhere. (The unusual draw is not at either end of the range, which hypothesis
    favours.)"""
    return st.integers(0, 15).flatmap(lambda draw: unusual if draw == 7 else usual)


amounts = mostly(st.integers(10**3, 10**22), st.integers(1, 50))
# How long to wait before a step: often not at all, else past the usual deadlines and periods.
waits = st.one_of(st.just(0), st.sampled_from([DAY, 3 * DAY, 8 * DAY, 31 * DAY]), st.integers(1, 40 * DAY))
deadlines = mostly(st.integers(1, 30 * DAY), st.sampled_from([-DAY, 0]))
review_periods = mostly(st.sampled_from([DAY, 3 * DAY, 90 * DAY]), st.sampled_from([0, DAY - 1, 90 * DAY + 1]))
milestone_weights = mostly(
    st.one_of(st.just([]), st.lists(st.integers(1, 5), min_size=1, max_size=4), st.just([1] * 16)),
    st.just([1] * 17),
)
# Who takes which part in a new gig (client, freelancer, arbiter): mostly as the rules allow.
castings = mostly(st.permutations(range(5)), st.sampled_from([(0, 0, 1), (0, 1, 0), (0, 1, 1)]))
# A gig to act on: `aimed` picks among gigs in a state the operation expects.
picks = st.tuples(st.booleans(), st.integers(0, 10**6))
# Who calls: mostly whoever normally does; sometimes anyone in the cast.
roles = st.sampled_from(["usual", "usual", "usual", "client", "freelancer", "arbiter", "anyone"])
anyones = st.integers(0, 4)
# What the arbiter gives the freelancer, in quarters of what is held; 5: more than is held.
shares = st.one_of(st.sampled_from([0, 2, 4]), st.integers(0, 5))

# Per gig operation: the states a gig is in when it makes sense, and who makes it.
GIG_OPERATIONS = {
    "accept": (State.OPEN, "freelancer"),
    "deliver": (State.ACCEPTED, "freelancer"),
    "resolve": (State.DISPUTED, "arbiter"),
    "cancel": (State.OPEN, "client"),
    "approve": (State.DELIVERED, "client"),
    "claim": (State.DELIVERED, "freelancer"),
    "refund": (State.ACCEPTED, "client"),
    "dispute": (State.ACCEPTED | State.DELIVERED, "party"),
    "release_milestone": (State.ACCEPTED | State.DELIVERED, "client"),
    "resolve_stale_dispute": (State.DISPUTED, "party"),
}
# What usually comes next for a gig in each live state.
NEXT_STEPS = {
    State.OPEN: ("accept", "accept", "accept", "cancel"),
    State.ACCEPTED: ("deliver", "deliver", "release_milestone", "dispute", "refund"),
    State.DELIVERED: ("approve", "claim", "dispute", "release_milestone"),
    State.DISPUTED: ("resolve", "resolve_stale_dispute"),
}


class EscrowMachine(RuleBasedStateMachine):
    """Drives the deployed contracts and holds them to the model after every step."""

    def __init__(self, contracts: Contracts, cast: Cast) -> None:
        super().__init__()
        self.contracts = contracts
        self.escrow = contracts.escrow
        self.registry = contracts.registry
        self.cast = cast
        self.tokens = contracts.token_addresses
        self.model = Model(
            boa.env.evm.patch.timestamp,
            cast.treasury,
            {cast.eth_rejecting_party},
            {contracts.plain_token.address: contracts.blocked},
        )
        self.paid_out: dict[int, int] = {}  # per gig, what the escrow's logs say left for it
        self.freelancer_pay: dict[int, tuple[int, int]] = {}  # per gig, (paid before fees, fees) by the logs
        self.stale_undelivered: dict[int, list[Event]] = {}  # per gig, the logs of its undelivered stale dispute
        self.registry_logs: list[Event] = []  # every log the registry emitted, in order
        self.fee_changes = 0
        self.owner_actions = 0

    # ------------------------------------------------------------ driving

    def _drive(self, label: str, predict, call, contract=None) -> None:
        """Asks the model for the outcome; the contract must revert exactly when the
        model refuses, and otherwise log exactly the model's events."""
        try:
            expected = predict()
        except Refused:
            with boa.reverts():
                call()
            event(f"{label}: refused")
            return
        call()
        event(f"{label}: done")
        logs = self._logs(contract or self.escrow)
        assert logs == expected
        self._count_payouts(logs)
        self.registry_logs += logs if contract is self.registry else self._logs(self.registry, source=self.escrow)

    def _logs(self, contract, source=None) -> list[Event]:
        return logs_of(contract, source)

    def _count_payouts(self, logs: list[Event]) -> None:
        for name, args in logs:
            out = {
                "GigCancelled": lambda a: a["refund"],
                "MilestoneReleased": lambda a: a["amount"],
                "GigReleased": lambda a: a["amount"],
                "GigRefunded": lambda a: a["amount"],
                "GigResolved": lambda a: a["to_client"] + a["to_freelancer"],
            }.get(name)
            if out is not None:
                self.paid_out[args["gig_id"]] = self.paid_out.get(args["gig_id"], 0) + out(args)
            to_freelancer = {
                "MilestoneReleased": lambda a: a["amount"],
                "GigReleased": lambda a: a["amount"],
                "GigResolved": lambda a: a["to_freelancer"],
            }.get(name)
            if to_freelancer is not None:
                paid, fees = self.freelancer_pay.get(args["gig_id"], (0, 0))
                self.freelancer_pay[args["gig_id"]] = (paid + to_freelancer(args), fees + args["fee"])

    def _target(self, pick: tuple[bool, int], states: State) -> int:
        aimed, index = pick
        candidates = [gig_id for gig_id, r in self.model.gigs.items() if r.gig.state & states] if aimed else []
        candidates = candidates or list(self.model.gigs)
        return candidates[index % len(candidates)]

    def _caller(self, gig_id: int, role: str, usual: str, anyone: int) -> str:
        gig = self.model.gigs[gig_id].gig
        if role == "usual":
            role = ("client", "freelancer")[anyone % 2] if usual == "party" else usual
        chosen = {"client": gig.client, "freelancer": gig.freelancer, "arbiter": gig.arbiter}.get(role, ZERO_ADDRESS)
        return chosen if chosen != ZERO_ADDRESS else self.cast.actors[anyone]

    def _operate(self, operation: str, gig_id: int, caller: str, share: int) -> None:
        """Calls a gig operation as `caller`, with the arguments it takes beyond the gig."""
        gig = self.model.gigs[gig_id].gig
        escrow_args, model_args = (), ()
        if operation == "deliver":
            escrow_args = (HASH,)
        elif operation == "resolve":
            to_freelancer = (gig.amount - gig.paid) * share // 4 + (share == 5)
            escrow_args = model_args = (to_freelancer,)

        def call():
            with boa.env.prank(caller):
                getattr(self.escrow, operation)(gig_id, gig.as_tuple(), *escrow_args)

        self._drive(operation, lambda: getattr(self.model, operation)(gig_id, caller, *model_args), call)
        stale_undelivered = operation == "resolve_stale_dispute" and gig.state == State.DISPUTED and not gig.delivered_at
        if stale_undelivered and self.model.gigs[gig_id].gig.state & SETTLED:
            self.stale_undelivered[gig_id] = self._logs(self.escrow)

    # ------------------------------------------------------------ rules: gigs

    @rule(
        casting=castings,
        open_gig=st.booleans(),
        kind=st.sampled_from(["eth", "erc20", "fee_erc20"]),
        amount=amounts,
        weights=milestone_weights,
        deadline=deadlines,
        review_period=review_periods,
    )
    def create_gig(self, casting, open_gig, kind, amount, weights, deadline, review_period):
        client, freelancer, arbiter = (self.cast.actors[i] for i in casting[:3])
        freelancer = ZERO_ADDRESS if open_gig else freelancer
        token = self.tokens[kind]
        milestones = _split(amount, weights)
        held = amount - amount * FEE_TOKEN_BPS // BPS if kind == "fee_erc20" else amount
        deadline += self.model.now

        def call():
            with boa.env.prank(client):
                self.escrow.create_gig(
                    freelancer,
                    arbiter,
                    token,
                    amount,
                    milestones,
                    deadline,
                    review_period,
                    HASH,
                    [SKILL],
                    value=amount if kind == "eth" else 0,
                )

        def predict():
            _, events = self.model.create_gig(
                client, freelancer, arbiter, token, amount, milestones, deadline, review_period, held
            )
            return events

        self._drive("create_gig", predict, call)

    @initialize(fee_bps=st.sampled_from([0, 250, 1_000]))
    def start_with_a_fee(self, fee_bps):
        """Most runs charge a platform fee from their first gig on."""
        self._drive("set_fee", lambda: self.model.set_fee(fee_bps), lambda: self._set_fee(fee_bps))

    @precondition(lambda self: any(r.gig.state & LIVE for r in self.model.gigs.values()))
    @rule(
        pick=st.integers(0, 10**6),
        step=st.integers(0, 19),
        anyone=anyones,
        share=shares,
        early=st.sampled_from([0, 0, 1]),
    )
    def advance_a_gig(self, pick, step, anyone, share, early):
        """What usually comes next for a live gig, by whoever usually does it, once
        any period it waits for is over (or, `early`, one second before)."""
        gig_id = self._target((True, pick), LIVE)
        gig = self.model.gigs[gig_id].gig
        operation = NEXT_STEPS[gig.state][step % len(NEXT_STEPS[gig.state])]
        ready_at = {
            "claim": gig.delivered_at + gig.review_period,
            "refund": gig.deadline + 1,
            "resolve_stale_dispute": gig.disputed_at + ARBITRATION_PERIOD,
        }.get(operation, 0)
        self._wait(max(0, ready_at - early - self.model.now))
        caller = self._caller(gig_id, "usual", GIG_OPERATIONS[operation][1], anyone)
        self._operate(operation, gig_id, caller, share)

    @precondition(lambda self: self.model.gigs)
    @rule(
        operation=st.sampled_from(sorted(GIG_OPERATIONS)),
        pick=picks,
        role=roles,
        anyone=anyones,
        share=shares,
        wait=waits,
    )
    def operate_on_gig(self, operation, pick, role, anyone, share, wait):
        """After a while, any gig operation on any gig, by any caller: the model says
        whether it must revert."""
        self._wait(wait)
        states, usual = GIG_OPERATIONS[operation]
        gig_id = self._target(pick, states)
        self._operate(operation, gig_id, self._caller(gig_id, role, usual, anyone), share)

    @precondition(lambda self: self.model.credits)
    @rule(pick=st.integers(0, 10**6), recipient=st.integers(0, 7))
    def withdraw(self, pick, recipient):
        account, token = sorted(self.model.credits)[pick % len(self.model.credits)]
        # the account itself, anyone in the cast, the treasury, or nobody
        recipient = (account, *self.cast.actors, self.cast.treasury, ZERO_ADDRESS)[recipient]

        def call():
            with boa.env.prank(account):
                self.escrow.withdraw(token, recipient)

        self._drive("withdraw", lambda: self.model.withdraw(account, token, recipient), call)

    @precondition(lambda self: self.fee_changes < 3)
    @rule(fee_bps=st.one_of(st.sampled_from([0, 250, 1_000, 1_001]), st.integers(0, 1_100)))
    def set_fee(self, fee_bps):
        """The fee matters only when a gig is created: a few changes per run are plenty."""
        self.fee_changes += 1
        self._drive("set_fee", lambda: self.model.set_fee(fee_bps), lambda: self._set_fee(fee_bps))

    @precondition(lambda self: self.fee_changes < 3)
    @rule(kind=st.sampled_from(["eth", "erc20", "fee_erc20"]), min_amount=st.sampled_from([0, 10**3, 10**21]))
    def set_min_amount(self, kind, min_amount):
        """Like the fee, the minimum matters only when a gig is created."""
        self.fee_changes += 1
        token = self.tokens[kind]

        def call():
            with boa.env.prank(self.cast.owner):
                self.escrow.set_min_amount(token, min_amount)

        self._drive("set_min_amount", lambda: self.model.set_min_amount(token, min_amount), call)

    @precondition(lambda self: self.owner_actions < 2)
    @rule(retire=st.booleans())
    def registry_owner_acts(self, retire):
        """The registry's owner retires the escrow, or announces another writer: live
        gigs settle all the same (see `teardown`)."""
        self.owner_actions += 1
        if not retire:
            with boa.env.prank(self.cast.owner):
                self.registry.announce_writer(boa.env.generate_address("another writer"))
            return

        def call():
            with boa.env.prank(self.cast.owner):
                self.registry.retire_writer(self.escrow.address)

        def predict():
            self.model.retire_escrow()
            return [("WriterRetired", {"writer": self.escrow.address})]

        self._drive("retire_writer", predict, call, contract=self.registry)

    def _set_fee(self, fee_bps: int) -> None:
        with boa.env.prank(self.cast.owner):
            self.escrow.set_fee(fee_bps)

    def _wait(self, seconds: int) -> None:
        """Time moves on the chain and in the model alike."""
        if seconds:
            boa.env.time_travel(seconds=seconds)
            self.model.time_passes(seconds)

    # ------------------------------------------------------------ rules: attestations

    def _attest_parties(self, pick, role, anyone) -> tuple[int, str, str]:
        """A gig, and an attester and subject: mostly its two parties, either way round."""
        gig_id = self._target(pick, SETTLED)
        attester = self._caller(gig_id, role, "party", anyone)
        gig = self.model.gigs[gig_id].gig
        other = gig.freelancer if attester == gig.client else gig.client
        subject = other if role == "usual" else self.cast.actors[(anyone + 1) % len(self.cast.actors)]
        return gig_id, attester, subject

    @precondition(lambda self: any(r.gig.state & SETTLED for r in self.model.gigs.values()))
    @rule(
        pick=picks,
        role=roles,
        anyone=anyones,
        score=st.one_of(st.integers(1, 5), st.sampled_from([0, 6])),
        signed=st.booleans(),
    )
    def attest(self, pick, role, anyone, score, signed):
        gig_id, attester, subject = self._attest_parties(pick, role, anyone)
        key = self.cast.key_of(attester) if signed else None
        expected = [
            (
                "Attested",
                {
                    "attester": attester,
                    "subject": subject,
                    "gig_id": gig_id,
                    "escrow": self.escrow.address,
                    "score": score,
                    "skill": SKILL,
                    "evidence_hash": HASH,
                },
            )
        ]

        def predict():
            if key is None:
                self.model.attest(gig_id, attester, subject, score)
            else:
                self.model.attest_by_signature(gig_id, attester, subject, score, deadline, lambda next_nonce: next_nonce == nonce)
            return expected

        # signed now: the model's nonce moves once the prediction is made
        deadline = self.model.now + DAY
        nonce = self.model.nonces.get(attester, 0)
        signature = b""
        if key is not None:
            signature = sign_attestation(
                key.key, self.registry, self.escrow.address, gig_id, subject, score, SKILL, HASH, nonce, deadline
            )

        def call():
            if key is None:
                with boa.env.prank(attester):
                    self.registry.attest(self.escrow.address, gig_id, subject, score, SKILL, HASH)
                return
            self.registry.attest_by_signature(
                attester, self.escrow.address, gig_id, subject, score, SKILL, HASH, deadline, signature
            )

        self._drive("attest" if key is None else "attest_by_signature", predict, call, contract=self.registry)

    @precondition(lambda self: any(r.tickets for r in self.model.gigs.values()))
    @rule(pick=picks, role=roles, anyone=anyones)
    def revoke(self, pick, role, anyone):
        gig_id, attester, subject = self._attest_parties(pick, role, anyone)

        def predict():
            score = self.model.revoke(gig_id, attester, subject)
            return [
                (
                    "AttestationRevoked",
                    {
                        "attester": attester,
                        "subject": subject,
                        "gig_id": gig_id,
                        "escrow": self.escrow.address,
                        "score": score,
                    },
                )
            ]

        def call():
            with boa.env.prank(attester):
                self.registry.revoke(self.escrow.address, gig_id, subject)

        self._drive("revoke", predict, call, contract=self.registry)

    # ------------------------------------------------------------ invariants

    @invariant()
    def escrow_holds_exactly_what_it_owes(self):
        balances = {
            "eth": boa.env.get_balance(self.escrow.address),
            "erc20": self.contracts.plain_token.balanceOf(self.escrow.address),
            "fee_erc20": self.contracts.fee_token.balanceOf(self.escrow.address),
        }
        assert balances == {kind: self.model.owed(token) for kind, token in self.tokens.items()}

    @invariant()
    def credits_are_the_rejected_payouts(self):
        stored = {
            (account, token): amount
            for account, by_token in self.escrow._storage.credits.get().items()
            for token, amount in by_token.items()
            if amount
        }
        assert stored == self.model.credits

    @invariant()
    def no_gig_pays_out_more_than_it_took(self):
        for gig_id, record in self.model.gigs.items():
            out = self.paid_out.get(gig_id, 0)
            assert out <= record.gig.amount
            if record.gig.state & (SETTLED | State.CANCELLED):
                assert out == record.gig.amount

    @invariant()
    def each_slot_commits_to_the_gig_as_it_stands(self):
        stored = self.escrow._storage.gig_commitment.get()
        assert {gig_id: stored.get(gig_id) for gig_id in self.model.gigs} == {
            gig_id: record.commitment() for gig_id, record in self.model.gigs.items()
        }
        assert self.escrow._storage.next_gig_id.get() == len(self.model.gigs) + 1

    @invariant()
    def registry_matches_the_settled_gigs(self):
        counters = self.registry._storage.counters.get()
        for account in {*counters, *self.model.counters}:
            packed = counters.get(account, 0)
            assert [(packed >> (32 * i)) & (2**32 - 1) for i in range(8)] == self.model.summary(account), account
        volumes = self.registry._storage.volumes.get()
        stored_volumes = {
            (account, token): [packed >> 128, packed & (2**128 - 1)]
            for account, by_token in volumes.items()
            for token, packed in by_token.items()
            if packed
        }
        assert stored_volumes == {key: value for key, value in self.model.volumes.items() if any(value)}
        stored_nonces = {account: nonce for account, nonce in self.registry._storage.nonces.get().items() if nonce}
        assert stored_nonces == self.model.nonces

    @invariant()
    def registry_logs_rebuild_every_record(self):
        counters, volumes = _rebuild_records(self.registry_logs, self.escrow.address)
        assert {a: c for a, c in counters.items() if any(c)} == {
            a: c for a, c in self.model.counters.items() if any(c)
        }
        assert {k: v for k, v in volumes.items() if any(v)} == {k: v for k, v in self.model.volumes.items() if any(v)}

    @invariant()
    def fees_are_the_fee_on_the_total_rounded_up(self):
        for gig_id, (paid, fees) in self.freelancer_pay.items():
            assert fees == fee_on(paid, self.model.gigs[gig_id].gig.fee_bps), gig_id

    @invariant()
    def a_stale_undelivered_dispute_refunds_the_client(self):
        for gig_id, logs in self.stale_undelivered.items():
            gig = self.model.gigs[gig_id].gig
            assert gig.state == State.REFUNDED
            assert [args["amount"] for name, args in logs if name == "GigRefunded"] == [gig.amount - gig.paid]

    def teardown(self):
        """Once per example, the public views agree with the raw storage checked above;
        then every live gig is taken out by its timeout, and nothing is left stuck."""
        self._views_agree_with_storage()
        self._every_live_gig_settles()

    def _every_live_gig_settles(self) -> None:
        """Whatever happened, including the registry owner's actions, each live gig
        has a way out; afterwards the escrow holds only its credits."""
        ways_out = {
            State.OPEN: ("cancel", "client"),
            State.ACCEPTED: ("refund", "client"),
            State.DELIVERED: ("claim", "freelancer"),
            State.DISPUTED: ("resolve_stale_dispute", "client"),
        }
        self._wait(130 * DAY)  # past every deadline, review and arbitration period drawn
        for gig_id, record in list(self.model.gigs.items()):
            if record.gig.state & LIVE:
                operation, role = ways_out[record.gig.state]
                self._operate(operation, gig_id, getattr(record.gig, role), 0)
                assert self.model.gigs[gig_id].gig.state & (SETTLED | State.CANCELLED)
        self.escrow_holds_exactly_what_it_owes()
        assert all(not (r.gig.state & LIVE) for r in self.model.gigs.values())

    def _views_agree_with_storage(self) -> None:
        for account in {*self.model.counters, *(a for a, _ in self.model.volumes)}:
            assert list(self.registry.summary(account)) == self.model.summary(account)
        for account, token in self.model.volumes:
            assert list(self.registry.volume(account, token)) == self.model.volume(account, token)
        for account, token in self.model.credits:
            assert self.escrow.credits(account, token) == self.model.credits[(account, token)]
        for gig_id, record in self.model.gigs.items():
            settled = bool(record.gig.state & SETTLED)
            assert self.escrow.is_settled_between(gig_id, *record.gig.parties()) == settled


def _rebuild_records(logs: list[Event], writer: str) -> tuple[dict, dict]:
    """Every account's counters and volumes from the registry's logs alone."""
    counters: dict[str, list[int]] = {}
    volumes: dict[tuple[str, str], list[int]] = {}

    def add(account: str, field: int, amount: int = 1) -> None:
        counters.setdefault(account, [0] * 8)[field] += amount

    def volume(args: dict, amount: int) -> None:
        volumes.setdefault((args["freelancer"], args["token"]), [0, 0])[0] += amount
        volumes.setdefault((args["client"], args["token"]), [0, 0])[1] += amount

    for name, args in logs:
        if args.get("writer", writer) != writer:
            continue
        if name == "CompletionRecorded":
            add(args["freelancer"], 0)
            add(args["freelancer"], 1, int(args["on_time"]))
            volume(args, args["paid"])
        elif name == "MissedDeadlineRecorded":
            add(args["freelancer"], 2)
            volume(args, args["earned"])
        elif name == "DisputeOpenedRecorded":
            add(args["opener"], 3)
        elif name == "ResolutionRecorded":
            client, freelancer = args["client"], args["freelancer"]
            if args["to_freelancer"] > args["to_client"] + 1:
                add(freelancer, 4)
                add(client, 5)
            elif args["to_client"] > args["to_freelancer"] + 1:
                add(client, 4)
                add(freelancer, 5)
            volume(args, args["earned"])
        elif name == "Attested":
            add(args["subject"], 6)
            add(args["subject"], 7, args["score"])
        elif name == "AttestationRevoked":
            add(args["subject"], 6, -1)
            add(args["subject"], 7, -args["score"])
    return counters, volumes


def _split(amount: int, weights: list[int]) -> list[int]:
    """`amount` in milestones proportional to `weights`; the last takes the rest."""
    if not weights:
        return []
    parts = [amount * w // sum(weights) for w in weights[:-1]]
    return [*parts, amount - sum(parts)]


def test_escrow_and_registry_keep_their_invariants(contracts: Contracts, cast: Cast) -> None:
    profile = PROFILES[os.environ.get("GIGLEDGER_FUZZ", "ci")]
    run_state_machine_as_test(lambda: EscrowMachine(contracts, cast), settings=profile)
