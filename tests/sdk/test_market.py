"""The SDK's market calls: profiles, linked accounts, offers and hiring from one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gigledger import InvalidArgument, InvalidState, NotAuthorized, State
from gigledger.events import AccountsLinked, AccountsUnlinked, ProfileUpdated
from gigledger.market import OfferNotFound, OfferTermsChanged
from gigledger.profiles import Profile, content_hash

from .conftest import GIG_AMOUNT


@pytest.fixture
def offer(freelancer, arbiter):
    """The freelancer's open offer: a week of Python work for 1 ETH."""
    return freelancer.post_offer(
        GIG_AMOUNT, arbiter=arbiter.address, delivery_time=timedelta(days=7), skills=["python"]
    ).offer


def test_set_profile_logs_the_document_and_its_hash(freelancer):
    profile = Profile(name="Ada", headline="Python and data", skills=("python",))
    receipt = freelancer.set_profile(profile)
    event = receipt.event(ProfileUpdated)
    assert (event.account, event.profile) == (freelancer.address, profile.to_json())
    assert event.content_hash == content_hash(profile.to_json())


def test_link_with_the_others_signed_consent(client, freelancer):
    consent = freelancer.sign_link(client.address)
    event = client.link(consent).event(AccountsLinked)
    assert {event.first, event.second} == {client.address, freelancer.address}
    assert client.is_linked(freelancer.address, client.address)


def test_consent_naming_someone_else_is_refused_before_sending(client, freelancer, stranger):
    consent = freelancer.sign_link(client.address)
    with pytest.raises(InvalidArgument, match="not with"):
        stranger.link(consent)


def test_forged_consent_is_refused_by_the_market(client, freelancer, stranger):
    forged = stranger.sign_link(client.address)
    forged = type(forged)(**{**forged.to_json(), "account": freelancer.address})
    with pytest.raises(NotAuthorized, match="link not signed by both accounts"):
        client.link(forged)


def test_either_account_unlinks(client, freelancer):
    client.link(freelancer.sign_link(client.address))
    event = freelancer.unlink(client.address).event(AccountsUnlinked)
    assert event.by == freelancer.address
    assert not client.is_linked(client.address, freelancer.address)


def test_post_offer_returns_its_terms(offer, freelancer, arbiter):
    assert (offer.freelancer, offer.price, offer.arbiter, offer.delivery_time) == (
        freelancer.address, GIG_AMOUNT, arbiter.address, 7 * 86_400
    )


def test_hire_funds_a_gig_on_the_offers_terms(client, freelancer, offer):
    gig = client.hire(offer.offer_id).gig
    assert (gig.client, gig.freelancer, gig.amount, gig.state) == (client.address, freelancer.address, GIG_AMOUNT, State.OPEN)
    assert freelancer.accept(gig).gig.state == State.ACCEPTED


def test_hire_above_the_callers_limit_is_refused_before_sending(client, offer, balance_of):
    before = balance_of(client.address)
    with pytest.raises(InvalidArgument, match="more than"):
        client.hire(offer.offer_id, max_price=GIG_AMOUNT - 1)
    assert balance_of(client.address) == before


def test_the_refusal_of_a_price_above_the_limit_names_both_in_the_tokens_units(client, offer):
    with pytest.raises(InvalidArgument, match=r"costs 1 ETH, more than the 0\.5 ETH you allowed"):
        client.hire(offer.offer_id, max_price=GIG_AMOUNT // 2)


def test_offer_hash_is_the_hash_the_market_keeps_for_the_open_offer(client, offer):
    kept = client.market.functions.offer_hash(offer.offer_id).call()
    assert offer.hash() == "0x" + kept.hex()


@pytest.mark.parametrize("skills", [[], ["python", "data", "sql"]])
def test_offer_hash_matches_the_market_for_a_token_offer_with_any_skills(client, freelancer, arbiter, token, skills):
    posted = freelancer.post_offer(
        5, token=token, arbiter=arbiter.address, delivery_time=3600, terms_hash="0x" + "ab" * 32, skills=skills
    ).offer
    assert posted.hash() == "0x" + client.market.functions.hash_offer(posted.as_tuple()).call().hex()
    assert posted.hash() == "0x" + client.market.functions.offer_hash(posted.offer_id).call().hex()


def test_hire_pinned_to_the_hash_it_was_shown_funds_the_gig(client, offer):
    assert client.hire(offer.offer_id, offer_hash=offer.hash()).gig.amount == GIG_AMOUNT


def test_hire_pinned_to_other_terms_is_refused_before_sending(client, freelancer, arbiter, offer, balance_of):
    """The client was shown terms (here: a dearer offer's) that are not offer 1's on this chain."""
    shown = freelancer.post_offer(2 * GIG_AMOUNT, arbiter=arbiter.address, delivery_time=timedelta(days=1)).offer
    before = balance_of(client.address)
    with pytest.raises(OfferTermsChanged, match="nothing was sent"):
        client.hire(offer.offer_id, offer_hash=shown.hash())
    assert balance_of(client.address) == before
    assert client.offer_is_open(offer)


def test_hire_of_a_withdrawn_offer_is_refused(client, freelancer, offer):
    freelancer.withdraw_offer(offer.offer_id)
    with pytest.raises(InvalidState, match="not open"):
        client.hire(offer.offer_id)


def test_only_the_freelancer_withdraws(stranger, offer):
    with pytest.raises(NotAuthorized, match="not the offer's freelancer"):
        stranger.withdraw_offer(offer.offer_id)


def test_unknown_offer_is_not_found(client):
    with pytest.raises(OfferNotFound):
        client.offer(99)
