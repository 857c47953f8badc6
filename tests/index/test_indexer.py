"""Backfilling the story: every figure the index derives agrees with the chain."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gigledger.audit import chain_payments
from gigledger.contracts import abi
from gigledger.deployment import Deployment
from gigledger_node.index import db
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer, WrongIndex
from gigledger_node.index.queries import Queries

from .story import ETHER, deploy_contracts, dev_account, web3_of

ZERO = "0x" + "00" * 20


def test_each_gig_is_folded_to_the_state_its_events_leave_it_in(queries, story):
    states = {name: queries.gig(gig_id).summary.state for name, gig_id in story.gigs.items()}

    assert states == {
        "approved": "RELEASED", "staged": "RELEASED", "missed": "REFUNDED",
        "disputed": "RESOLVED", "cancelled": "CANCELLED", "working": "ACCEPTED",
    }


def test_an_open_gig_takes_the_freelancer_who_accepted_it(queries, story):
    assert queries.gig(story.gigs["working"]).summary.freelancer == story.parties["dave"]


@pytest.mark.parametrize("party", ["alice", "bob", "carol", "dave"])
def test_reputation_counters_equal_the_registry_on_chain(queries, story, party):
    account = story.parties[party]
    registry = web3_of(story.url).eth.contract(address=story.deployment.registry, abi=abi("ReputationRegistry"))
    on_chain = list(registry.functions.summary(account).call())
    indexed = queries.reputation(account)

    assert on_chain == [
        indexed.completed, indexed.on_time, indexed.missed_deadlines, indexed.disputes_opened,
        indexed.disputes_won, indexed.disputes_lost, indexed.attestations, indexed.score_sum,
    ]


@pytest.mark.parametrize("party", ["alice", "bob", "dave"])
def test_volumes_equal_the_registry_on_chain(queries, story, party):
    account = story.parties[party]
    registry = web3_of(story.url).eth.contract(address=story.deployment.registry, abi=abi("ReputationRegistry"))
    earned, paid = registry.functions.volume(account, ZERO).call()
    volumes = {v.token: (v.earned, v.paid) for v in queries.reputation(account).volumes}

    assert volumes.get(ZERO, (0, 0)) == (earned, paid)


def test_records_of_any_writer_count_as_the_registry_counts_them(anvil, engine):
    deployment = deploy_contracts(anvil)
    w3 = web3_of(anvil)
    registry = w3.eth.contract(address=deployment.registry, abi=abi("ReputationRegistry"))
    writer, client, freelancer = (dev_account(i).address for i in (6, 7, 8))
    for call, sender in [
        (registry.functions.announce_writer(writer), dev_account(0).address),
        (registry.functions.record_completion(client, freelancer, ZERO, ETHER, True), writer),
        (registry.functions.record_resolution(client, freelancer, ZERO, 0, ETHER, ETHER), writer),
    ]:
        w3.eth.wait_for_transaction_receipt(call.transact({"from": sender}))
    Indexer(engine, Endpoint(anvil), deployment).sync()
    indexed = Queries(engine).reputation(freelancer)

    assert [indexed.completed, indexed.on_time, indexed.disputes_won] == [1, 1, 1]
    assert list(registry.functions.summary(freelancer).call())[:5] == [1, 1, 0, 0, 1]
    assert {v.token: (v.earned, v.paid) for v in indexed.volumes} == {ZERO: (2 * ETHER, 0)}


def test_revoked_attestation_no_longer_counts_but_stays_listed(queries, story):
    received = queries.attestations_received(story.parties["alice"])

    assert [a.revoked for a in received.items] == [True]
    assert queries.reputation(story.parties["alice"]).attestations == 0


def test_skill_breakdown_counts_completions_and_scores_per_tag(queries, story):
    skills = {s.text: (s.completed, s.attestations, s.score_sum) for s in queries.reputation(story.parties["bob"]).skills}

    assert skills == {"solidity": (1, 1, 5), "audit": (1, 0, 0)}


@pytest.mark.parametrize("party", ["alice", "bob"])
def test_payment_history_is_the_chain_payments_of_the_account(queries, story, party):
    account = story.parties[party]
    expected = chain_payments(web3_of(story.url), story.deployment, account)
    indexed = queries.payment_history(account).items

    assert [(p.transaction_hash, p.log_index, p.kind, p.amount, p.fee) for p in indexed] == [
        (p.transaction_hash, p.log_index, p.kind, p.amount, p.fee) for p in expected
    ]


def test_escrow_holds_what_the_index_says(queries, story):
    balance = web3_of(story.url).eth.get_balance(story.deployment.escrow)

    assert queries.held_by_escrow() == {ZERO: balance} and balance == 3 * ETHER // 10


def test_syncing_again_at_the_head_stores_nothing_more(story_indexer):
    first = story_indexer.sync()

    assert first > 0 and story_indexer.sync() == 0


def test_status_reports_the_head_and_no_lag(queries, story):
    status = queries.status()
    head = web3_of(story.url).eth.block_number

    assert (status.checkpoint_block, status.chain_head, status.lag) == (head, head, 0)


def test_the_same_log_cannot_be_stored_twice(queries, story_indexer):
    with story_indexer.engine.begin() as conn:
        row = conn.execute(select(db.events).limit(1)).mappings().one()
    duplicate = {k: v for k, v in row.items() if k != "id"}

    with pytest.raises(IntegrityError), story_indexer.engine.begin() as conn:
        conn.execute(db.events.insert(), [duplicate])


def test_an_index_of_another_deployment_is_refused(queries, story):
    other = Deployment(story.deployment.chain_id, story.parties["alice"], story.parties["bob"], 1)

    with pytest.raises(WrongIndex, match="use another --db"):
        Indexer(queries.engine, Endpoint(story.url), other)
