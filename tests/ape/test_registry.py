"""The reputation registry: who may write records, attestations between the two
parties of a settled gig, revocation, and the summary and volume views."""

import ape
import pytest
from gigbook import AMOUNT, DELIVERABLE_HASH, EVIDENCE_HASH, SKILL, ZERO_ADDRESS, logs_of, only_log
from money import Money


@pytest.fixture
def money() -> Money:
    """The registry does not care what a gig was paid in: ETH gigs only here."""
    return Money("eth", None)


# ---------------------------------------------------------------- objective records


@pytest.mark.parametrize(
    ("record", "arguments"),
    [
        ("record_completion", lambda a: (a, a, ZERO_ADDRESS, 1, True)),
        ("record_missed_deadline", lambda a: (a, a, ZERO_ADDRESS, 0)),
        ("record_dispute_opened", lambda a: (a,)),
        ("record_resolution", lambda a: (a, a, ZERO_ADDRESS, 1, 1, 1)),
    ],
    ids=["completion", "missed-deadline", "dispute-opened", "resolution"],
)
def test_only_a_writer_writes_records(registry, stranger, record, arguments):
    with ape.reverts("registry: caller is not a writer in effect"):
        getattr(registry, record)(*arguments(stranger.address), sender=stranger)


def test_a_writer_announced_during_genesis_writes_at_once(registry, owner, stranger):
    receipt = registry.announce_writer(stranger, sender=owner)
    assert logs_of(receipt, registry.WriterAnnounced) == [{"writer": stranger.address, "effective_at": receipt.timestamp}]
    assert registry.is_writer(stranger)
    registry.record_missed_deadline(stranger, stranger, ZERO_ADDRESS, 0, sender=stranger)
    assert registry.summary(stranger).missed_deadlines == 1


def test_summary_and_volume_add_up_over_gigs(create_gig, gigs, chain, registry, client, freelancer, arbiter):
    outcomes = []
    for _ in range(3):
        gig_id = create_gig()
        gigs.send("accept", gig_id, sender=freelancer)
        outcomes.append(gig_id)
    gigs.send("deliver", outcomes[0], DELIVERABLE_HASH, sender=freelancer)
    gigs.send("approve", outcomes[0], sender=client)
    gigs.send("dispute", outcomes[1], sender=freelancer)
    gigs.send("resolve", outcomes[1], AMOUNT // 4, sender=arbiter)
    chain.pending_timestamp = gigs[outcomes[2]].deadline + 1
    gigs.send("refund", outcomes[2], sender=client)

    freelancer_summary = registry.summary(freelancer)
    assert tuple(freelancer_summary) == (1, 1, 1, 1, 0, 1, 0, 0)
    assert tuple(registry.summary(client)) == (0, 0, 0, 0, 1, 0, 0, 0)
    assert tuple(registry.volume(freelancer, ZERO_ADDRESS)) == (AMOUNT + AMOUNT // 4, 0)
    assert tuple(registry.volume(client, ZERO_ADDRESS)) == (0, AMOUNT + AMOUNT // 4)


def test_volume_saturates_at_128_bits(registry, owner, stranger, client, freelancer):
    registry.announce_writer(stranger, sender=owner)
    registry.record_completion(client, freelancer, ZERO_ADDRESS, 2**128 - 2, True, sender=stranger)
    registry.record_completion(client, freelancer, ZERO_ADDRESS, 2**256 - 1, True, sender=stranger)
    assert tuple(registry.volume(freelancer, ZERO_ADDRESS)) == (2**128 - 1, 0)
    assert tuple(registry.volume(client, ZERO_ADDRESS)) == (0, 2**128 - 1)


def test_unknown_account_has_an_empty_record(registry, stranger):
    assert tuple(registry.summary(stranger)) == (0,) * 8
    assert tuple(registry.volume(stranger, ZERO_ADDRESS)) == (0, 0)


# ---------------------------------------------------------------- attestations


def test_client_attests_about_the_freelancer(released_gig, registry, escrow, client, freelancer):
    receipt = registry.attest(escrow, released_gig, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)
    assert only_log(receipt, registry.Attested) == {
        "attester": client.address,
        "subject": freelancer.address,
        "gig_id": released_gig,
        "escrow": escrow.address,
        "score": 5,
        "skill": SKILL,
        "evidence_hash": EVIDENCE_HASH,
    }
    summary = registry.summary(freelancer)
    assert (summary.attestations, summary.score_sum) == (1, 5)


def test_both_parties_attest_about_each_other(released_gig, registry, escrow, client, freelancer):
    registry.attest(escrow, released_gig, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)
    registry.attest(escrow, released_gig, client, 3, SKILL, EVIDENCE_HASH, sender=freelancer)
    assert (registry.summary(freelancer).score_sum, registry.summary(client).score_sum) == (5, 3)


def test_party_attests_once_per_gig(released_gig, registry, escrow, client, freelancer):
    registry.attest(escrow, released_gig, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)
    with ape.reverts("escrow: party already attested"):
        registry.attest(escrow, released_gig, freelancer, 1, SKILL, EVIDENCE_HASH, sender=client)


@pytest.mark.parametrize(
    ("attester", "subject"),
    [("stranger", "freelancer"), ("client", "stranger"), ("freelancer", "freelancer"), ("arbiter", "client")],
    ids=["stranger", "about-a-stranger", "about-oneself", "arbiter"],
)
def test_nobody_outside_the_gig_attests(released_gig, registry, escrow, request, attester, subject):
    with ape.reverts("escrow: not a settled gig between these parties"):
        registry.attest(
            escrow,
            released_gig,
            request.getfixturevalue(subject),
            5,
            SKILL,
            EVIDENCE_HASH,
            sender=request.getfixturevalue(attester),
        )


def test_unsettled_gig_cannot_be_attested(delivered_gig, registry, escrow, client, freelancer):
    with ape.reverts("escrow: not a settled gig between these parties"):
        registry.attest(escrow, delivered_gig, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)


def test_cancelled_gig_cannot_be_attested(funded_gig, gigs, registry, escrow, client, freelancer):
    gigs.send("cancel", funded_gig, sender=client)
    with ape.reverts("escrow: not a settled gig between these parties"):
        registry.attest(escrow, funded_gig, freelancer, 1, SKILL, EVIDENCE_HASH, sender=client)


def test_refunded_gig_can_be_attested(accepted_gig, gigs, chain, registry, escrow, client, freelancer):
    chain.pending_timestamp = gigs[accepted_gig].deadline + 1
    gigs.send("refund", accepted_gig, sender=client)
    registry.attest(escrow, accepted_gig, freelancer, 1, SKILL, EVIDENCE_HASH, sender=client)
    assert registry.summary(freelancer).score_sum == 1


def test_resolved_gig_can_be_attested(disputed_gig, gigs, registry, escrow, arbiter, client, freelancer):
    gigs.send("resolve", disputed_gig, 0, sender=arbiter)
    registry.attest(escrow, disputed_gig, client, 2, SKILL, EVIDENCE_HASH, sender=freelancer)
    assert registry.summary(client).score_sum == 2


@pytest.mark.parametrize("score", [0, 6])
def test_score_runs_from_one_to_five(released_gig, registry, escrow, client, freelancer, score):
    with ape.reverts("registry: score must be 1 to 5"):
        registry.attest(escrow, released_gig, freelancer, score, SKILL, EVIDENCE_HASH, sender=client)


def test_attestation_needs_a_writer(released_gig, registry, project, owner, client, freelancer):
    other = owner.deploy(project.FakeEscrow)
    with ape.reverts("registry: escrow is not a writer"):
        registry.attest(other, released_gig, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)


def test_a_retired_escrows_settled_gig_can_still_be_attested(released_gig, registry, escrow, owner, client, freelancer):
    registry.retire_writer(escrow, sender=owner)
    registry.attest(escrow, released_gig, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)
    assert registry.summary(freelancer).attestations == 1


@pytest.mark.parametrize(
    ("method", "arguments"),
    [("use_attestation_ticket", (5,)), ("revoke_attestation_ticket", ())],
    ids=["use", "revoke"],
)
def test_only_the_registry_spends_tickets(released_gig, escrow, client, freelancer, method, arguments):
    with ape.reverts("escrow: caller is not the registry"):
        getattr(escrow, method)(released_gig, client, freelancer, *arguments, sender=client)


@pytest.mark.parametrize("score", [0, 128])
def test_escrow_checks_the_score_on_a_ticket(project, owner, stranger, client, freelancer, score):
    # an escrow whose registry is a plain account, so the score reaches the escrow unchecked
    escrow = owner.deploy(project.GigEscrow, stranger, ZERO_ADDRESS, 0)
    with ape.reverts("escrow: bad score"):
        escrow.use_attestation_ticket(1, client, freelancer, score, sender=stranger)


# ---------------------------------------------------------------- revocation


@pytest.fixture
def attested_gig(released_gig, registry, escrow, client, freelancer):
    """A released gig on which the client gave the freelancer a 4."""
    registry.attest(escrow, released_gig, freelancer, 4, SKILL, EVIDENCE_HASH, sender=client)
    return released_gig


def test_attester_revokes(attested_gig, registry, escrow, client, freelancer):
    receipt = registry.revoke(escrow, attested_gig, freelancer, sender=client)
    assert only_log(receipt, registry.AttestationRevoked) == {
        "attester": client.address,
        "subject": freelancer.address,
        "gig_id": attested_gig,
        "escrow": escrow.address,
        "score": 4,
    }
    summary = registry.summary(freelancer)
    assert (summary.attestations, summary.score_sum) == (0, 0)


def test_revocation_leaves_the_other_partys_attestation(attested_gig, registry, escrow, client, freelancer):
    registry.attest(escrow, attested_gig, client, 5, SKILL, EVIDENCE_HASH, sender=freelancer)
    registry.revoke(escrow, attested_gig, freelancer, sender=client)
    assert (registry.summary(client).attestations, registry.summary(client).score_sum) == (1, 5)


def test_attestation_is_revoked_once(attested_gig, registry, escrow, client, freelancer):
    registry.revoke(escrow, attested_gig, freelancer, sender=client)
    with ape.reverts("escrow: no attestation to revoke"):
        registry.revoke(escrow, attested_gig, freelancer, sender=client)


def test_revoked_attestation_cannot_be_given_again(attested_gig, registry, escrow, client, freelancer):
    registry.revoke(escrow, attested_gig, freelancer, sender=client)
    with ape.reverts("escrow: party already attested"):
        registry.attest(escrow, attested_gig, freelancer, 5, SKILL, EVIDENCE_HASH, sender=client)


def test_nothing_to_revoke_before_attesting(released_gig, registry, escrow, client, freelancer):
    with ape.reverts("escrow: no attestation to revoke"):
        registry.revoke(escrow, released_gig, freelancer, sender=client)


def test_only_the_attester_revokes(attested_gig, registry, escrow, stranger, freelancer):
    with ape.reverts("escrow: not a settled gig between these parties"):
        registry.revoke(escrow, attested_gig, freelancer, sender=stranger)


def test_the_subject_cannot_revoke_what_it_received(attested_gig, registry, escrow, client, freelancer):
    with ape.reverts("escrow: no attestation to revoke"):
        registry.revoke(escrow, attested_gig, client, sender=freelancer)


def test_revocation_needs_a_writer(attested_gig, registry, stranger, client, freelancer):
    with ape.reverts("registry: escrow is not a writer"):
        registry.revoke(stranger, attested_gig, freelancer, sender=client)
