"""A gig rebuilt from events is exactly the struct the escrow committed to."""

from __future__ import annotations

import dataclasses

import pytest

from gigledger.gigs import Gig, GigHistoryError, State


@pytest.fixture
def commitment_of(client):
    """Whether a rebuilt gig hashes to the escrow's commitment for it."""
    escrow = client.escrow.functions
    return lambda gig: escrow.hash_gig(gig.as_tuple()).call() == escrow.gig_commitment(gig.gig_id).call()


def test_a_funded_gig_matches_its_commitment(funded_gig, reader, commitment_of):
    assert commitment_of(reader.gig(funded_gig.gig_id))


def test_a_delivered_gig_matches_its_commitment(delivered_gig, reader, commitment_of):
    assert commitment_of(reader.gig(delivered_gig.gig_id))


def test_a_disputed_gig_matches_its_commitment(disputed_gig, reader, commitment_of):
    assert commitment_of(reader.gig(disputed_gig.gig_id))


def test_a_gig_with_a_released_milestone_matches_its_commitment(create_gig, client, freelancer, reader, commitment_of):
    gig = freelancer.accept(create_gig(amount=300, milestones=[100, 200])).gig
    client.release_milestone(gig)
    rebuilt = reader.gig(gig.gig_id)
    assert (rebuilt.paid, rebuilt.released) == (100, 1)
    assert commitment_of(rebuilt)


def test_a_settled_gig_keeps_its_final_state(released_gig, reader):
    rebuilt = reader.gig(released_gig.gig_id)
    assert rebuilt.state == State.RELEASED
    assert rebuilt.is_settled
    assert rebuilt.held == 0


def test_history_must_start_with_creation(delivered_gig, reader):
    events = reader.logs.gig_events([delivered_gig.gig_id])
    with pytest.raises(GigHistoryError, match="GigCreated"):
        Gig.from_events(events[1:])


def test_a_dispute_needs_no_block_timestamp_to_fold(disputed_gig, reader):
    events = reader.logs.gig_events([disputed_gig.gig_id])
    stripped = [dataclasses.replace(e, block_timestamp=None) for e in events]
    assert Gig.from_events(stripped) == disputed_gig


def test_state_names_mirror_the_contract_flag():
    assert [(s.name, s.value) for s in State] == [
        ("OPEN", 1), ("ACCEPTED", 2), ("DELIVERED", 4), ("RELEASED", 8),
        ("CANCELLED", 16), ("REFUNDED", 32), ("DISPUTED", 64), ("RESOLVED", 128),
    ]
