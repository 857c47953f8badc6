"""The platform fee (at most 10%, fixed per gig at creation) and the escrow's administration."""

import ape
import pytest
from gigbook import DELIVERABLE_HASH, ZERO_ADDRESS, fee_on, logs_of, only_log
from money import ETH_ONLY

MAX_FEE_BPS = 1_000


def test_release_pays_the_fee_to_the_treasury(with_fee, create_gig, gigs, escrow, money, client, freelancer, treasury):
    gig_id = create_gig()
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("deliver", gig_id, b"\x22" * 32, sender=freelancer)
    held = gigs[gig_id].amount
    fee = fee_on(held, with_fee)
    before = (money.balance(freelancer), money.balance(treasury))
    receipt = gigs.send("approve", gig_id, sender=client)
    assert only_log(receipt, escrow.GigReleased)["fee"] == fee
    assert money.balance(freelancer) - before[0] == money.arriving(held - fee)
    assert money.balance(treasury) - before[1] == money.arriving(fee)
    assert money.balance(escrow) == 0


def test_milestone_pays_its_fee(
    with_fee, create_gig, gigs, escrow, money, client, freelancer, treasury, milestone_amounts
):
    gig_id = create_gig(milestones=milestone_amounts, amount=sum(milestone_amounts))
    gigs.send("accept", gig_id, sender=freelancer)
    before = money.balance(treasury)
    receipt = gigs.send("release_milestone", gig_id, sender=client)
    log = only_log(receipt, escrow.MilestoneReleased)
    assert log["fee"] == fee_on(log["amount"], with_fee)
    assert money.balance(treasury) - before == money.arriving(log["fee"])


def test_resolution_charges_the_fee_on_the_freelancers_part_only(
    with_fee, create_gig, gigs, escrow, money, client, freelancer, arbiter, treasury
):
    gig_id = create_gig()
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("dispute", gig_id, sender=client)
    to_freelancer = gigs[gig_id].amount // 3
    before = (money.balance(client), money.balance(treasury))
    receipt = gigs.send("resolve", gig_id, to_freelancer, sender=arbiter)
    fee = fee_on(to_freelancer, with_fee)
    assert only_log(receipt, escrow.GigResolved)["fee"] == fee
    assert money.balance(client) - before[0] == money.arriving(gigs[gig_id].amount - to_freelancer)
    assert money.balance(treasury) - before[1] == money.arriving(fee)
    assert money.balance(escrow) == 0


@ETH_ONLY
def test_cancel_charges_no_fee(with_fee, funded_gig, gigs, escrow, client):
    receipt = gigs.send("cancel", funded_gig, sender=client)
    assert only_log(receipt, escrow.GigCancelled)["refund"] == gigs[funded_gig].amount


@ETH_ONLY
def test_fee_is_fixed_when_the_gig_is_created(with_fee, create_gig, gigs, escrow, owner, client, freelancer):
    gig_id = create_gig()
    escrow.set_fee(MAX_FEE_BPS, sender=owner)
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("deliver", gig_id, b"\x22" * 32, sender=freelancer)
    receipt = gigs.send("approve", gig_id, sender=client)
    assert gigs[gig_id].fee_bps == with_fee
    assert only_log(receipt, escrow.GigReleased)["fee"] == fee_on(gigs[gig_id].amount, with_fee)


@ETH_ONLY
def test_fee_of_ten_percent_is_allowed(escrow, owner, create_gig, gigs):
    receipt = escrow.set_fee(MAX_FEE_BPS, sender=owner)
    assert logs_of(receipt, escrow.FeeChanged) == [{"fee_bps": MAX_FEE_BPS}]
    assert gigs[create_gig()].fee_bps == MAX_FEE_BPS


def test_fee_above_ten_percent_is_refused(escrow, owner):
    with ape.reverts("escrow: fee above 10%"):
        escrow.set_fee(MAX_FEE_BPS + 1, sender=owner)


def test_only_the_owner_sets_the_fee(escrow, stranger):
    with ape.reverts("ownable: caller is not the owner"):
        escrow.set_fee(100, sender=stranger)


def test_fee_needs_a_treasury(project, owner, registry):
    escrow_without_treasury = owner.deploy(project.GigEscrow, registry, ZERO_ADDRESS, 0)
    with ape.reverts("escrow: fee needs a treasury"):
        escrow_without_treasury.set_fee(100, sender=owner)


def test_treasury_once_set_stays_set(escrow, owner):
    with ape.reverts("escrow: empty treasury"):
        escrow.set_treasury(ZERO_ADDRESS, sender=owner)


def test_owner_moves_the_treasury(escrow, owner, stranger):
    receipt = escrow.set_treasury(stranger, sender=owner)
    assert logs_of(receipt, escrow.TreasuryChanged) == [{"treasury": stranger.address}]
    assert escrow.treasury() == stranger.address


def test_only_the_owner_moves_the_treasury(escrow, stranger):
    with ape.reverts("ownable: caller is not the owner"):
        escrow.set_treasury(stranger, sender=stranger)


@pytest.mark.parametrize(
    ("treasury_is_set", "fee_bps", "reason"),
    [(True, MAX_FEE_BPS + 1, "escrow: fee above 10%"), (False, 100, "escrow: fee needs a treasury")],
    ids=["fee-too-high", "no-treasury"],
)
def test_deployment_refuses_a_bad_fee(project, owner, registry, treasury, treasury_is_set, fee_bps, reason):
    with ape.reverts(reason):
        owner.deploy(project.GigEscrow, registry, treasury if treasury_is_set else ZERO_ADDRESS, fee_bps)


# ---------------------------------------------------------------- fees that cannot be dodged


@ETH_ONLY
def test_the_fee_rounds_up(escrow, owner, create_gig, gigs, client, freelancer):
    escrow.set_fee(MAX_FEE_BPS, sender=owner)
    gig_id = create_gig(amount=9)
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("deliver", gig_id, DELIVERABLE_HASH, sender=freelancer)
    receipt = gigs.send("approve", gig_id, sender=client)
    assert only_log(receipt, escrow.GigReleased)["fee"] == 1


@ETH_ONLY
def test_milestones_pay_the_fee_of_one_payment(escrow, owner, create_gig, gigs, client, freelancer):
    escrow.set_fee(100, sender=owner)
    gig_id = create_gig(amount=16 * 99, milestones=[99] * 16)
    gigs.send("accept", gig_id, sender=freelancer)
    fees = []
    for _ in range(16):
        receipt = gigs.send("release_milestone", gig_id, sender=client)
        fees += [log["fee"] for log in logs_of(receipt, escrow.MilestoneReleased)]
        fees += [log["fee"] for log in logs_of(receipt, escrow.GigReleased)]
    assert sum(fees) == fee_on(16 * 99, 100) == 16


@ETH_ONLY
def test_a_split_after_milestones_pays_the_fee_on_the_total(escrow, owner, create_gig, gigs, client, freelancer, arbiter):
    escrow.set_fee(100, sender=owner)
    gig_id = create_gig(amount=3 * 99, milestones=[99] * 3)
    gigs.send("accept", gig_id, sender=freelancer)
    first = only_log(gigs.send("release_milestone", gig_id, sender=client), escrow.MilestoneReleased)["fee"]
    gigs.send("dispute", gig_id, sender=client)
    resolved = only_log(gigs.send("resolve", gig_id, 99, sender=arbiter), escrow.GigResolved)["fee"]
    assert first + resolved == fee_on(2 * 99, 100)


@ETH_ONLY
def test_owner_sets_a_minimum_gig_amount(escrow, owner, create_gig):
    receipt = escrow.set_min_amount(ZERO_ADDRESS, 100, sender=owner)
    assert logs_of(receipt, escrow.MinAmountChanged) == [{"token": ZERO_ADDRESS, "min_amount": 100}]
    with ape.reverts("escrow: amount below the minimum"):
        create_gig(amount=99)
    create_gig(amount=100)


@ETH_ONLY
def test_a_zero_minimum_allows_any_amount(escrow, owner, create_gig, gigs):
    escrow.set_min_amount(ZERO_ADDRESS, 100, sender=owner)
    escrow.set_min_amount(ZERO_ADDRESS, 0, sender=owner)
    assert gigs[create_gig(amount=1)].amount == 1


def test_only_the_owner_sets_the_minimum(escrow, stranger):
    with ape.reverts("ownable: caller is not the owner"):
        escrow.set_min_amount(ZERO_ADDRESS, 100, sender=stranger)
