"""The owners' calls (the escrow's minimum gig amount, the registry's writers) and an
attester's way to withdraw a signature it handed out, through the SDK."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gigledger.errors import InvalidArgument, NotAuthorized
from gigledger.events import MinAmountChanged, NonceInvalidated, WriterAnnounced, WriterRetired

from .conftest import GIG_AMOUNT


def test_the_owners_minimum_refuses_smaller_gigs(owner, create_gig):
    owner.set_min_amount(None, 2 * GIG_AMOUNT)
    with pytest.raises(InvalidArgument, match="below the minimum"):
        create_gig(amount=GIG_AMOUNT)


def test_setting_a_minimum_logs_it_and_reads_back(owner, deployment):
    receipt = owner.set_min_amount(None, 5)
    assert receipt.event(MinAmountChanged).min_amount == 5
    assert owner.min_amount() == 5


def test_a_minimum_of_zero_removes_it(owner, create_gig):
    owner.set_min_amount(None, 2 * GIG_AMOUNT)
    owner.set_min_amount(None, 0)
    assert create_gig(amount=GIG_AMOUNT).amount == GIG_AMOUNT


def test_only_the_escrows_owner_sets_a_minimum(stranger):
    with pytest.raises(NotAuthorized):
        stranger.set_min_amount(None, 1)


def test_the_registrys_owner_announces_a_writer(owner, stranger):
    writer = stranger.address  # any address may be announced; an escrow in practice
    receipt = owner.announce_writer(writer)
    assert receipt.event(WriterAnnounced).writer == writer
    assert owner.registry.functions.is_writer(writer).call()


def test_a_retired_escrow_takes_no_new_gigs(owner, deployment, create_gig):
    assert owner.retire_writer(deployment.escrow).event(WriterRetired).writer == deployment.escrow
    with pytest.raises(NotAuthorized, match="does not take gigs from this escrow"):
        create_gig()


def test_only_the_registrys_owner_manages_writers(stranger, deployment):
    with pytest.raises(NotAuthorized):
        stranger.announce_writer(stranger.address)
    with pytest.raises(NotAuthorized):
        stranger.retire_writer(deployment.escrow)


def test_an_invalidated_nonce_withdraws_a_signed_attestation(freelancer, relayer, released_gig):
    signed = freelancer.sign_attestation(released_gig, 4, deadline=timedelta(days=1))
    assert freelancer.invalidate_nonce().event(NonceInvalidated).nonce == signed.nonce
    with pytest.raises(NotAuthorized, match="signature is not the attester's"):
        relayer.submit_attestation(signed)
    assert freelancer.attestation_nonce(freelancer.address) == signed.nonce + 1
