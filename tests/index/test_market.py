"""The market's projection: latest profiles, live links, offer states, identities,
and a reorg that leaves the market tables equal to a fresh index."""

from __future__ import annotations

import sys

import eth_abi
import pytest
from eth_utils import keccak

from gigledger.profiles import Profile, content_hash
from gigledger.testing import rpc
from gigledger_node.index.audit import audit_from_index
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.market_queries import MarketQueries, UnknownOffer
from gigledger_node.index.queries import InvalidFilter, Queries

from .conftest import index_contents
from .market_story import market_ledgers, offer
from .named_tokens import deploy_named_token
from .story import ETHER, WEEK, deploy_contracts, dev_account, web3_of


def test_profile_is_the_latest_document_with_its_hash(market_queries, market_story):
    record = market_queries.profile(market_story.parties["bob"]).profile
    assert record.document == market_story.profiles["bob"]
    assert record.content_hash == content_hash(market_story.profiles["bob"])
    assert record.fields["name"] == "Bob B."


def test_profile_breaking_the_rules_is_kept_verbatim_with_the_reason(market_queries, market_story):
    record = market_queries.profile(market_story.parties["frank"]).profile
    assert (record.document, record.fields) == ("not json", None)
    assert "JSON object" in record.error


def test_account_without_a_profile_has_none(market_queries, market_story):
    assert market_queries.profile(market_story.parties["alice"]).profile is None


def test_offers_carry_their_state(market_queries, market_story):
    states = {o.offer_id: (o.state, o.gig_id) for o in market_queries.offers(state="all").items}
    assert states == {
        market_story.offers["bob_python"]: ("hired", market_story.gig),
        market_story.offers["bob_rust"]: ("open", None),
        market_story.offers["erin_python"]: ("open", None),
        market_story.offers["frank_design"]: ("withdrawn", None),
    }


def test_open_offers_by_skill(market_queries, market_story):
    page = market_queries.offers(skill="python")
    assert [o.offer_id for o in page.items] == [market_story.offers["erin_python"]]
    assert page.items[0].skills == ["python"]


def test_offers_are_paged_newest_first(market_queries, market_story):
    first = market_queries.offers(state="all", limit=3)
    second = market_queries.offers(state="all", offset=first.next_offset, limit=3)
    assert [o.offer_id for o in first.items + second.items] == sorted(market_story.offers.values(), reverse=True)
    assert (first.total, second.next_offset) == (4, None)


@pytest.mark.parametrize(("filters", "message"), [({"skill": "x" * 33}, "bad skill"), ({"state": "closed"}, "unknown offer state")])
def test_bad_offer_filter_is_refused(market_queries, filters, message):
    with pytest.raises(InvalidFilter, match=message):
        market_queries.offers(**filters)


def test_unknown_offer_is_not_found(market_queries):
    with pytest.raises(UnknownOffer):
        market_queries.offer(99)


def test_only_live_links_make_an_identity(market_queries, market_story):
    dave = market_queries.identity(market_story.parties["dave"])
    assert [a.account for a in dave.accounts] == [market_story.parties["dave"]]
    assert dave.links == []


def test_identity_is_the_sum_of_its_accounts_records(market_queries, market_story):
    bob, erin = market_story.parties["bob"], market_story.parties["erin"]
    identity = market_queries.identity(erin)
    queries = Queries(market_queries.engine)
    assert {a.account for a in identity.accounts} == {bob, erin}
    assert identity.record["completed"] == queries.reputation(bob).completed + queries.reputation(erin).completed == 1
    shares = {a.account: a.share_of_completed for a in identity.accounts}
    assert shares == {bob: 1.0, erin: 0.0}


def test_a_link_adds_no_record_no_linked_account_earned(market_queries, market_story):
    """alice (the client) earned nothing as a freelancer; bob's identity does not gain her gigs as client either."""
    identity = market_queries.identity(market_story.parties["bob"])
    records = {a.account: a.record for a in identity.accounts}
    for field, total in identity.record.items():
        assert total == sum(r[field] for r in records.values())
    assert market_story.parties["alice"] not in records


def test_gigs_between_an_identitys_own_accounts_are_counted_apart(anvil, engine):
    """alice links with bob, then pays bob: the identity's completion is its own money."""
    deployment = deploy_contracts(anvil)
    people = market_ledgers(anvil, deployment)
    alice, bob, carol, dave = people["alice"], people["bob"], people["carol"], people["dave"]
    bob.link(alice.sign_link(bob.address))
    for client in (alice, dave):
        gig = client.hire(offer(bob, carol, ETHER, "python")).gig
        bob.deliver(bob.accept(gig).gig)
        client.approve(gig.gig_id)
    Indexer(engine, Endpoint(anvil), deployment).sync()
    identity = MarketQueries(engine).identity(bob.address)
    assert (identity.record["completed"], identity.completed_between_own_accounts) == (2, 1)


def test_reorg_leaves_the_market_tables_as_a_fresh_index(anvil, engine, tmp_path):
    deployment = deploy_contracts(anvil)
    people = market_ledgers(anvil, deployment)
    bob, carol, erin = people["bob"], people["carol"], people["erin"]
    kept = offer(bob, carol, ETHER, "python")
    erin.link(bob.sign_link(erin.address))
    snapshot = rpc(anvil, "evm_snapshot")

    # The losing branch: a profile, an unlink, the kept offer withdrawn, a new offer hired.
    bob.set_profile(Profile(name="Bob"))
    erin.unlink(bob.address)
    bob.withdraw_offer(kept)
    people["alice"].hire(offer(erin, carol, ETHER, "rust"))
    indexer = Indexer(engine, Endpoint(anvil), deployment)
    indexer.sync()
    assert MarketQueries(engine).offer(kept).state == "withdrawn"

    rpc(anvil, "evm_revert", [snapshot])
    people = market_ledgers(anvil, deployment)
    people["alice"].hire(kept)
    for _ in range(6):
        rpc(anvil, "evm_mine")
    indexer.sync()

    fresh = open_index(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    Indexer(fresh, Endpoint(anvil), deployment).sync()
    assert index_contents(engine) == index_contents(fresh)
    market = MarketQueries(engine)
    assert market.offer(kept).state == "hired"
    assert market.profile(bob.address).profile is None
    assert len(market.identity(bob.address).accounts) == 2
    fresh.dispose()


@pytest.mark.parametrize("party", ["alice", "bob"])
def test_payments_of_a_hire_from_an_offer_pass_the_audit(market_queries, market_story, party):
    """The hire's transaction also carries the market's OfferHired log; the escrow's
    logs in it must still match the verified receipt."""
    report = audit_from_index(
        Queries(market_queries.engine), web3_of(market_story.url), market_story.deployment, market_story.parties[party]
    )
    assert report.ok, report.mismatches
    assert report.rows


def test_a_profile_nested_to_crash_readers_is_indexed_as_invalid(anvil, engine):
    """At Python's default recursion limit, '[[[[…' would stop an indexer that trusted json.loads."""
    deployment = deploy_contracts(anvil)
    bob = market_ledgers(anvil, deployment)["bob"]
    bob.sender.transact(bob.market.functions.set_profile("[" * 4000))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        indexer = Indexer(engine, Endpoint(anvil), deployment)
        indexer.sync()
        record = MarketQueries(engine).profile(bob.address).profile
    finally:
        sys.setrecursionlimit(limit)
    assert record.fields is None and "nested" in record.error
    assert indexer.lag() == 0


def test_a_profile_that_is_not_utf8_is_indexed_as_invalid(anvil, engine):
    """The contract takes any bytes as a String; a decoder that insisted on UTF-8 would stop the indexer."""
    deployment = deploy_contracts(anvil)
    bob = market_ledgers(anvil, deployment)["bob"]
    selector = web3_of(anvil).keccak(text="set_profile(string)")[:4]
    document = b'{"name": "\xff\xfe"}'
    bob.sender.send({"to": deployment.market, "data": "0x" + (selector + eth_abi.encode(["bytes"], [document])).hex(), "value": 0})
    indexer = Indexer(engine, Endpoint(anvil), deployment)
    indexer.sync()
    record = MarketQueries(engine).profile(bob.address).profile
    assert record.fields is None and "UTF-8" in record.error
    assert record.content_hash == "0x" + keccak(document).hex()
    assert indexer.lag() == 0


@pytest.mark.parametrize(
    ("document", "reason"),
    [('{"name": "Bob", "headline": "\x00"}', "replacement characters"), ('{"name": "Bob\\u0000"}', "NUL")],
    ids=["raw-nul", "escaped-nul"],
)
def test_a_profile_with_nul_characters_is_indexed_as_invalid(anvil, engine, document, reason):
    """PostgreSQL text cannot hold NUL; a profile carrying one must not stop the indexer."""
    deployment = deploy_contracts(anvil)
    bob = market_ledgers(anvil, deployment)["bob"]
    bob.sender.transact(bob.market.functions.set_profile(document))
    indexer = Indexer(engine, Endpoint(anvil), deployment)
    indexer.sync()
    record = MarketQueries(engine).profile(bob.address).profile
    assert record.fields is None and reason in record.error
    assert record.content_hash == content_hash(document)
    assert indexer.lag() == 0


def test_an_offer_names_its_hash_as_the_market_keeps_it(market_queries, market_story):
    record = market_queries.offer(market_story.offers["bob_rust"])
    reader = market_ledgers(market_story.url, market_story.deployment)["alice"]
    assert record.offer_hash == "0x" + reader.market.functions.offer_hash(record.offer_id).call().hex()


def test_the_hire_command_pins_the_offers_price_and_hash(market_queries, market_story):
    record = market_queries.offer(market_story.offers["bob_rust"])
    assert record.hire_command == f"gigledger hire {record.offer_id} --max-price 2eth --offer-hash {record.offer_hash}"


@pytest.fixture
def usdc_offer(anvil, engine):
    """bob's offer for 250.5 USDC (a token in no gig yet), indexed."""
    deployment = deploy_contracts(anvil)
    people = market_ledgers(anvil, deployment)
    usdc = deploy_named_token(web3_of(anvil), dev_account(0), "USDC", 6, [])
    posted = people["bob"].post_offer(250_500_000, token=usdc, arbiter=people["carol"].address, delivery_time=86_400)
    Indexer(engine, Endpoint(anvil), deployment).sync()
    return MarketQueries(engine).offer(posted.offer.offer_id)


def test_an_erc20_offers_hire_command_caps_the_price_in_the_tokens_units(usdc_offer):
    """The index reads the token's symbol and decimals for the offer alone."""
    assert usdc_offer.hire_command.startswith(f"gigledger hire {usdc_offer.offer_id} --max-price 250.5usdc --offer-hash 0x")


def test_an_erc20_offers_price_is_given_in_the_tokens_units(usdc_offer):
    assert (usdc_offer.price, usdc_offer.price_formatted, usdc_offer.token_label) == (250_500_000, "250.5", "USDC")


def test_people_named_finds_part_of_a_name_in_any_case(market_queries, market_story):
    assert [(p.account, p.name, p.exact) for p in market_queries.people_named("b B")] == [(market_story.parties["bob"], "Bob B.", False)]


def test_people_named_gives_each_match_its_identity(market_queries, market_story):
    (erin,) = market_queries.people_named("erin")
    assert erin.exact and erin.identity == sorted([market_story.parties["bob"], market_story.parties["erin"]])


def test_people_named_skips_an_account_whose_latest_profile_breaks_the_rules(market_queries):
    assert market_queries.people_named("frank") == []


@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "B_b"])
def test_people_named_takes_like_wildcards_literally(market_queries, wildcard):
    assert market_queries.people_named(wildcard) == []


@pytest.mark.parametrize(("text", "message"), [("", "give part of a name"), ("x" * 101, "no profile name is longer"), ("a\x00", "control")])
def test_people_named_refuses_text_no_name_could_hold(market_queries, text, message):
    with pytest.raises(InvalidFilter, match=message):
        market_queries.people_named(text)


def test_gigs_waiting_leave_out_a_gig_hired_from_an_offer_before_its_freelancer_accepts(anvil, engine):
    deployment = deploy_contracts(anvil)
    people = market_ledgers(anvil, deployment)
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    waiting = alice.create_gig(ETHER, arbiter=carol.address, deadline=WEEK, skills=["python"]).gig_id
    alice.hire(offer(bob, carol, ETHER, "python"))
    Indexer(engine, Endpoint(anvil), deployment).sync()
    assert Queries(engine).gigs(skill="python", state="open").total == 2  # both are OPEN on chain
    assert [g.gig_id for g in MarketQueries(engine).gigs_waiting("python").items] == [waiting]
