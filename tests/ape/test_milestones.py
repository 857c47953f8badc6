"""Gigs paid in milestones: each pays its share of what was received, the last settles."""

import ape
from gigbook import AMOUNT, DELIVERABLE_HASH, State, logs_of, only_log
from money import ETH_ONLY


def test_each_milestone_pays_its_share(milestone_gig, milestone_amounts, gigs, escrow, money, client, freelancer):
    held = gigs[milestone_gig].amount
    before = money.balance(freelancer)
    receipt = gigs.send("release_milestone", milestone_gig, sender=client)
    share = held * milestone_amounts[0] // sum(milestone_amounts)
    assert only_log(receipt, escrow.MilestoneReleased) == {
        "gig_id": milestone_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "index": 0,
        "amount": share,
        "fee": 0,
    }
    assert money.balance(freelancer) - before == money.arriving(share)
    assert (gigs[milestone_gig].paid, gigs[milestone_gig].released) == (share, 1)


def test_last_milestone_pays_the_rest_and_settles(milestone_gig, gigs, escrow, registry, money, client, freelancer):
    held = gigs[milestone_gig].amount
    gigs.send("release_milestone", milestone_gig, sender=client)
    gigs.send("release_milestone", milestone_gig, sender=client)
    paid = gigs[milestone_gig].paid
    receipt = gigs.send("release_milestone", milestone_gig, sender=client)
    assert logs_of(receipt, escrow.MilestoneReleased) == []
    assert only_log(receipt, escrow.GigReleased)["amount"] == held - paid
    assert money.balance(escrow) == 0
    assert registry.summary(freelancer).completed == 1
    assert registry.volume(freelancer, money.address).earned == held


@ETH_ONLY
def test_sixteen_milestones_release_one_by_one(create_gig, gigs, escrow, freelancer, client):
    gig_id = create_gig(milestones=[AMOUNT // 16] * 16, amount=AMOUNT)
    gigs.send("accept", gig_id, sender=freelancer)
    indexes = [
        only_log(gigs.send("release_milestone", gig_id, sender=client), escrow.MilestoneReleased)["index"]
        for _ in range(15)
    ]
    gigs.send("release_milestone", gig_id, sender=client)
    assert indexes == list(range(15))
    assert gigs[gig_id].state == State.RELEASED


@ETH_ONLY
def test_milestone_can_be_released_after_delivery(milestone_gig, gigs, client, freelancer):
    gigs.send("deliver", milestone_gig, DELIVERABLE_HASH, sender=freelancer)
    gigs.send("release_milestone", milestone_gig, sender=client)
    assert gigs[milestone_gig].released == 1


@ETH_ONLY
def test_only_the_client_releases_a_milestone(milestone_gig, gigs, freelancer):
    with ape.reverts("escrow: caller is not the client"):
        gigs.send("release_milestone", milestone_gig, sender=freelancer)


@ETH_ONLY
def test_gig_without_milestones_has_none_to_release(accepted_gig, gigs, client):
    with ape.reverts("escrow: gig has no milestones"):
        gigs.send("release_milestone", accepted_gig, sender=client)


@ETH_ONLY
def test_open_gig_has_no_milestone_to_release(create_gig, gigs, client, milestone_amounts):
    gig_id = create_gig(milestones=milestone_amounts, amount=sum(milestone_amounts))
    with ape.reverts("escrow: gig is not in progress"):
        gigs.send("release_milestone", gig_id, sender=client)


def test_refund_returns_what_the_milestones_left(milestone_gig, gigs, chain, escrow, money, client):
    gigs.send("release_milestone", milestone_gig, sender=client)
    left = gigs[milestone_gig].amount - gigs[milestone_gig].paid
    chain.pending_timestamp = gigs[milestone_gig].deadline + 1
    receipt = gigs.send("refund", milestone_gig, sender=client)
    assert only_log(receipt, escrow.GigRefunded)["amount"] == left
    assert money.balance(escrow) == 0


def test_refund_records_the_milestones_already_paid_as_volume(milestone_gig, gigs, chain, registry, money, client, freelancer):
    gigs.send("release_milestone", milestone_gig, sender=client)
    paid = gigs[milestone_gig].paid
    chain.pending_timestamp = gigs[milestone_gig].deadline + 1
    gigs.send("refund", milestone_gig, sender=client)
    assert registry.volume(freelancer, money.address).earned == paid
    assert registry.volume(client, money.address).paid == paid
