"""Attestations: direct, signed off-chain and submitted by anyone, and revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gigledger import DeadlinePassed, InvalidState, NotAParty, NotAuthorized, SignedAttestation


def test_attest_records_a_score_about_the_other_party(released_gig, client, freelancer):
    attestation = client.attest(released_gig, 5, "python", b"\x02" * 32).attestation
    assert (attestation.attester, attestation.subject) == (client.address, freelancer.address)
    assert (attestation.score, attestation.skill, attestation.evidence_hash) == (5, "python", "0x" + "02" * 32)


def test_attesting_twice_on_one_gig_is_refused(released_gig, client):
    client.attest(released_gig, 5)
    with pytest.raises(InvalidState, match="already attested"):
        client.attest(released_gig, 4)


def test_attesting_before_settlement_is_refused(delivered_gig, client):
    with pytest.raises(NotAuthorized, match="not a settled gig"):
        client.attest(delivered_gig, 5)


def test_a_stranger_cannot_attest_about_a_gig(released_gig, stranger):
    with pytest.raises(NotAParty):
        stranger.attest(released_gig, 5)


def test_a_signed_attestation_submitted_by_anyone_counts_as_the_attesters(released_gig, freelancer, client, relayer):
    signed = freelancer.sign_attestation(released_gig, 4, "communication")
    attestation = relayer.submit_attestation(signed).attestation
    assert (attestation.attester, attestation.subject, attestation.score) == (freelancer.address, client.address, 4)
    assert relayer.attestation_nonce(freelancer.address) == 1


def test_a_signed_attestation_survives_a_json_round_trip(released_gig, freelancer, relayer):
    signed = freelancer.sign_attestation(released_gig, 4)
    assert relayer.submit_attestation(SignedAttestation.from_json(signed.to_json())).attestation.score == 4


def test_a_signed_attestation_cannot_be_replayed(released_gig, freelancer, relayer):
    signed = freelancer.sign_attestation(released_gig, 4)
    relayer.submit_attestation(signed)
    with pytest.raises(NotAuthorized, match="signature is not the attester's"):
        relayer.submit_attestation(signed)


def test_an_expired_signed_attestation_is_refused(released_gig, freelancer, relayer, chain):
    signed = freelancer.sign_attestation(released_gig, 4, deadline=timedelta(hours=1))
    chain.advance(2 * 3600)
    with pytest.raises(DeadlinePassed, match="signature expired"):
        relayer.submit_attestation(signed)


def test_a_tampered_signed_attestation_is_refused(released_gig, freelancer, relayer):
    signed = freelancer.sign_attestation(released_gig, 4)
    forged = SignedAttestation.from_json({**signed.to_json(), "score": 5})
    with pytest.raises(NotAuthorized, match="signature is not the attester's"):
        relayer.submit_attestation(forged)


def test_revoke_marks_the_attestation_and_drops_it_from_the_average(released_gig, client, freelancer, reader):
    client.attest(released_gig, 2)
    revoked = client.revoke(released_gig).attestation
    assert revoked.revoked
    reputation = reader.reputation(freelancer.address)
    assert reputation.attestation_count == 0
    assert reputation.average_score is None
    assert [a.revoked for a in reputation.attestations] == [True]


def test_attestations_lists_them_by_attester_and_subject(released_gig, client, freelancer, reader):
    client.attest(released_gig, 5)
    freelancer.attest(released_gig, 3)
    assert [a.score for a in reader.attestations(attester=client.address)] == [5]
    assert [a.attester for a in reader.attestations(subject=client.address)] == [freelancer.address]
