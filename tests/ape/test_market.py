"""The talent market: profiles in the account's own words, links that need both
accounts' consent and cannot be replayed, offers only their freelancer withdraws,
and a hire that pays exactly the posted terms."""

import ape
import pytest
from eth_account import Account
from eth_utils import keccak
from gigbook import AMOUNT, GIG_LENGTH, ZERO_ADDRESS, Gig, State, logs_of, only_log
from money import ETH_ONLY

LINK_TYPES = {
    "Link": [
        {"name": "account", "type": "address"},
        {"name": "other", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}
PROFILE = '{"name": "Ada", "headline": "Python and data", "skills": ["python"], "links": []}'


def domain_of(chain, market) -> dict:
    return {"name": "GigLedger Market", "version": "1", "chainId": chain.chain_id, "verifyingContract": market.address}


@pytest.fixture
def domain(chain, market) -> dict:
    """The market's EIP-712 domain on this chain."""
    return domain_of(chain, market)


@pytest.fixture
def link_deadline(chain) -> int:
    return chain.pending_timestamp + 86_400


def sign_link(signer, domain: dict, other, nonce: int, deadline: int) -> bytes:
    """`signer`'s consent to be linked with `other`, as 65 bytes r || s || v."""
    message = {"account": signer.address, "other": other.address, "nonce": nonce, "deadline": deadline}
    return bytes(Account.sign_typed_data(signer.private_key, domain, LINK_TYPES, message).signature)


def ordered(a, b) -> tuple[str, str]:
    return tuple(sorted([a.address, b.address], key=lambda address: int(address, 16)))


# ---------------------------------------------------------------- profiles


def test_profile_is_logged_with_the_hash_of_its_bytes(market, freelancer):
    receipt = market.set_profile(PROFILE, sender=freelancer)
    assert only_log(receipt, market.ProfileUpdated) == {
        "account": freelancer.address,
        "content_hash": keccak(PROFILE.encode()),
        "profile": PROFILE,
    }


def test_profile_update_is_logged_for_the_caller_only(market, freelancer):
    market.set_profile(PROFILE, sender=freelancer)
    updated = PROFILE.replace("Ada", "Ada L.")
    receipt = market.set_profile(updated, sender=freelancer)
    assert only_log(receipt, market.ProfileUpdated)["profile"] == updated


def test_empty_profile_is_refused(market, freelancer):
    with ape.reverts("market: empty profile"):
        market.set_profile("", sender=freelancer)


# ---------------------------------------------------------------- links


def test_caller_links_with_the_other_accounts_signature(market, domain, client, freelancer, link_deadline):
    signature = sign_link(freelancer, domain, client, 0, link_deadline)
    receipt = market.link(client, freelancer, link_deadline, b"", signature, sender=client)
    first, second = ordered(client, freelancer)
    assert only_log(receipt, market.AccountsLinked) == {"first": first, "second": second}
    assert market.is_linked(freelancer, client)
    assert market.nonces(freelancer) == 1


def test_anyone_submits_a_link_both_accounts_signed(market, domain, client, freelancer, stranger, link_deadline):
    first_signature = sign_link(client, domain, freelancer, 0, link_deadline)
    second_signature = sign_link(freelancer, domain, client, 0, link_deadline)
    market.link(client, freelancer, link_deadline, first_signature, second_signature, sender=stranger)
    assert market.is_linked(client, freelancer)


def test_link_without_the_victims_signature_is_refused(market, domain, client, stranger, link_deadline):
    with ape.reverts("market: link not signed by both accounts"):
        market.link(stranger, client, link_deadline, b"", b"", sender=stranger)


def test_link_signed_by_someone_else_is_refused(market, domain, client, freelancer, stranger, link_deadline):
    forged = sign_link(stranger, domain, freelancer, 0, link_deadline)
    with ape.reverts("market: link not signed by both accounts"):
        market.link(freelancer, client, link_deadline, b"", forged, sender=freelancer)


def test_signature_for_a_different_partner_is_refused(market, domain, client, freelancer, stranger, link_deadline):
    """The victim agreed to join `freelancer`, not `stranger`."""
    signature = sign_link(client, domain, freelancer, 0, link_deadline)
    with ape.reverts("market: link not signed by both accounts"):
        market.link(stranger, client, link_deadline, b"", signature, sender=stranger)


@pytest.mark.parametrize(
    "wrong_domain",
    [
        lambda chain, market, other: {**domain_of(chain, market), "chainId": chain.chain_id + 1},
        lambda chain, market, other: domain_of(chain, other),
    ],
    ids=["other-chain", "other-contract"],
)
def test_link_signature_for_another_domain_is_refused(
    chain, market, other_market, client, freelancer, link_deadline, wrong_domain
):
    signature = sign_link(freelancer, wrong_domain(chain, market, other_market), client, 0, link_deadline)
    with ape.reverts("market: link not signed by both accounts"):
        market.link(client, freelancer, link_deadline, b"", signature, sender=client)


def test_link_signature_cannot_be_replayed_after_unlink(market, domain, client, freelancer, link_deadline):
    signature = sign_link(freelancer, domain, client, 0, link_deadline)
    market.link(client, freelancer, link_deadline, b"", signature, sender=client)
    market.unlink(client, sender=freelancer)
    with ape.reverts("market: link not signed by both accounts"):
        market.link(client, freelancer, link_deadline, b"", signature, sender=client)


def test_expired_link_signature_is_refused(chain, market, domain, client, freelancer, link_deadline):
    signature = sign_link(freelancer, domain, client, 0, link_deadline)
    chain.pending_timestamp = link_deadline + 1
    with ape.reverts("market: signature expired"):
        market.link(client, freelancer, link_deadline, b"", signature, sender=client)


def test_invalidated_link_signature_is_refused(market, domain, client, freelancer, link_deadline):
    signature = sign_link(freelancer, domain, client, 0, link_deadline)
    market.invalidate_link_signatures(sender=freelancer)
    with ape.reverts("market: link not signed by both accounts"):
        market.link(client, freelancer, link_deadline, b"", signature, sender=client)


def test_account_cannot_link_to_itself(market, client, link_deadline):
    with ape.reverts("market: cannot link an account to itself"):
        market.link(client, client, link_deadline, b"", b"", sender=client)


def test_linking_twice_is_refused(market, domain, client, freelancer, link_deadline):
    market.link(client, freelancer, link_deadline, b"", sign_link(freelancer, domain, client, 0, link_deadline), sender=client)
    with ape.reverts("market: accounts already linked"):
        market.link(client, freelancer, link_deadline, b"", sign_link(freelancer, domain, client, 1, link_deadline), sender=client)


@pytest.mark.parametrize("by", ["client", "freelancer"])
def test_either_account_unlinks(request, market, domain, client, freelancer, link_deadline, by):
    market.link(client, freelancer, link_deadline, b"", sign_link(freelancer, domain, client, 0, link_deadline), sender=client)
    unlinker = request.getfixturevalue(by)
    other = freelancer if unlinker == client else client
    receipt = market.unlink(other, sender=unlinker)
    first, second = ordered(client, freelancer)
    assert only_log(receipt, market.AccountsUnlinked) == {"first": first, "second": second, "by": unlinker.address}
    assert not market.is_linked(client, freelancer)


def test_outsider_cannot_unlink_others(market, domain, client, freelancer, stranger, link_deadline):
    market.link(client, freelancer, link_deadline, b"", sign_link(freelancer, domain, client, 0, link_deadline), sender=client)
    with ape.reverts("market: accounts not linked"):
        market.unlink(freelancer, sender=stranger)
    assert market.is_linked(client, freelancer)


# ---------------------------------------------------------------- offers


@ETH_ONLY
def test_offer_is_logged_with_its_terms(market, freelancer, offer_terms):
    receipt = market.post_offer(*offer_terms.values(), sender=freelancer)
    assert only_log(receipt, market.OfferPosted) == {"offer_id": 1, "freelancer": freelancer.address, **offer_terms}


@ETH_ONLY
def test_open_offer_stores_only_the_hash_of_its_terms(market, posted_offer):
    offer_id, offer = posted_offer
    assert market.offer_hash(offer_id) == market.hash_offer(offer)


@ETH_ONLY
@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"price": 0}, "market: zero price"),
        ({"delivery_time": 0}, "market: delivery time out of range"),
        ({"review_period": 91 * 86_400}, "market: review period too long"),
        ({"arbiter": ZERO_ADDRESS}, "market: arbiter required"),
    ],
    ids=["zero-price", "no-delivery-time", "long-review", "no-arbiter"],
)
def test_unhirable_offer_is_refused(post_offer, override, reason):
    with ape.reverts(reason):
        post_offer(**override)


@ETH_ONLY
def test_freelancer_cannot_arbitrate_own_offer(post_offer, freelancer):
    with ape.reverts("market: arbiter must be a third party"):
        post_offer(arbiter=freelancer.address)


@ETH_ONLY
def test_freelancer_withdraws_own_offer(market, posted_offer, freelancer):
    offer_id, offer = posted_offer
    receipt = market.withdraw_offer(offer_id, offer, sender=freelancer)
    assert only_log(receipt, market.OfferWithdrawn) == {"offer_id": offer_id, "freelancer": freelancer.address}
    assert market.offer_hash(offer_id) == b"\0" * 32


@ETH_ONLY
def test_only_the_freelancer_withdraws_an_offer(market, posted_offer, stranger):
    offer_id, offer = posted_offer
    with ape.reverts("market: caller is not the offer's freelancer"):
        market.withdraw_offer(offer_id, offer, sender=stranger)


@ETH_ONLY
def test_withdrawal_naming_other_terms_is_refused(market, posted_offer, stranger):
    offer_id, offer = posted_offer
    with ape.reverts("market: offer terms do not match"):
        market.withdraw_offer(offer_id, (stranger.address, *offer[1:]), sender=stranger)


@ETH_ONLY
def test_only_the_escrow_takes_an_offer(market, posted_offer, client):
    offer_id, offer = posted_offer
    with ape.reverts("market: caller is not the escrow"):
        market.take_offer(offer_id, offer, client, 1, sender=client)


# ---------------------------------------------------------------- hiring


def hire(escrow, market, offer_id, offer, money, client, value=None):
    funded = money.fund(client, escrow, offer[2])
    return escrow.hire(market, offer_id, offer, sender=client, value=funded if value is None else value)


def test_hire_funds_a_gig_with_the_offers_exact_terms(chain, escrow, market, gigs, money, posted_offer, client):
    offer_id, offer = posted_offer
    receipt = hire(escrow, market, offer_id, offer, money, client)
    gigs.apply(receipt)
    created = only_log(receipt, escrow.GigCreated)
    assert gigs[created["gig_id"]] == Gig(
        client=client.address,
        freelancer=offer[0],
        arbiter=offer[5],
        token=money.address,
        amount=money.arriving(AMOUNT),
        paid=0,
        milestones=[],
        released=0,
        deadline=receipt.timestamp + GIG_LENGTH,
        review_period=offer[4],
        fee_bps=0,
        state=State.OPEN,
        delivered_at=0,
        disputed_at=0,
    )
    assert (created["terms_hash"], created["skills"]) == (offer[6], offer[7])
    assert only_log(receipt, market.OfferHired) == {
        "offer_id": offer_id,
        "gig_id": created["gig_id"],
        "client": client.address,
    }


@ETH_ONLY
def test_hired_gig_is_accepted_by_its_freelancer_only(escrow, market, gigs, money, posted_offer, client, freelancer, stranger):
    offer_id, offer = posted_offer
    receipt = hire(escrow, market, offer_id, offer, money, client)
    gigs.apply(receipt)
    gig_id = only_log(receipt, escrow.GigCreated)["gig_id"]
    with ape.reverts("escrow: caller is not the freelancer"):
        gigs.send("accept", gig_id, sender=stranger)
    gigs.send("accept", gig_id, sender=freelancer)
    assert gigs[gig_id].state == State.ACCEPTED


@ETH_ONLY
def test_hire_paying_less_than_the_price_is_refused(escrow, market, money, posted_offer, client):
    offer_id, offer = posted_offer
    with ape.reverts("escrow: value does not match amount"):
        hire(escrow, market, offer_id, offer, money, client, value=AMOUNT - 1)


@ETH_ONLY
def test_hire_naming_a_lower_price_is_refused(escrow, market, money, posted_offer, client):
    offer_id, offer = posted_offer
    cheaper = (*offer[:2], AMOUNT // 2, *offer[3:])
    with ape.reverts("market: offer terms do not match"):
        hire(escrow, market, offer_id, cheaper, money, client)


@ETH_ONLY
def test_hire_on_terms_the_freelancer_changed_since_is_refused(escrow, market, money, post_offer, posted_offer, client, freelancer):
    """The freelancer cannot edit a price: a repost is a new offer, the old id is closed."""
    offer_id, offer = posted_offer
    market.withdraw_offer(offer_id, offer, sender=freelancer)
    post_offer(price=2 * AMOUNT)
    with ape.reverts("market: offer is not open"):
        hire(escrow, market, offer_id, offer, money, client)


@ETH_ONLY
def test_hire_of_a_withdrawn_offer_is_refused(escrow, market, money, posted_offer, client, freelancer):
    offer_id, offer = posted_offer
    market.withdraw_offer(offer_id, offer, sender=freelancer)
    with ape.reverts("market: offer is not open"):
        hire(escrow, market, offer_id, offer, money, client)


@ETH_ONLY
def test_offer_is_hired_once(escrow, market, money, posted_offer, client, stranger):
    offer_id, offer = posted_offer
    hire(escrow, market, offer_id, offer, money, client)
    with ape.reverts("market: offer is not open"):
        hire(escrow, market, offer_id, offer, money, stranger)


@ETH_ONLY
def test_hired_offer_cannot_be_withdrawn(escrow, market, money, posted_offer, client, freelancer):
    offer_id, offer = posted_offer
    hire(escrow, market, offer_id, offer, money, client)
    with ape.reverts("market: offer is not open"):
        market.withdraw_offer(offer_id, offer, sender=freelancer)


@ETH_ONLY
def test_freelancer_cannot_hire_own_offer(escrow, market, money, posted_offer, freelancer):
    offer_id, offer = posted_offer
    with ape.reverts("escrow: client cannot be the freelancer"):
        hire(escrow, market, offer_id, offer, money, freelancer)


@ETH_ONLY
def test_failed_hire_leaves_the_offer_open_and_no_gig(escrow, market, money, posted_offer, client):
    offer_id, offer = posted_offer
    with ape.reverts():
        hire(escrow, market, offer_id, offer, money, client, value=0)
    assert market.offer_hash(offer_id) == market.hash_offer(offer)
    assert escrow.next_gig_id() == 1
    assert logs_of(hire(escrow, market, offer_id, offer, money, client), market.OfferHired)
