"""Two-step ownership of both contracts (snekmate's `ownable_2step`): a transfer
takes effect only when the new owner accepts it."""

import ape
import pytest
from gigbook import logs_of


@pytest.fixture(params=["escrow", "registry"])
def owned(request, escrow, registry):
    """Each contract in turn."""
    return {"escrow": escrow, "registry": registry}[request.param]


def test_a_transfer_waits_for_the_new_owner(owned, owner, stranger):
    receipt = owned.transfer_ownership(stranger, sender=owner)
    assert logs_of(receipt, owned.OwnershipTransferStarted) == [
        {"previous_owner": owner.address, "new_owner": stranger.address}
    ]
    assert (owned.owner(), owned.pending_owner()) == (owner.address, stranger.address)


def test_the_new_owner_accepts(owned, owner, stranger):
    owned.transfer_ownership(stranger, sender=owner)
    receipt = owned.accept_ownership(sender=stranger)
    assert logs_of(receipt, owned.OwnershipTransferred) == [
        {"previous_owner": owner.address, "new_owner": stranger.address}
    ]
    assert owned.owner() == stranger.address
    with ape.reverts("ownable: caller is not the owner"):
        owned.transfer_ownership(owner, sender=owner)


def test_only_the_offered_account_accepts(owned, owner, stranger, client):
    owned.transfer_ownership(stranger, sender=owner)
    with ape.reverts("ownable_2step: caller is not the new owner"):
        owned.accept_ownership(sender=client)


def test_only_the_owner_offers_ownership(owned, stranger):
    with ape.reverts("ownable: caller is not the owner"):
        owned.transfer_ownership(stranger, sender=stranger)


def test_ownership_cannot_be_renounced(owned):
    assert not hasattr(owned, "renounce_ownership")
