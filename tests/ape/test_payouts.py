"""Payouts that cannot go through are credited and withdrawn later; paying out
cannot be used to re-enter the escrow."""

import ape
import pytest
from gigbook import AMOUNT, DELIVERABLE_HASH, REVIEW_PERIOD, ZERO_ADDRESS, fee_on, logs_of, only_log
from money import ETH_ONLY, TOKENS_ONLY


@pytest.fixture
def party_delivered_gig(create_gig, gigs, owner):
    """Makes a delivered gig whose freelancer is the given GigParty contract."""

    def deliver(party):
        gig_id = create_gig(freelancer=party.address)
        gigs.send("accept", gig_id, sender=owner, via=party)
        gigs.send("deliver", gig_id, DELIVERABLE_HASH, sender=owner, via=party)
        return gig_id

    return deliver


# ---------------------------------------------------------------- rejected ETH


ETH_PAYOUT_GAS = 100_000


@ETH_ONLY
def test_a_gas_burning_payee_gets_a_fixed_stipend_and_a_credit(party_delivered_gig, reentrant_party, gigs, escrow, owner, client):
    gig_id = party_delivered_gig(reentrant_party)
    reentrant_party.burn_gas(sender=owner)
    receipt = gigs.send("approve", gig_id, sender=client)
    assert receipt.gas_used < 200_000 + ETH_PAYOUT_GAS
    assert escrow.credits(reentrant_party, ZERO_ADDRESS) == AMOUNT


@ETH_ONLY
def test_rejected_eth_payout_is_credited(party_delivered_gig, eth_rejecting_party, gigs, escrow, client):
    gig_id = party_delivered_gig(eth_rejecting_party)
    receipt = gigs.send("approve", gig_id, sender=client)
    assert only_log(receipt, escrow.PaymentCredited) == {
        "account": eth_rejecting_party.address,
        "token": ZERO_ADDRESS,
        "amount": AMOUNT,
    }
    assert escrow.credits(eth_rejecting_party, ZERO_ADDRESS) == AMOUNT
    assert escrow.balance == AMOUNT


@ETH_ONLY
def test_credit_is_withdrawn_to_another_address(
    party_delivered_gig, eth_rejecting_party, gigs, escrow, client, owner, beneficiary
):
    gigs.send("approve", party_delivered_gig(eth_rejecting_party), sender=client)
    before = beneficiary.balance
    receipt = eth_rejecting_party.forward(escrow.withdraw.encode_input(ZERO_ADDRESS, beneficiary.address), sender=owner)
    assert logs_of(receipt, escrow.CreditWithdrawn) == [
        {
            "account": eth_rejecting_party.address,
            "token": ZERO_ADDRESS,
            "recipient": beneficiary.address,
            "amount": AMOUNT,
        }
    ]
    assert beneficiary.balance - before == AMOUNT
    assert escrow.credits(eth_rejecting_party, ZERO_ADDRESS) == 0
    assert escrow.balance == 0


@ETH_ONLY
def test_client_that_rejects_eth_is_credited_its_cancelled_gig(create_gig, gigs, escrow, eth_rejecting_party, owner):
    gig_id = create_gig(sender=owner, via=eth_rejecting_party)
    receipt = gigs.send("cancel", gig_id, sender=owner, via=eth_rejecting_party)
    assert only_log(receipt, escrow.PaymentCredited)["amount"] == AMOUNT
    assert escrow.credits(eth_rejecting_party, ZERO_ADDRESS) == AMOUNT


@ETH_ONLY
def test_withdrawal_to_a_rejecting_recipient_keeps_the_credit(
    party_delivered_gig, eth_rejecting_party, gigs, escrow, client, owner
):
    gigs.send("approve", party_delivered_gig(eth_rejecting_party), sender=client)
    with ape.reverts("escrow: withdrawal transfer failed"):
        eth_rejecting_party.forward(
            escrow.withdraw.encode_input(ZERO_ADDRESS, eth_rejecting_party.address), sender=owner
        )
    assert escrow.credits(eth_rejecting_party, ZERO_ADDRESS) == AMOUNT


# ---------------------------------------------------------------- blocked token recipients


@TOKENS_ONLY
def test_blocked_token_recipient_is_credited(delivered_gig, gigs, escrow, money, client, freelancer):
    money.token.block_recipient(freelancer, sender=client)
    held = gigs[delivered_gig].amount
    receipt = gigs.send("approve", delivered_gig, sender=client)
    assert only_log(receipt, escrow.PaymentCredited) == {
        "account": freelancer.address,
        "token": money.address,
        "amount": held,
    }
    assert escrow.credits(freelancer, money.address) == held
    assert money.balance(escrow) == held


@TOKENS_ONLY
def test_blocked_token_recipient_withdraws_elsewhere(
    delivered_gig, gigs, escrow, money, client, freelancer, beneficiary
):
    money.token.block_recipient(freelancer, sender=client)
    held = gigs[delivered_gig].amount
    gigs.send("approve", delivered_gig, sender=client)
    with ape.reverts("escrow: withdrawal transfer failed"):
        escrow.withdraw(money.address, sender=freelancer)
    escrow.withdraw(money.address, beneficiary, sender=freelancer)
    assert money.balance(beneficiary) == money.arriving(held)
    assert money.balance(escrow) == 0


@TOKENS_ONLY
def test_fee_to_a_blocked_treasury_is_credited(with_fee, create_gig, gigs, escrow, money, client, freelancer, treasury):
    gig_id = create_gig()
    gigs.send("accept", gig_id, sender=freelancer)
    gigs.send("deliver", gig_id, DELIVERABLE_HASH, sender=freelancer)
    money.token.block_recipient(treasury, sender=client)
    gigs.send("approve", gig_id, sender=client)
    assert escrow.credits(treasury, money.address) == fee_on(gigs[gig_id].amount, with_fee)


@TOKENS_ONLY
def test_payout_in_a_token_that_returns_false_is_credited(delivered_gig, gigs, escrow, money, client, freelancer):
    held = gigs[delivered_gig].amount
    money.token.return_false(True, sender=client)
    receipt = gigs.send("approve", delivered_gig, sender=client)
    assert only_log(receipt, escrow.PaymentCredited)["amount"] == held
    money.token.return_false(False, sender=client)
    before = money.balance(freelancer)
    escrow.withdraw(money.address, sender=freelancer)
    assert money.balance(freelancer) - before == money.arriving(held)


def test_nothing_to_withdraw(escrow, money, stranger):
    with ape.reverts("escrow: nothing to withdraw"):
        escrow.withdraw(money.address, sender=stranger)


@ETH_ONLY
def test_withdrawal_needs_a_recipient(party_delivered_gig, eth_rejecting_party, gigs, escrow, client, owner):
    gigs.send("approve", party_delivered_gig(eth_rejecting_party), sender=client)
    with ape.reverts("escrow: empty recipient"):
        eth_rejecting_party.forward(escrow.withdraw.encode_input(ZERO_ADDRESS, ZERO_ADDRESS), sender=owner)


# ---------------------------------------------------------------- reentrancy


def _pay_by_approving(gigs, gig_id, party, accounts):
    gigs.send("approve", gig_id, sender=accounts["client"])


def _pay_by_claiming(gigs, gig_id, party, accounts):
    accounts["chain"].pending_timestamp = gigs[gig_id].delivered_at + REVIEW_PERIOD
    gigs.send("claim", gig_id, sender=accounts["owner"], via=party)


def _pay_by_resolving(gigs, gig_id, party, accounts):
    gigs.send("dispute", gig_id, sender=accounts["client"])
    gigs.send("resolve", gig_id, gigs[gig_id].amount, sender=accounts["arbiter"])


@ETH_ONLY
@pytest.mark.parametrize(
    "pay", [_pay_by_approving, _pay_by_claiming, _pay_by_resolving], ids=["approve", "claim", "resolve"]
)
def test_party_cannot_reenter_the_escrow_while_paid(
    party_delivered_gig, reentrant_party, create_gig, gigs, escrow, chain, owner, client, arbiter, freelancer, pay
):
    paid_gig = party_delivered_gig(reentrant_party)
    # The party also funds an open gig of its own; cancelling it is a valid call,
    # and the one it tries while the escrow is paying it.
    own_gig = create_gig(sender=owner, via=reentrant_party)
    reentrant_party.arm(escrow.cancel.encode_input(own_gig, gigs[own_gig]), sender=owner)

    pay(gigs, paid_gig, reentrant_party, {"client": client, "arbiter": arbiter, "owner": owner, "chain": chain})

    assert reentrant_party.reentry_attempts() == 1
    assert not reentrant_party.reentry_succeeded()
    assert reentrant_party.balance == AMOUNT
    assert escrow.balance == AMOUNT  # still holds the party's own open gig
    gigs.send("cancel", own_gig, sender=owner, via=reentrant_party)
    assert (reentrant_party.balance, escrow.balance) == (2 * AMOUNT, 0)
