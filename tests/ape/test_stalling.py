"""A freelancer who stalls: disputing an undelivered gig at the deadline second, a
stranger who accepts an open gig and disputes at once, a junk delivery after the
deadline claimed in the same block. None of them gains anything."""

import ape
import pytest
from gigbook import AMOUNT, DAY, DELIVERABLE_HASH, ZERO_ADDRESS, State, logs_of, only_log
from money import ETH_ONLY

ARBITRATION_PERIOD = 30 * DAY


@ETH_ONLY
def test_a_stale_dispute_over_an_undelivered_gig_refunds_the_client(accepted_gig, gigs, chain, escrow, registry, money, client, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline
    gigs.send("dispute", accepted_gig, sender=freelancer)  # at the deadline second
    chain.pending_timestamp = gigs[accepted_gig].disputed_at + ARBITRATION_PERIOD
    before = money.balance(client)
    receipt = gigs.send("resolve_stale_dispute", accepted_gig, sender=freelancer)
    assert only_log(receipt, escrow.GigRefunded)["amount"] == AMOUNT
    assert money.balance(client) == before + AMOUNT
    assert gigs[accepted_gig].state == State.REFUNDED
    assert registry.summary(freelancer).missed_deadlines == 1
    assert registry.volume(freelancer, ZERO_ADDRESS).earned == 0


@ETH_ONLY
def test_a_stranger_who_accepts_and_disputes_gains_nothing(create_gig, gigs, chain, escrow, registry, money, client, stranger):
    gig_id = create_gig(freelancer=ZERO_ADDRESS)
    gigs.send("accept", gig_id, sender=stranger)
    gigs.send("dispute", gig_id, sender=stranger)
    chain.pending_timestamp = max(gigs[gig_id].disputed_at + ARBITRATION_PERIOD, gigs[gig_id].deadline + 1)
    before = money.balance(stranger)
    receipt = gigs.send("resolve_stale_dispute", gig_id, sender=client)
    assert logs_of(receipt, escrow.GigResolved) == []
    assert money.balance(stranger) == before
    assert registry.summary(stranger).missed_deadlines == 1


@ETH_ONLY
def test_a_stale_undelivered_dispute_waits_for_the_deadline(create_gig, gigs, chain, client, freelancer):
    gig_id = create_gig(deadline=chain.pending_timestamp + 60 * DAY)
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("dispute", gig_id, sender=client)
    chain.pending_timestamp = gigs[gig_id].disputed_at + ARBITRATION_PERIOD
    with ape.reverts("escrow: deadline not passed"):
        gigs.send("resolve_stale_dispute", gig_id, sender=client)


@ETH_ONLY
@pytest.mark.parametrize("review_period", [0, DAY - 1])
def test_a_review_period_under_a_day_is_refused(create_gig, review_period):
    with ape.reverts("escrow: review period too short"):
        create_gig(review_period=review_period)


@ETH_ONLY
def test_a_junk_delivery_after_the_deadline_cannot_be_claimed_at_once(create_gig, gigs, chain, escrow, client, freelancer):
    gig_id = create_gig(review_period=DAY)
    gigs.send("accept", gig_id, sender=freelancer)
    chain.pending_timestamp = gigs[gig_id].deadline + 1
    gigs.send("deliver", gig_id, DELIVERABLE_HASH, sender=freelancer)
    with ape.reverts("escrow: review period not over"):
        gigs.send("claim", gig_id, sender=freelancer)
    receipt = gigs.send("dispute", gig_id, sender=client)
    assert only_log(receipt, escrow.GigDisputed)["opened_by"] == client.address


@ETH_ONLY
def test_a_late_delivery_claimed_after_review_is_recorded_late(accepted_gig, gigs, chain, escrow, registry, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    gigs.send("deliver", accepted_gig, DELIVERABLE_HASH, sender=freelancer)
    chain.pending_timestamp = gigs[accepted_gig].delivered_at + gigs[accepted_gig].review_period
    receipt = gigs.send("claim", accepted_gig, sender=freelancer)
    assert not only_log(receipt, escrow.GigReleased)["on_time"]
    assert (registry.summary(freelancer).completed, registry.summary(freelancer).on_time) == (1, 0)
