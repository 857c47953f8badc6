"""Disputes: who may open one and when, the arbiter's split, and the timeout."""

import ape
import pytest
from gigbook import DAY, REVIEW_PERIOD, State, only_log
from money import ETH_ONLY

ARBITRATION_PERIOD = 30 * DAY


@ETH_ONLY
def test_client_disputes_a_delivery(delivered_gig, gigs, escrow, registry, client, freelancer):
    receipt = gigs.send("dispute", delivered_gig, sender=client)
    assert only_log(receipt, escrow.GigDisputed) == {
        "gig_id": delivered_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "opened_by": client.address,
        "disputed_at": receipt.timestamp,
    }
    assert gigs[delivered_gig].state == State.DISPUTED
    assert registry.summary(client).disputes_opened == 1


@ETH_ONLY
def test_freelancer_disputes_a_gig_in_progress(accepted_gig, gigs, escrow, registry, freelancer):
    receipt = gigs.send("dispute", accepted_gig, sender=freelancer)
    assert only_log(receipt, escrow.GigDisputed)["opened_by"] == freelancer.address
    assert registry.summary(freelancer).disputes_opened == 1


@ETH_ONLY
def test_freelancer_cannot_dispute_an_undelivered_gig_past_its_deadline(accepted_gig, gigs, chain, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    with ape.reverts("escrow: deadline passed"):
        gigs.send("dispute", accepted_gig, sender=freelancer)


@ETH_ONLY
def test_client_may_dispute_an_undelivered_gig_past_its_deadline(accepted_gig, gigs, chain, escrow, client):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    receipt = gigs.send("dispute", accepted_gig, sender=client)
    assert only_log(receipt, escrow.GigDisputed)["opened_by"] == client.address


@ETH_ONLY
def test_only_a_party_disputes(accepted_gig, gigs, arbiter):
    with ape.reverts("escrow: caller is not a party"):
        gigs.send("dispute", accepted_gig, sender=arbiter)


@ETH_ONLY
def test_open_gig_cannot_be_disputed(funded_gig, gigs, client):
    with ape.reverts("escrow: gig is not in progress"):
        gigs.send("dispute", funded_gig, sender=client)


@ETH_ONLY
def test_dispute_closes_with_the_review_period(delivered_gig, gigs, chain, client):
    chain.pending_timestamp = gigs[delivered_gig].delivered_at + REVIEW_PERIOD
    with ape.reverts("escrow: review period over"):
        gigs.send("dispute", delivered_gig, sender=client)


@ETH_ONLY
def test_disputed_gig_cannot_be_disputed_again(disputed_gig, gigs, freelancer):
    with ape.reverts("escrow: gig is not in progress"):
        gigs.send("dispute", disputed_gig, sender=freelancer)


@ETH_ONLY
def test_disputed_gig_cannot_be_claimed(disputed_gig, gigs, chain, freelancer):
    chain.pending_timestamp = gigs[disputed_gig].delivered_at + REVIEW_PERIOD
    with ape.reverts("escrow: gig is not delivered"):
        gigs.send("claim", disputed_gig, sender=freelancer)


# ---------------------------------------------------------------- resolve


def test_arbiter_splits_what_is_held(disputed_gig, gigs, escrow, money, arbiter, client, freelancer):
    held = gigs[disputed_gig].amount
    to_freelancer = held * 3 // 4
    before = (money.balance(client), money.balance(freelancer))
    receipt = gigs.send("resolve", disputed_gig, to_freelancer, sender=arbiter)
    assert only_log(receipt, escrow.GigResolved) == {
        "gig_id": disputed_gig,
        "client": client.address,
        "freelancer": freelancer.address,
        "to_client": held - to_freelancer,
        "to_freelancer": to_freelancer,
        "fee": 0,
        "timed_out": False,
    }
    assert money.balance(client) - before[0] == money.arriving(held - to_freelancer)
    assert money.balance(freelancer) - before[1] == money.arriving(to_freelancer)
    assert money.balance(escrow) == 0


@ETH_ONLY
@pytest.mark.parametrize(
    ("freelancer_share", "freelancer_record", "client_record"),
    [(4, (1, 0), (0, 1)), (0, (0, 1), (1, 0)), (2, (0, 0), (0, 0))],
    ids=["freelancer-wins", "client-wins", "even-split"],
)
def test_resolution_records_who_won(
    disputed_gig, gigs, registry, arbiter, client, freelancer, freelancer_share, freelancer_record, client_record
):
    to_freelancer = gigs[disputed_gig].amount * freelancer_share // 4
    gigs.send("resolve", disputed_gig, to_freelancer, sender=arbiter)
    assert (won_and_lost(registry, freelancer), won_and_lost(registry, client)) == (freelancer_record, client_record)
    assert registry.volume(freelancer, gigs[disputed_gig].token).earned == to_freelancer
    assert registry.volume(client, gigs[disputed_gig].token).paid == to_freelancer


def won_and_lost(registry, account) -> tuple[int, int]:
    summary = registry.summary(account)
    return summary.disputes_won, summary.disputes_lost


@ETH_ONLY
def test_only_the_arbiter_resolves(disputed_gig, gigs, client):
    with ape.reverts("escrow: caller is not the arbiter"):
        gigs.send("resolve", disputed_gig, 0, sender=client)


@ETH_ONLY
def test_split_cannot_exceed_what_is_held(disputed_gig, gigs, arbiter):
    with ape.reverts("escrow: split exceeds what is held"):
        gigs.send("resolve", disputed_gig, gigs[disputed_gig].amount + 1, sender=arbiter)


@ETH_ONLY
def test_undisputed_gig_cannot_be_resolved(delivered_gig, gigs, arbiter):
    with ape.reverts("escrow: gig is not disputed"):
        gigs.send("resolve", delivered_gig, 0, sender=arbiter)


def test_split_after_milestones_divides_the_rest(
    milestone_gig, gigs, escrow, registry, money, client, arbiter, freelancer
):
    gigs.send("release_milestone", milestone_gig, sender=client)
    paid = gigs[milestone_gig].paid
    gigs.send("dispute", milestone_gig, sender=client)
    rest = gigs[milestone_gig].amount - paid
    receipt = gigs.send("resolve", milestone_gig, rest // 2, sender=arbiter)
    assert only_log(receipt, escrow.GigResolved)["to_client"] == rest - rest // 2
    assert money.balance(escrow) == 0
    assert registry.volume(freelancer, money.address).earned == paid + rest // 2


# ---------------------------------------------------------------- stale disputes


@pytest.mark.parametrize("party", ["client", "freelancer"])
def test_stale_dispute_splits_evenly(disputed_gig, gigs, chain, escrow, money, request, party):
    held = gigs[disputed_gig].amount
    chain.pending_timestamp = gigs[disputed_gig].disputed_at + ARBITRATION_PERIOD
    receipt = gigs.send("resolve_stale_dispute", disputed_gig, sender=request.getfixturevalue(party))
    log = only_log(receipt, escrow.GigResolved)
    assert (log["to_freelancer"], log["to_client"], log["timed_out"]) == (held // 2, held - held // 2, True)
    assert money.balance(escrow) == 0


@ETH_ONLY
def test_stale_dispute_of_an_odd_amount_has_no_winner(create_gig, gigs, chain, registry, client, freelancer):
    gig_id = create_gig(amount=10**18 + 1)
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("dispute", gig_id, sender=client)
    chain.pending_timestamp = gigs[gig_id].disputed_at + ARBITRATION_PERIOD
    gigs.send("resolve_stale_dispute", gig_id, sender=freelancer)
    assert registry.summary(client).disputes_won == 0
    assert registry.summary(freelancer).disputes_lost == 0


@ETH_ONLY
def test_stale_dispute_waits_for_the_arbitration_period(disputed_gig, gigs, chain, client):
    chain.pending_timestamp = gigs[disputed_gig].disputed_at + ARBITRATION_PERIOD - 1
    with ape.reverts("escrow: arbitration period not over"):
        gigs.send("resolve_stale_dispute", disputed_gig, sender=client)


@ETH_ONLY
def test_only_a_party_settles_a_stale_dispute(disputed_gig, gigs, chain, arbiter):
    chain.pending_timestamp = gigs[disputed_gig].disputed_at + ARBITRATION_PERIOD
    with ape.reverts("escrow: caller is not a party"):
        gigs.send("resolve_stale_dispute", disputed_gig, sender=arbiter)


@ETH_ONLY
def test_undisputed_gig_has_no_stale_dispute(delivered_gig, gigs, client):
    with ape.reverts("escrow: gig is not disputed"):
        gigs.send("resolve_stale_dispute", delivered_gig, sender=client)
