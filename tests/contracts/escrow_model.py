"""A plain-Python model of GigEscrow and ReputationRegistry, written from their
specification, that the hypothesis state machine holds the contracts to.

Each operation either raises `Refused` (the contract must revert, and the model
is left untouched) or applies its effects and returns the events the escrow must
log, in order. Payouts that the recipient would reject are credited, as the
escrow does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import IntFlag
from functools import lru_cache

from eth_abi import encode
from eth_utils import keccak

ZERO_ADDRESS = "0x" + "00" * 20
DAY = 86_400
BPS = 10_000
MAX_FEE_BPS = 1_000
MAX_MILESTONES = 16
MIN_REVIEW_PERIOD = DAY
MAX_REVIEW_PERIOD = 90 * DAY
ARBITRATION_PERIOD = 30 * DAY
REVOKED = 128
VOLUME_MAX = 2**128 - 1  # each half of a packed volume saturates here
GIG_ABI = "(address,address,address,address,uint256,uint256,uint256[],uint256,uint256,uint256,uint256,uint256,uint256,uint256)"
SETTLED_DOMAIN = keccak(b"GigEscrow.settled")

# Summary fields, in the registry's packing order.
COMPLETED, ON_TIME, MISSED_DEADLINES, DISPUTES_OPENED, DISPUTES_WON, DISPUTES_LOST, ATTESTATIONS, SCORE_SUM = range(8)

Event = tuple[str, dict]


class Refused(Exception):
    """The contract must revert this call."""


class State(IntFlag):
    OPEN = 1
    ACCEPTED = 2
    DELIVERED = 4
    RELEASED = 8
    CANCELLED = 16
    REFUNDED = 32
    DISPUTED = 64
    RESOLVED = 128


LIVE = State.OPEN | State.ACCEPTED | State.DELIVERED | State.DISPUTED
SETTLED = State.RELEASED | State.REFUNDED | State.RESOLVED
# The only moves a gig's state may make: states only move forward.
NEXT_STATES = {
    State.OPEN: State.ACCEPTED | State.CANCELLED,
    State.ACCEPTED: State.DELIVERED | State.RELEASED | State.REFUNDED | State.DISPUTED,
    State.DELIVERED: State.RELEASED | State.DISPUTED,
    State.DISPUTED: State.RESOLVED | State.REFUNDED,
}


def refuse_unless(condition: bool) -> None:
    if not condition:
        raise Refused


def fee_on(total: int, fee_bps: int) -> int:
    """The escrow's fee on a freelancer's cumulative pay: rounded up."""
    return -(-total * fee_bps // BPS)


@dataclass(frozen=True)
class Gig:
    """The escrow's `Gig` struct."""

    client: str
    freelancer: str
    arbiter: str
    token: str
    amount: int
    paid: int
    milestones: tuple[int, ...]
    released: int
    deadline: int
    review_period: int
    fee_bps: int
    state: State
    delivered_at: int
    disputed_at: int

    def as_tuple(self) -> tuple:
        return (
            self.client,
            self.freelancer,
            self.arbiter,
            self.token,
            self.amount,
            self.paid,
            list(self.milestones),
            self.released,
            self.deadline,
            self.review_period,
            self.fee_bps,
            int(self.state),
            self.delivered_at,
            self.disputed_at,
        )

    def parties(self) -> tuple[str, str]:
        return self.client, self.freelancer


@dataclass
class GigRecord:
    """A gig as the model knows it: the struct, and per party its attestation ticket
    (0 unused, else the score given, with REVOKED set once revoked)."""

    gig: Gig
    tickets: dict[str, int] = field(default_factory=dict)

    def commitment(self) -> bytes:
        """What the escrow's slot for this gig must hold."""
        if not self.gig.state & SETTLED:
            return gig_hash(self.gig)
        parties = settled_parties(*self.gig.parties())
        tickets = self.tickets.get(self.gig.client, 0) | self.tickets.get(self.gig.freelancer, 0) << 8
        return (parties | tickets).to_bytes(32, "big")


@lru_cache(maxsize=4096)
def gig_hash(gig: Gig) -> bytes:
    """The escrow's `hash_gig`: keccak256 of the ABI-encoded struct."""
    return keccak(encode([GIG_ABI], [gig.as_tuple()]))


@lru_cache(maxsize=4096)
def settled_parties(client: str, freelancer: str) -> int:
    digest = int.from_bytes(
        keccak(encode(["bytes32", "address", "address"], [SETTLED_DOMAIN, client, freelancer])), "big"
    )
    return digest >> 16 << 16


class Model:
    """The expected state of one escrow, its registry and its balances."""

    def __init__(self, now: int, treasury: str, rejects_eth: set[str], blocked: dict[str, str]) -> None:
        self.now = now  # the chain's clock: the timestamp of the next call
        self.treasury = treasury
        self.rejects_eth = rejects_eth  # accounts whose ETH payouts revert
        self.blocked = blocked  # token -> the one recipient it refuses
        self.fee_bps = 0
        self.min_amounts: dict[str, int] = {}  # token -> smallest gig amount
        self.escrow_retired = False  # the registry's owner retired the escrow
        self.gigs: dict[int, GigRecord] = {}
        self.credits: dict[tuple[str, str], int] = {}
        self.counters: dict[str, list[int]] = {}
        self.volumes: dict[tuple[str, str], list[int]] = {}  # (account, token) -> [earned, paid]
        self.nonces: dict[str, int] = {}

    def time_passes(self, seconds: int) -> None:
        self.now += seconds

    # ------------------------------------------------------------ views

    def owed(self, token: str) -> int:
        """What the escrow must hold of `token`: live gigs' unpaid amounts and credits."""
        live = sum(r.gig.amount - r.gig.paid for r in self.gigs.values() if r.gig.token == token and r.gig.state & LIVE)
        return live + sum(amount for (_, t), amount in self.credits.items() if t == token)

    def summary(self, account: str) -> list[int]:
        return self.counters.get(account, [0] * 8)

    def volume(self, account: str, token: str) -> list[int]:
        return self.volumes.get((account, token), [0, 0])

    # ------------------------------------------------------------ gig lifecycle

    def create_gig(
        self,
        client: str,
        freelancer: str,
        arbiter: str,
        token: str,
        amount: int,
        milestones: list[int],
        deadline: int,
        review_period: int,
        held: int,
    ) -> tuple[int, list[Event]]:
        """`held` is what the token transfer delivers of `amount`."""
        refuse_unless(amount > 0 and amount >= self.min_amounts.get(token, 0))
        refuse_unless(freelancer != client)
        refuse_unless(arbiter != ZERO_ADDRESS and arbiter not in (client, freelancer))
        refuse_unless(deadline > self.now and MIN_REVIEW_PERIOD <= review_period <= MAX_REVIEW_PERIOD)
        refuse_unless(len(milestones) <= MAX_MILESTONES)
        refuse_unless(not milestones or (all(m > 0 for m in milestones) and sum(milestones) == amount))
        refuse_unless(not self.escrow_retired)
        gig_id = len(self.gigs) + 1
        gig = Gig(
            client,
            freelancer,
            arbiter,
            token,
            held,
            0,
            tuple(milestones),
            0,
            deadline,
            review_period,
            self.fee_bps,
            State.OPEN,
            0,
            0,
        )
        self.gigs[gig_id] = GigRecord(gig)
        return gig_id, [
            (
                "GigCreated",
                {
                    "gig_id": gig_id,
                    "client": client,
                    "freelancer": freelancer,
                    "arbiter": arbiter,
                    "token": token,
                    "amount": held,
                    "milestones": list(milestones),
                    "deadline": deadline,
                    "review_period": review_period,
                    "fee_bps": self.fee_bps,
                },
            )
        ]

    def accept(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(gig.state == State.OPEN and self.now < gig.deadline)
        if gig.freelancer == ZERO_ADDRESS:
            refuse_unless(caller not in (gig.client, gig.arbiter))
        else:
            refuse_unless(caller == gig.freelancer)
        self._move(gig_id, freelancer=caller, state=State.ACCEPTED)
        return [("GigAccepted", self._parties_of(gig_id))]

    def cancel(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller == gig.client and gig.state == State.OPEN)
        self._move(gig_id, state=State.CANCELLED)
        return [
            ("GigCancelled", {**self._parties_of(gig_id), "refund": gig.amount}),
            *self._pay(gig.token, gig.client, gig.amount),
        ]

    def deliver(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller == gig.freelancer and gig.state == State.ACCEPTED)
        self._move(gig_id, state=State.DELIVERED, delivered_at=self.now)
        return [("GigDelivered", {**self._parties_of(gig_id), "delivered_at": self.now})]

    def approve(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller == gig.client and gig.state == State.DELIVERED)
        return self._release(gig_id, claimed=False)

    def claim(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller == gig.freelancer and gig.state == State.DELIVERED)
        refuse_unless(self.now >= gig.delivered_at + gig.review_period)
        return self._release(gig_id, claimed=True)

    def release_milestone(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller == gig.client and gig.state in (State.ACCEPTED, State.DELIVERED) and gig.milestones)
        if gig.released + 1 == len(gig.milestones):
            return self._release(gig_id, claimed=False)
        amount = gig.amount * gig.milestones[gig.released] // sum(gig.milestones)
        fee = fee_on(gig.paid + amount, gig.fee_bps) - fee_on(gig.paid, gig.fee_bps)
        self._move(gig_id, paid=gig.paid + amount, released=gig.released + 1)
        return [
            ("MilestoneReleased", {**self._parties_of(gig_id), "index": gig.released, "amount": amount, "fee": fee}),
            *self._pay_with_fee(gig.token, gig.freelancer, amount, fee),
        ]

    def refund(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller == gig.client and gig.state == State.ACCEPTED and self.now > gig.deadline)
        return self._refund(gig_id)

    def _refund(self, gig_id: int) -> list[Event]:
        gig = self._gig(gig_id)
        remaining = gig.amount - gig.paid
        self._move(gig_id, state=State.REFUNDED)
        self._bump(gig.freelancer, MISSED_DEADLINES)
        if gig.paid > 0:
            self._add_volume(gig.freelancer, gig.client, gig.token, gig.paid)
        return [
            ("GigRefunded", {**self._parties_of(gig_id), "amount": remaining}),
            *self._pay(gig.token, gig.client, remaining),
        ]

    def dispute(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller in gig.parties() and gig.state in (State.ACCEPTED, State.DELIVERED))
        if gig.state == State.ACCEPTED and caller == gig.freelancer:
            refuse_unless(self.now <= gig.deadline)
        if gig.state == State.DELIVERED:
            refuse_unless(self.now < gig.delivered_at + gig.review_period)
        self._move(gig_id, state=State.DISPUTED, disputed_at=self.now)
        self._bump(caller, DISPUTES_OPENED)
        return [("GigDisputed", {**self._parties_of(gig_id), "opened_by": caller, "disputed_at": self.now})]

    def resolve(self, gig_id: int, caller: str, to_freelancer: int) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller == gig.arbiter and gig.state == State.DISPUTED)
        refuse_unless(to_freelancer <= gig.amount - gig.paid)
        return self._resolve(gig_id, to_freelancer, timed_out=False)

    def resolve_stale_dispute(self, gig_id: int, caller: str) -> list[Event]:
        gig = self._gig(gig_id)
        refuse_unless(caller in gig.parties() and gig.state == State.DISPUTED)
        refuse_unless(self.now >= gig.disputed_at + ARBITRATION_PERIOD)
        if not gig.delivered_at:
            refuse_unless(self.now > gig.deadline)
            return self._refund(gig_id)
        return self._resolve(gig_id, (gig.amount - gig.paid) // 2, timed_out=True)

    def withdraw(self, account: str, token: str, recipient: str) -> list[Event]:
        amount = self.credits.get((account, token), 0)
        refuse_unless(amount > 0 and recipient != ZERO_ADDRESS and self._accepts(token, recipient))
        del self.credits[(account, token)]
        return [("CreditWithdrawn", {"account": account, "token": token, "recipient": recipient, "amount": amount})]

    def set_fee(self, fee_bps: int) -> list[Event]:
        refuse_unless(fee_bps <= MAX_FEE_BPS)
        self.fee_bps = fee_bps
        return [("FeeChanged", {"fee_bps": fee_bps})]

    def set_min_amount(self, token: str, min_amount: int) -> list[Event]:
        self.min_amounts[token] = min_amount
        return [("MinAmountChanged", {"token": token, "min_amount": min_amount})]

    def retire_escrow(self) -> None:
        refuse_unless(not self.escrow_retired)
        self.escrow_retired = True

    # ------------------------------------------------------------ attestations

    def attest(self, gig_id: int, attester: str, subject: str, score: int) -> None:
        refuse_unless(1 <= score <= 5)
        record = self._settled_between(gig_id, attester, subject)
        refuse_unless(record.tickets.get(attester, 0) == 0)
        record.tickets[attester] = score
        self._add(subject, ATTESTATIONS, 1)
        self._add(subject, SCORE_SUM, score)

    def attest_by_signature(
        self, gig_id: int, attester: str, subject: str, score: int, deadline: int, vouches: Callable[[int], bool]
    ) -> None:
        """A signed attestation lands only by its deadline and if the attester vouches
        (by its key's signature, or its wallet's ERC-1271 answer) for the message with
        the registry's next nonce for it, and then as a direct one would; nothing
        changes if it does not."""
        nonce = self.nonces.get(attester, 0)
        refuse_unless(self.now <= deadline)
        refuse_unless(vouches(nonce))
        self.attest(gig_id, attester, subject, score)
        self.nonces[attester] = nonce + 1

    def invalidate_nonce(self, attester: str) -> int:
        """Gives up the attester's next nonce; returns it."""
        nonce = self.nonces.get(attester, 0)
        self.nonces[attester] = nonce + 1
        return nonce

    def revoke(self, gig_id: int, attester: str, subject: str) -> int:
        record = self._settled_between(gig_id, attester, subject)
        score = record.tickets.get(attester, 0)
        refuse_unless(0 < score < REVOKED)
        record.tickets[attester] = score | REVOKED
        self._add(subject, ATTESTATIONS, -1)
        self._add(subject, SCORE_SUM, -score)
        return score

    # ------------------------------------------------------------ internals

    def _gig(self, gig_id: int) -> Gig:
        return self.gigs[gig_id].gig

    def _parties_of(self, gig_id: int) -> dict:
        gig = self._gig(gig_id)
        return {"gig_id": gig_id, "client": gig.client, "freelancer": gig.freelancer}

    def _move(self, gig_id: int, **changes) -> None:
        record = self.gigs[gig_id]
        new_state = changes.get("state", record.gig.state)
        assert new_state == record.gig.state or new_state & NEXT_STATES[record.gig.state], "state moved backwards"
        record.gig = replace(record.gig, **changes)

    def _settled_between(self, gig_id: int, attester: str, subject: str) -> GigRecord:
        record = self.gigs.get(gig_id)
        refuse_unless(record is not None and bool(record.gig.state & SETTLED))
        refuse_unless({attester, subject} == set(record.gig.parties()) and attester != subject)
        return record

    def _release(self, gig_id: int, claimed: bool) -> list[Event]:
        gig = self._gig(gig_id)
        amount = gig.amount - gig.paid
        fee = fee_on(gig.amount, gig.fee_bps) - fee_on(gig.paid, gig.fee_bps)
        on_time = gig.delivered_at <= gig.deadline if gig.delivered_at else self.now <= gig.deadline
        self._move(gig_id, state=State.RELEASED)
        self._add(gig.freelancer, COMPLETED, 1)
        if on_time:
            self._add(gig.freelancer, ON_TIME, 1)
        self._add_volume(gig.freelancer, gig.client, gig.token, gig.amount)
        return [
            (
                "GigReleased",
                {**self._parties_of(gig_id), "amount": amount, "fee": fee, "on_time": on_time, "claimed": claimed},
            ),
            *self._pay_with_fee(gig.token, gig.freelancer, amount, fee),
        ]

    def _resolve(self, gig_id: int, to_freelancer: int, timed_out: bool) -> list[Event]:
        gig = self._gig(gig_id)
        to_client = gig.amount - gig.paid - to_freelancer
        fee = fee_on(gig.paid + to_freelancer, gig.fee_bps) - fee_on(gig.paid, gig.fee_bps)
        self._move(gig_id, state=State.RESOLVED)
        # A difference of one indivisible unit is what an even split of an odd amount leaves: no winner.
        if to_freelancer > to_client + 1:
            self._add(gig.freelancer, DISPUTES_WON, 1)
            self._add(gig.client, DISPUTES_LOST, 1)
        elif to_client > to_freelancer + 1:
            self._add(gig.client, DISPUTES_WON, 1)
            self._add(gig.freelancer, DISPUTES_LOST, 1)
        self._add_volume(gig.freelancer, gig.client, gig.token, gig.paid + to_freelancer)
        return [
            (
                "GigResolved",
                {
                    **self._parties_of(gig_id),
                    "to_client": to_client,
                    "to_freelancer": to_freelancer,
                    "fee": fee,
                    "timed_out": timed_out,
                },
            ),
            *self._pay(gig.token, gig.client, to_client),
            *self._pay_with_fee(gig.token, gig.freelancer, to_freelancer, fee),
        ]

    def _pay_with_fee(self, token: str, recipient: str, amount: int, fee: int) -> list[Event]:
        return [*self._pay(token, recipient, amount - fee), *self._pay(token, self.treasury, fee)]

    def _pay(self, token: str, recipient: str, amount: int) -> list[Event]:
        if amount == 0 or self._accepts(token, recipient):
            return []
        self.credits[(recipient, token)] = self.credits.get((recipient, token), 0) + amount
        return [("PaymentCredited", {"account": recipient, "token": token, "amount": amount})]

    def _accepts(self, token: str, recipient: str) -> bool:
        if token == ZERO_ADDRESS:
            return recipient not in self.rejects_eth
        return self.blocked.get(token) != recipient

    def _add(self, account: str, field_index: int, amount: int) -> None:
        self.counters.setdefault(account, [0] * 8)[field_index] += amount

    def _bump(self, account: str, field_index: int) -> None:
        self._add(account, field_index, 1)

    def _add_volume(self, freelancer: str, client: str, token: str, amount: int) -> None:
        earned = self.volumes.setdefault((freelancer, token), [0, 0])
        earned[0] = min(earned[0] + amount, VOLUME_MAX)
        paid = self.volumes.setdefault((client, token), [0, 0])
        paid[1] = min(paid[1] + amount, VOLUME_MAX)
