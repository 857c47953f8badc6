"""A gig's main road and its exits: accept, cancel, deliver, approve, claim, refund."""

import ape
import pytest
from gigbook import DELIVERABLE_HASH, REVIEW_PERIOD, ZERO_ADDRESS, State, only_log
from money import ETH_ONLY

# ---------------------------------------------------------------- accept


@ETH_ONLY
def test_named_freelancer_accepts(funded_gig, gigs, escrow, client, freelancer):
    receipt = gigs.send("accept", funded_gig, sender=freelancer)
    assert only_log(receipt, escrow.GigAccepted) == {
        "gig_id": funded_gig,
        "client": client.address,
        "freelancer": freelancer.address,
    }
    assert gigs[funded_gig].state == State.ACCEPTED
    assert escrow.gig_commitment(funded_gig) == escrow.hash_gig(gigs[funded_gig])


@ETH_ONLY
def test_anyone_else_may_accept_an_open_gig(create_gig, gigs, escrow, stranger):
    gig_id = create_gig(freelancer=ZERO_ADDRESS)
    receipt = gigs.send("accept", gig_id, sender=stranger)
    assert only_log(receipt, escrow.GigAccepted)["freelancer"] == stranger.address
    assert gigs[gig_id].freelancer == stranger.address


@ETH_ONLY
def test_client_cannot_accept_its_open_gig(create_gig, gigs, client):
    gig_id = create_gig(freelancer=ZERO_ADDRESS)
    with ape.reverts("escrow: client cannot be the freelancer"):
        gigs.send("accept", gig_id, sender=client)


@ETH_ONLY
def test_arbiter_cannot_accept_an_open_gig(create_gig, gigs, arbiter):
    gig_id = create_gig(freelancer=ZERO_ADDRESS)
    with ape.reverts("escrow: arbiter cannot be the freelancer"):
        gigs.send("accept", gig_id, sender=arbiter)


@ETH_ONLY
def test_only_the_named_freelancer_accepts(funded_gig, gigs, stranger):
    with ape.reverts("escrow: caller is not the freelancer"):
        gigs.send("accept", funded_gig, sender=stranger)


@ETH_ONLY
def test_gig_is_accepted_once(accepted_gig, gigs, freelancer):
    with ape.reverts("escrow: gig is not open"):
        gigs.send("accept", accepted_gig, sender=freelancer)


@ETH_ONLY
def test_gig_cannot_be_accepted_at_its_deadline(funded_gig, gigs, chain, freelancer):
    chain.pending_timestamp = gigs[funded_gig].deadline
    with ape.reverts("escrow: deadline passed"):
        gigs.send("accept", funded_gig, sender=freelancer)


# ---------------------------------------------------------------- cancel


def test_cancel_returns_the_money_to_the_client(funded_gig, gigs, escrow, money, client, freelancer):
    held = gigs[funded_gig].amount
    before = money.balance(client)
    receipt = gigs.send("cancel", funded_gig, sender=client)
    assert money.balance_before_gas(client, receipt) - before == money.arriving(held)
    assert money.balance(escrow) == 0
    assert only_log(receipt, escrow.GigCancelled) == {
        "gig_id": funded_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "refund": held,
    }


@ETH_ONLY
def test_cancelled_gig_cannot_be_accepted(funded_gig, gigs, client, freelancer):
    gigs.send("cancel", funded_gig, sender=client)
    with ape.reverts("escrow: gig is not open"):
        gigs.send("accept", funded_gig, sender=freelancer)


@ETH_ONLY
def test_only_the_client_cancels(funded_gig, gigs, stranger):
    with ape.reverts("escrow: caller is not the client"):
        gigs.send("cancel", funded_gig, sender=stranger)


@ETH_ONLY
def test_accepted_gig_cannot_be_cancelled(accepted_gig, gigs, client):
    with ape.reverts("escrow: gig is not open"):
        gigs.send("cancel", accepted_gig, sender=client)


# ---------------------------------------------------------------- deliver


@ETH_ONLY
def test_deliver_starts_the_review_period(accepted_gig, gigs, escrow, client, freelancer):
    receipt = gigs.send("deliver", accepted_gig, DELIVERABLE_HASH, sender=freelancer)
    assert only_log(receipt, escrow.GigDelivered) == {
        "gig_id": accepted_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "deliverable_hash": DELIVERABLE_HASH,
        "delivered_at": receipt.timestamp,
    }
    assert gigs[accepted_gig].state == State.DELIVERED


@ETH_ONLY
def test_only_the_freelancer_delivers(accepted_gig, gigs, client):
    with ape.reverts("escrow: caller is not the freelancer"):
        gigs.send("deliver", accepted_gig, DELIVERABLE_HASH, sender=client)


@ETH_ONLY
def test_gig_not_accepted_cannot_be_delivered(funded_gig, gigs, freelancer):
    with ape.reverts("escrow: gig is not accepted"):
        gigs.send("deliver", funded_gig, DELIVERABLE_HASH, sender=freelancer)


@ETH_ONLY
def test_late_delivery_is_paid_and_recorded_late(accepted_gig, gigs, chain, escrow, registry, client, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    gigs.send("deliver", accepted_gig, DELIVERABLE_HASH, sender=freelancer)
    receipt = gigs.send("approve", accepted_gig, sender=client)
    assert not only_log(receipt, escrow.GigReleased)["on_time"]
    assert (registry.summary(freelancer).completed, registry.summary(freelancer).on_time) == (1, 0)


# ---------------------------------------------------------------- approve


def test_approve_pays_the_freelancer(delivered_gig, gigs, escrow, money, client, freelancer):
    held = gigs[delivered_gig].amount
    before = money.balance(freelancer)
    receipt = gigs.send("approve", delivered_gig, sender=client)
    assert money.balance(freelancer) - before == money.arriving(held)
    assert money.balance(escrow) == 0
    assert only_log(receipt, escrow.GigReleased) == {
        "gig_id": delivered_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "amount": held,
        "fee": 0,
        "on_time": True,
        "claimed": False,
    }


def test_approve_records_the_completion_and_volume(delivered_gig, gigs, registry, money, client, freelancer):
    held = gigs[delivered_gig].amount
    gigs.send("approve", delivered_gig, sender=client)
    summary = registry.summary(freelancer)
    assert (summary.completed, summary.on_time, summary.missed_deadlines) == (1, 1, 0)
    assert tuple(registry.volume(freelancer, money.address)) == (held, 0)
    assert tuple(registry.volume(client, money.address)) == (0, held)


@pytest.mark.parametrize("money", ["erc20"], indirect=True)
def test_gig_too_big_for_the_volume_record_still_pays_out(create_gig, gigs, registry, money, client, freelancer):
    huge = 2**128
    gig_id = create_gig(amount=huge)
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("deliver", gig_id, DELIVERABLE_HASH, sender=freelancer)
    gigs.send("approve", gig_id, sender=client)
    assert money.balance(freelancer) == huge
    assert tuple(registry.volume(freelancer, money.address)) == (huge - 1, 0)  # saturated, not reverted


@ETH_ONLY
def test_approve_settles_the_gig_between_its_parties(released_gig, escrow, client, freelancer, stranger):
    assert escrow.is_settled_between(released_gig, client, freelancer)
    assert not escrow.is_settled_between(released_gig, freelancer, client)
    assert not escrow.is_settled_between(released_gig, client, stranger)


@ETH_ONLY
def test_settled_gig_cannot_be_paid_twice(delivered_gig, gigs, escrow, client):
    paid_gig = gigs[delivered_gig]
    gigs.send("approve", delivered_gig, sender=client)
    with ape.reverts("escrow: gig does not match its commitment"):
        escrow.approve(delivered_gig, paid_gig, sender=client)


@ETH_ONLY
def test_only_the_client_approves(delivered_gig, gigs, freelancer):
    with ape.reverts("escrow: caller is not the client"):
        gigs.send("approve", delivered_gig, sender=freelancer)


@ETH_ONLY
def test_undelivered_gig_cannot_be_approved(accepted_gig, gigs, client):
    with ape.reverts("escrow: gig is not delivered"):
        gigs.send("approve", accepted_gig, sender=client)


# ---------------------------------------------------------------- claim


def test_freelancer_claims_after_the_review_period(delivered_gig, gigs, chain, escrow, money, client, freelancer):
    held = gigs[delivered_gig].amount
    chain.pending_timestamp = gigs[delivered_gig].delivered_at + REVIEW_PERIOD
    before = money.balance(freelancer)
    receipt = gigs.send("claim", delivered_gig, sender=freelancer)
    assert money.balance_before_gas(freelancer, receipt) - before == money.arriving(held)
    assert only_log(receipt, escrow.GigReleased) == {
        "gig_id": delivered_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "amount": held,
        "fee": 0,
        "on_time": True,
        "claimed": True,
    }


@ETH_ONLY
def test_claim_waits_for_the_review_period(delivered_gig, gigs, chain, freelancer):
    chain.pending_timestamp = gigs[delivered_gig].delivered_at + REVIEW_PERIOD - 1
    with ape.reverts("escrow: review period not over"):
        gigs.send("claim", delivered_gig, sender=freelancer)


@ETH_ONLY
def test_only_the_freelancer_claims(delivered_gig, gigs, chain, client):
    chain.pending_timestamp = gigs[delivered_gig].delivered_at + REVIEW_PERIOD
    with ape.reverts("escrow: caller is not the freelancer"):
        gigs.send("claim", delivered_gig, sender=client)


@ETH_ONLY
def test_undelivered_gig_cannot_be_claimed(accepted_gig, gigs, freelancer):
    with ape.reverts("escrow: gig is not delivered"):
        gigs.send("claim", accepted_gig, sender=freelancer)


# ---------------------------------------------------------------- refund


def test_refund_after_deadline_returns_funds_to_client(accepted_gig, gigs, chain, escrow, money, client, freelancer):
    held = gigs[accepted_gig].amount
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    before = money.balance(client)
    receipt = gigs.send("refund", accepted_gig, sender=client)
    assert money.balance_before_gas(client, receipt) - before == money.arriving(held)
    assert money.balance(escrow) == 0
    assert only_log(receipt, escrow.GigRefunded) == {
        "gig_id": accepted_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "amount": held,
    }


@ETH_ONLY
def test_refund_records_the_missed_deadline(accepted_gig, gigs, chain, registry, client, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    gigs.send("refund", accepted_gig, sender=client)
    assert registry.summary(freelancer).missed_deadlines == 1
    assert registry.summary(freelancer).completed == 0


@ETH_ONLY
def test_refund_waits_for_the_deadline(accepted_gig, gigs, chain, client):
    chain.pending_timestamp = gigs[accepted_gig].deadline
    with ape.reverts("escrow: deadline not passed"):
        gigs.send("refund", accepted_gig, sender=client)


@ETH_ONLY
def test_delivered_gig_cannot_be_refunded(delivered_gig, gigs, chain, client):
    chain.pending_timestamp = gigs[delivered_gig].deadline + 1
    with ape.reverts("escrow: gig is not accepted"):
        gigs.send("refund", delivered_gig, sender=client)


@ETH_ONLY
def test_only_the_client_takes_a_refund(accepted_gig, gigs, chain, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    with ape.reverts("escrow: caller is not the client"):
        gigs.send("refund", accepted_gig, sender=freelancer)


@ETH_ONLY
def test_open_gig_past_its_deadline_is_cancelled_not_refunded(funded_gig, gigs, chain, registry, client, freelancer):
    chain.pending_timestamp = gigs[funded_gig].deadline + 1
    with ape.reverts("escrow: gig is not accepted"):
        gigs.send("refund", funded_gig, sender=client)
    gigs.send("cancel", funded_gig, sender=client)
    assert registry.summary(freelancer).missed_deadlines == 0
