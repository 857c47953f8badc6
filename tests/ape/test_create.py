"""Creating and funding a gig: what is held, what is logged, what is refused."""

import ape
import pytest
from gigbook import AMOUNT, DAY, REVIEW_PERIOD, SKILL, TERMS_HASH, ZERO_ADDRESS, Gig, State, only_log
from money import ETH_ONLY, TOKENS_ONLY


def test_create_gig_holds_what_actually_arrived(create_gig, gigs, money, escrow):
    before = money.balance(escrow)
    gig_id = create_gig()
    assert money.balance(escrow) - before == money.arriving(AMOUNT)
    assert gigs[gig_id].amount == money.arriving(AMOUNT)


def test_create_gig_logs_the_terms(escrow, money, client, freelancer, arbiter, deadline):
    value = money.fund(client, escrow, AMOUNT)
    receipt = escrow.create_gig(
        freelancer,
        arbiter,
        money.address,
        AMOUNT,
        [],
        deadline,
        REVIEW_PERIOD,
        TERMS_HASH,
        [SKILL],
        sender=client,
        value=value,
    )
    assert only_log(receipt, escrow.GigCreated) == {
        "gig_id": 1,
        "client": client.address,
        "freelancer": freelancer.address,
        "arbiter": arbiter.address,
        "token": money.address,
        "amount": money.arriving(AMOUNT),
        "milestones": [],
        "deadline": deadline,
        "review_period": REVIEW_PERIOD,
        "fee_bps": 0,
        "terms_hash": TERMS_HASH,
        "skills": [SKILL],
    }


@ETH_ONLY
def test_gig_ids_start_at_one_and_count_up(create_gig, escrow):
    assert [create_gig(), create_gig()] == [1, 2]
    assert escrow.next_gig_id() == 3


@ETH_ONLY
def test_slot_commits_to_the_created_gig(funded_gig, gigs, escrow):
    assert escrow.gig_commitment(funded_gig) == escrow.hash_gig(gigs[funded_gig])


@ETH_ONLY
def test_open_gig_has_no_freelancer(create_gig, gigs):
    gig_id = create_gig(freelancer=ZERO_ADDRESS)
    assert gigs[gig_id].freelancer == ZERO_ADDRESS
    assert gigs[gig_id].state == State.OPEN


def test_sixteen_milestones_are_accepted(create_gig, gigs, money):
    milestones = [AMOUNT // 16] * 16
    gig_id = create_gig(milestones=milestones, amount=sum(milestones))
    assert gigs[gig_id].milestones == milestones
    assert gigs[gig_id].amount == money.arriving(sum(milestones))


@ETH_ONLY
def test_seventeen_milestones_are_refused(create_gig):
    with ape.reverts():
        create_gig(milestones=[1] * 17, amount=17)


@ETH_ONLY
@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"amount": 0}, "escrow: zero amount"),
        ({"arbiter": ZERO_ADDRESS}, "escrow: arbiter required"),
        ({"review_period": 90 * DAY + 1}, "escrow: review period too long"),
        ({"milestones": [AMOUNT, 0]}, "escrow: zero milestone"),
        ({"milestones": [AMOUNT // 2, AMOUNT // 2 - 1]}, "escrow: milestones do not add up to amount"),
    ],
    ids=["zero-amount", "no-arbiter", "long-review", "zero-milestone", "milestones-short"],
)
def test_create_gig_refuses_bad_terms(create_gig, overrides, reason):
    with ape.reverts(reason):
        create_gig(**overrides)


@ETH_ONLY
def test_client_cannot_be_the_freelancer(create_gig, client):
    with ape.reverts("escrow: client cannot be the freelancer"):
        create_gig(freelancer=client.address)


@ETH_ONLY
@pytest.mark.parametrize("arbiter_role", ["client", "freelancer"])
def test_arbiter_must_be_a_third_party(create_gig, request, arbiter_role):
    with ape.reverts("escrow: arbiter must be a third party"):
        create_gig(arbiter=request.getfixturevalue(arbiter_role).address)


@ETH_ONLY
def test_deadline_must_be_in_the_future(create_gig, chain):
    with ape.reverts("escrow: deadline in the past"):
        create_gig(deadline=chain.pending_timestamp)


@ETH_ONLY
@pytest.mark.parametrize("value", [AMOUNT - 1, AMOUNT + 1])
def test_eth_sent_must_match_amount(gigs, gig_terms, client, value):
    with ape.reverts("escrow: value does not match amount"):
        gigs.create(sender=client, value=value, **gig_terms)


@TOKENS_ONLY
def test_token_gig_refuses_eth(gigs, gig_terms, money, escrow, client):
    money.fund(client, escrow, AMOUNT)
    with ape.reverts("escrow: ETH sent with a token gig"):
        gigs.create(sender=client, value=1, **gig_terms)


@TOKENS_ONLY
def test_token_transfer_that_returns_false_is_refused(gigs, gig_terms, money, escrow, client):
    money.fund(client, escrow, AMOUNT)
    money.token.return_false(True, sender=client)
    with ape.reverts("escrow: token transfer failed"):
        gigs.create(sender=client, **gig_terms)


@ETH_ONLY
def test_token_that_delivers_nothing_is_refused(project, owner, create_gig, client, escrow, gigs, gig_terms):
    burns_everything = owner.deploy(project.MockERC20, 10_000)
    burns_everything.mint(client, AMOUNT, sender=client)
    burns_everything.approve(escrow, AMOUNT, sender=client)
    with ape.reverts("escrow: zero amount received"):
        gigs.create(sender=client, **{**gig_terms, "token": burns_everything.address})


@ETH_ONLY
def test_token_must_be_a_contract(gigs, gig_terms, client, stranger):
    with ape.reverts("escrow: token is not a contract"):
        gigs.create(sender=client, **{**gig_terms, "token": stranger.address})


@ETH_ONLY
def test_gig_that_does_not_match_its_commitment_is_refused(funded_gig, gigs, escrow, freelancer):
    forged: Gig = gigs[funded_gig]._replace(amount=AMOUNT * 2)
    with ape.reverts("escrow: gig does not match its commitment"):
        escrow.accept(funded_gig, forged, sender=freelancer)
