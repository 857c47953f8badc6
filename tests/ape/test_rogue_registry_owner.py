"""A registry owner gone rogue: retiring the deployment's escrow to freeze its live
gigs, authorising a fake writer to forge records, a fake "escrow" whose ticket
calls do nothing. Settlement never depends on the owner's later choices; a new
writer acts only after an announced delay; every record names its writer."""

import ape
import pytest
from gigbook import AMOUNT, DAY, EVIDENCE_HASH, SKILL, ZERO_ADDRESS, logs_of, only_log
from money import Money

WRITER_DELAY = 7 * DAY
GENESIS_PERIOD = DAY


@pytest.fixture
def money() -> Money:
    """The registry does not care what a gig was paid in: ETH gigs only here."""
    return Money("eth", None)


@pytest.fixture
def past_genesis(chain, registry) -> int:
    """The chain's clock past the registry's genesis period; returns the time."""
    chain.pending_timestamp = registry.DEPLOYED_AT() + GENESIS_PERIOD
    chain.mine()
    return chain.pending_timestamp


@pytest.fixture
def fake_escrow(project, owner):
    """An "escrow" whose ticket calls accept anything and spend nothing."""
    return owner.deploy(project.FakeEscrow)


def test_retiring_the_escrow_leaves_its_delivered_gig_approvable(delivered_gig, gigs, registry, escrow, owner, client, freelancer):
    registry.retire_writer(escrow, sender=owner)
    gigs.send("approve", delivered_gig, sender=client)
    assert registry.summary(freelancer).completed == 1


def test_retiring_the_escrow_leaves_its_late_gig_refundable(accepted_gig, gigs, chain, registry, escrow, owner, client, freelancer):
    registry.retire_writer(escrow, sender=owner)
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    gigs.send("refund", accepted_gig, sender=client)
    assert registry.summary(freelancer).missed_deadlines == 1


def test_retiring_the_escrow_leaves_its_gigs_disputable_and_resolvable(delivered_gig, gigs, registry, escrow, owner, client, arbiter):
    registry.retire_writer(escrow, sender=owner)
    gigs.send("dispute", delivered_gig, sender=client)
    gigs.send("resolve", delivered_gig, AMOUNT, sender=arbiter)
    assert escrow.balance == 0


def test_a_retired_escrow_takes_no_new_gigs(create_gig, registry, escrow, owner):
    registry.retire_writer(escrow, sender=owner)
    assert not registry.accepts_gigs_from(escrow)
    with ape.reverts("escrow: registry does not take gigs from this escrow"):
        create_gig()


def test_retiring_is_logged_and_final(registry, escrow, owner):
    receipt = registry.retire_writer(escrow, sender=owner)
    assert logs_of(receipt, registry.WriterRetired) == [{"writer": escrow.address}]
    with ape.reverts("registry: writer already retired"):
        registry.retire_writer(escrow, sender=owner)
    with ape.reverts("registry: writer already announced"):
        registry.announce_writer(escrow, sender=owner)


def test_a_new_writer_takes_effect_only_after_the_announced_delay(past_genesis, chain, registry, owner, stranger):
    receipt = registry.announce_writer(stranger, sender=owner)
    effective_at = receipt.timestamp + WRITER_DELAY
    assert logs_of(receipt, registry.WriterAnnounced) == [{"writer": stranger.address, "effective_at": effective_at}]
    chain.pending_timestamp = effective_at - 1
    with ape.reverts("registry: caller is not a writer in effect"):
        registry.record_dispute_opened(stranger, sender=stranger)
    chain.pending_timestamp = effective_at
    registry.record_dispute_opened(stranger, sender=stranger)
    assert registry.summary(stranger).disputes_opened == 1


def test_a_fake_escrow_attests_only_after_the_delay(past_genesis, chain, registry, fake_escrow, owner, client, freelancer):
    receipt = registry.announce_writer(fake_escrow, sender=owner)
    with ape.reverts("registry: escrow is not a writer"):
        registry.attest(fake_escrow, 1, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)
    chain.pending_timestamp = receipt.timestamp + WRITER_DELAY
    receipt = registry.attest(fake_escrow, 1, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)
    # What the registry cannot prevent it names: readers weigh attestations by escrow.
    assert only_log(receipt, registry.Attested)["escrow"] == fake_escrow.address


@pytest.mark.parametrize("method", ["announce_writer", "retire_writer"])
def test_only_the_owner_changes_writers(registry, escrow, stranger, method):
    with ape.reverts("ownable: caller is not the owner"):
        getattr(registry, method)(escrow, sender=stranger)


def test_approval_logs_the_completion_it_recorded(delivered_gig, gigs, registry, escrow, client, freelancer):
    receipt = gigs.send("approve", delivered_gig, sender=client)
    assert logs_of(receipt, registry.CompletionRecorded) == [
        {
            "writer": escrow.address,
            "freelancer": freelancer.address,
            "client": client.address,
            "token": ZERO_ADDRESS,
            "paid": AMOUNT,
            "on_time": True,
        }
    ]


def test_refund_logs_the_missed_deadline_it_recorded(accepted_gig, gigs, chain, registry, escrow, client, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    receipt = gigs.send("refund", accepted_gig, sender=client)
    assert logs_of(receipt, registry.MissedDeadlineRecorded) == [
        {"writer": escrow.address, "freelancer": freelancer.address, "client": client.address, "token": ZERO_ADDRESS, "earned": 0}
    ]


def test_dispute_and_resolution_log_what_they_recorded(delivered_gig, gigs, registry, escrow, client, freelancer, arbiter):
    receipt = gigs.send("dispute", delivered_gig, sender=client)
    assert logs_of(receipt, registry.DisputeOpenedRecorded) == [{"writer": escrow.address, "opener": client.address}]
    receipt = gigs.send("resolve", delivered_gig, AMOUNT // 4, sender=arbiter)
    assert logs_of(receipt, registry.ResolutionRecorded) == [
        {
            "writer": escrow.address,
            "client": client.address,
            "freelancer": freelancer.address,
            "token": ZERO_ADDRESS,
            "to_client": AMOUNT - AMOUNT // 4,
            "to_freelancer": AMOUNT // 4,
            "earned": AMOUNT // 4,
        }
    ]
