"""Finding people by profile name when anyone may publish any name: namesakes are
ordered by trust (evidence a ring cannot mint), not by the completed-gig count a
ring of accounts paying each other inflates."""

from __future__ import annotations

import pytest

from gigledger_node.index import market_queries
from gigledger_node.index.market_queries import MarketQueries
from gigledger_node.index.trust import Trust

from .synthetic import account

ETHER = 10**18
HONEST = account(100)
OPERATORS_CLIENT = account(200)
RING = [account(300 + i) for i in range(10)]
IMPOSTOR = RING[0]
NAME = "Ada Lovelace"


@pytest.fixture
def namesakes(synthetic):
    """An operator-trusted client pays the honest Ada twice; a ring of ten accounts
    hires each other a hundred times (1 ETH each, fees paid), and one of the ring
    publishes Ada's name."""
    for _ in range(2):
        synthetic.settled(OPERATORS_CLIENT, HONEST, ETHER, skills=("python",))
    for n in range(100):
        client, freelancer = RING[n % 10], RING[(n + 1) % 10] if n % 3 else IMPOSTOR
        if client == freelancer:
            freelancer = RING[(n + 2) % 10]
        synthetic.settled(client, freelancer, ETHER, skills=("python",))
    synthetic.profile(HONEST, NAME, "Analytical engines")
    synthetic.profile(IMPOSTOR, NAME, "The real Ada")
    synthetic.mine()
    return synthetic


@pytest.fixture
def market(engine, namesakes) -> MarketQueries:
    """The market queries of an operator who trusts the honest Ada's client."""
    return MarketQueries(engine, trust=Trust(engine, [OPERATORS_CLIENT]))


def test_the_ring_inflates_its_impostors_completed_count(market):
    counts = {p.account: p.completed for p in market.people_named(NAME)}

    assert counts[IMPOSTOR] > 10 * counts[HONEST]


def test_a_trusted_freelancer_is_listed_before_a_rings_impostor_of_the_same_name(market):
    assert [p.account for p in market.people_named(NAME)] == [HONEST, IMPOSTOR]


def test_a_trusted_freelancer_is_listed_first_for_part_of_the_name_too(market):
    assert market.people_named("ada")[0].account == HONEST


def test_each_namesake_shows_its_trust_score(market):
    scores = {p.account: p.trust_score for p in market.people_named(NAME)}

    assert scores[HONEST] > 0 and not scores[IMPOSTOR]


def test_a_reader_who_trusts_the_ring_sees_its_impostor_first(market):
    assert market.people_named(NAME, trusted=[RING[5]])[0].account == IMPOSTOR


def test_a_flood_of_impostors_cannot_push_a_trusted_freelancer_off_the_list(market, namesakes, monkeypatch):
    monkeypatch.setattr(market_queries, "MAX_NAME_CANDIDATES", 3)
    for sybil in RING[1:]:
        namesakes.profile(sybil, NAME)
    namesakes.mine()

    assert market.people_named(NAME, limit=2)[0].account == HONEST


def test_namesakes_without_trust_are_ordered_by_completed_gigs(engine, namesakes):
    untrusting = MarketQueries(engine, trust=Trust(engine, [account(999)]))

    assert [p.account for p in untrusting.people_named(NAME)] == [IMPOSTOR, HONEST]


# ---------------------------------------------------------------- what a name search matches


@pytest.mark.parametrize("text", ["lovelace", "LOVE", "lovelace ada", "  Ada   Lovelace "])
def test_a_name_is_found_by_the_start_of_any_of_its_words(market, text):
    assert HONEST in {p.account for p in market.people_named(text)}


def test_a_name_is_not_found_by_text_inside_a_word(market):
    assert market.people_named("velace") == []


def test_a_whole_name_in_other_case_and_spacing_is_exact(market):
    assert all(p.exact for p in market.people_named("ada  LOVELACE"))


def test_a_name_in_another_script_is_found_in_any_case(engine, synthetic):
    synthetic.profile(HONEST, "Ёлка Ünal")
    synthetic.mine()

    assert [p.account for p in MarketQueries(engine).people_named("ёлка ün")] == [HONEST]


def test_a_new_profile_replaces_the_words_it_is_found_by(engine, synthetic):
    synthetic.profile(HONEST, NAME)
    synthetic.mine()
    synthetic.profile(HONEST, "Grace Hopper")
    synthetic.mine()
    market = MarketQueries(engine)

    assert (market.people_named("ada"), [p.account for p in market.people_named("grace")]) == ([], [HONEST])


# ---------------------------------------------------------------- what one search reads


def publish(chain, names: dict[int, str]) -> None:
    """Party n publishes names[n], in one block."""
    for n, name in names.items():
        chain.profile(account(n), name)
    chain.mine()


@pytest.fixture
def scan_of_three(monkeypatch):
    """Name searches read at most three entries of the words' index for their driving word."""
    monkeypatch.setattr(market_queries, "MAX_NAME_SCAN", 3)


def test_a_one_letter_search_does_no_more_work_when_more_names_match(market, namesakes, database_work, scan_of_three):
    publish(namesakes, {1000 + n: f"Aaron {n}" for n in range(20)})
    before = database_work(lambda: market.people_named("a"))
    publish(namesakes, {2000 + n: f"Abel {n}" for n in range(80)})

    assert database_work(lambda: market.people_named("a")) <= before


def test_a_one_letter_search_weighs_only_the_first_names_of_its_letter(engine, namesakes, scan_of_three):
    publish(namesakes, {n: f"Aaron {n}" for n in range(1, 6)})

    assert {p.account for p in MarketQueries(engine).people_named("a")} == {account(1), account(2), account(3)}


def test_a_search_reads_names_with_the_typed_word_itself_before_longer_words(engine, namesakes, scan_of_three):
    publish(namesakes, {n: f"Adam {n}" for n in range(1, 6)})

    assert {p.account for p in MarketQueries(engine).people_named("ada")} == {HONEST, IMPOSTOR, account(1)}


@pytest.mark.parametrize("text", ["ada l", "l ada"])
def test_the_longest_word_drives_a_search_that_a_short_word_narrows(engine, namesakes, scan_of_three, text):
    publish(namesakes, {n: f"Li {n}" for n in range(1, 6)})

    assert {p.account for p in MarketQueries(engine).people_named(text)} == {HONEST, IMPOSTOR}


def test_a_name_typed_from_its_start_is_found_however_many_share_its_first_word(engine, namesakes, scan_of_three):
    publish(namesakes, {n: f"Ada {n}" for n in range(1, 6)})

    assert {p.account for p in MarketQueries(engine).people_named("ada l")} == {HONEST, IMPOSTOR}


def test_a_whole_name_is_found_however_many_names_share_its_words(engine, namesakes, scan_of_three):
    publish(namesakes, {n: f"Bob Lovelace {n}" for n in range(1, 6)})

    assert {p.account for p in MarketQueries(engine).people_named("ada lovelace")} == {HONEST, IMPOSTOR}


def test_a_trusted_freelancer_is_found_beyond_the_names_a_search_reads(market, namesakes, scan_of_three):
    publish(namesakes, {n: f"Ada {n}" for n in range(1, 6)})

    assert market.people_named("ada")[0].account == HONEST
