"""Every lifecycle call of the SDK moves the gig and the money as the escrow does."""

from __future__ import annotations

from datetime import timedelta

from gigledger import State

from .conftest import GIG_AMOUNT
from .tokens import MINTED, block_recipient, token_contract


def test_create_gig_funds_the_escrow_with_eth(funded_gig, chain, deployment, balance_of):
    assert funded_gig.state == State.OPEN
    assert funded_gig.amount == GIG_AMOUNT
    assert balance_of(deployment.escrow) == GIG_AMOUNT


def test_create_gig_returns_the_gig_as_the_chain_rebuilds_it(funded_gig, reader):
    assert reader.gig(funded_gig.gig_id) == funded_gig


def test_create_gig_with_a_token_approves_the_escrow_first(client, freelancer, arbiter, token, chain, deployment):
    gig = client.create_gig(
        5_000, token=token, freelancer=freelancer.address, arbiter=arbiter.address, deadline=timedelta(days=1)
    ).gig
    erc20 = token_contract(chain.w3, token)
    assert gig.token == token
    assert erc20.functions.balanceOf(deployment.escrow).call() == 5_000
    assert erc20.functions.balanceOf(client.address).call() == MINTED - 5_000


def test_accept_named_freelancer_moves_gig_to_accepted(accepted_gig, freelancer):
    assert accepted_gig.state == State.ACCEPTED
    assert accepted_gig.freelancer == freelancer.address


def test_accept_open_gig_makes_the_accepter_its_freelancer(create_gig, stranger):
    open_gig = create_gig(freelancer=None)
    accepted = stranger.accept(open_gig.gig_id).gig
    assert accepted.freelancer == stranger.address


def test_cancel_returns_the_money_to_the_client(funded_gig, client, deployment, balance_of):
    cancelled = client.cancel(funded_gig).gig
    assert cancelled.state == State.CANCELLED
    assert balance_of(deployment.escrow) == 0


def test_deliver_records_when_the_review_period_starts(delivered_gig, chain):
    latest = chain.w3.eth.get_block("latest")
    assert delivered_gig.state == State.DELIVERED
    assert delivered_gig.delivered_at == latest["timestamp"]
    assert delivered_gig.deliverable_hash == "0x" + "01" * 32


def test_approve_pays_the_freelancer(delivered_gig, client, freelancer, balance_of):
    before = balance_of(freelancer.address)
    released = client.approve(delivered_gig).gig
    assert released.state == State.RELEASED
    assert released.on_time is True
    assert balance_of(freelancer.address) == before + GIG_AMOUNT


def test_claim_after_the_review_period_pays_the_freelancer(delivered_gig, freelancer, chain, balance_of):
    chain.advance(3 * 86_400 + 1)
    result = freelancer.claim(delivered_gig)
    assert result.gig.state == State.RELEASED
    assert result.receipt.events[0].claimed is True


def test_refund_after_a_missed_deadline_returns_funds_to_client(accepted_gig, client, chain, deployment, balance_of):
    chain.advance(7 * 86_400 + 1)
    refunded = client.refund(accepted_gig).gig
    assert refunded.state == State.REFUNDED
    assert balance_of(deployment.escrow) == 0


def test_dispute_records_the_block_time(disputed_gig, chain, reader):
    assert disputed_gig.state == State.DISPUTED
    assert disputed_gig.disputed_at == chain.w3.eth.get_block("latest")["timestamp"]
    assert reader.gig(disputed_gig.gig_id) == disputed_gig


def test_resolve_splits_the_money(disputed_gig, arbiter, client, freelancer, balance_of):
    client_before, freelancer_before = balance_of(client.address), balance_of(freelancer.address)
    resolved = arbiter.resolve(disputed_gig, GIG_AMOUNT // 4).gig
    assert resolved.state == State.RESOLVED
    assert balance_of(freelancer.address) == freelancer_before + GIG_AMOUNT // 4
    assert balance_of(client.address) == client_before + GIG_AMOUNT - GIG_AMOUNT // 4


def test_resolve_stale_dispute_splits_a_delivery_evenly_after_the_arbitration_period(delivered_gig, client, freelancer, chain):
    disputed = client.dispute(delivered_gig).gig
    chain.advance(30 * 86_400)
    result = freelancer.resolve_stale_dispute(disputed)
    assert result.gig.state == State.RESOLVED
    assert result.receipt.events[0].timed_out is True


def test_resolve_stale_dispute_refunds_an_undelivered_gig(disputed_gig, freelancer, chain):
    chain.advance(30 * 86_400)
    result = freelancer.resolve_stale_dispute(disputed_gig)
    assert result.gig.state == State.REFUNDED


def test_release_milestone_pays_one_milestone_at_a_time(create_gig, client, freelancer):
    gig = freelancer.accept(create_gig(amount=300, milestones=[100, 200])).gig
    first = client.release_milestone(gig).gig
    assert (first.paid, first.released, first.state) == (100, 1, State.ACCEPTED)
    last = client.release_milestone(first.gig_id).gig
    assert (last.paid, last.released, last.state) == (300, 2, State.RELEASED)


def test_withdraw_pays_out_a_credited_payment(client, freelancer, arbiter, token, chain, deployment, stranger):
    erc20 = token_contract(chain.w3, token)
    gig = client.create_gig(1_000, token=token, freelancer=freelancer.address, arbiter=arbiter.address,
                            deadline=timedelta(days=1)).gig
    gig = freelancer.deliver(freelancer.accept(gig).gig).gig
    block_recipient(chain.w3, chain.accounts[0], token, freelancer.address)
    client.approve(gig)
    assert freelancer.credits(freelancer.address, token) == 1_000
    freelancer.withdraw(token, stranger.address)
    assert freelancer.credits(freelancer.address, token) == 0
    assert erc20.functions.balanceOf(stranger.address).call() == 1_000


def test_many_calls_in_a_row_do_not_collide_on_nonces(create_gig, client):
    ids = [create_gig().gig_id for _ in range(5)]
    assert ids == list(range(ids[0], ids[0] + 5))
    assert client.sender.nonces.reserve() == client.w3.eth.get_transaction_count(client.address)


def test_transactions_pay_eip1559_fees_from_the_node(funded_gig, chain):
    block = chain.w3.eth.get_block("latest", full_transactions=True)
    [transaction] = block["transactions"]
    assert transaction["type"] == 2
    # eth-tester's provider spells full transactions' fields in snake_case.
    max_fee = transaction.get("maxFeePerGas", transaction.get("max_fee_per_gas"))
    assert max_fee >= block["baseFeePerGas"]
