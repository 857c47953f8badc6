"""The trust score: a sybil ring paying itself tiny gigs gains little; properties of the propagation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigledger_node.index.errors import InvalidFilter, QueryError
from gigledger_node.index.trust import MAX_TRUSTED, GigGraph, Trust, checked_trusted, operator_trusted, propagate

from .synthetic import account

ETHER = 10**18
FREELANCER = account(100)
CLIENTS = [account(200 + i) for i in range(5)]
SYBILS = [account(300 + i) for i in range(10)]


@pytest.fixture
def ring_and_freelancer(synthetic):
    """Ten sybils settle 100 one-wei gigs among themselves, every attestation 5;
    one freelancer does five real gigs (1 ETH each) for five distinct clients."""
    for n in range(100):
        client, freelancer = SYBILS[n % 10], SYBILS[(n + 1 + n // 10) % 10]
        if client == freelancer:
            freelancer = SYBILS[(n + 1) % 10]
        synthetic.settled(client, freelancer, 1, skills=("python",), scores=(5, 5))
        if n % 10 == 9:
            synthetic.mine()
    for client in CLIENTS:
        synthetic.settled(client, FREELANCER, ETHER, skills=("python",), scores=(4, 4))
    synthetic.mine()
    return synthetic


def test_a_sybil_ring_ranks_below_a_freelancer_with_real_clients(ring_and_freelancer, engine):
    scores = Trust(engine).scores()

    assert all(scores.of(sybil) < scores.of(FREELANCER) for sybil in SYBILS)


def test_a_ring_that_pays_a_rounded_up_fee_of_one_wei_per_gig_still_ranks_below(synthetic, engine):
    for n in range(100):
        synthetic.settled(SYBILS[n % 10], SYBILS[(n + 1) % 10], 1, skills=("python",), fee=1)
    for client in CLIENTS:
        synthetic.settled(client, FREELANCER, ETHER, skills=("python",), scores=(4, 4))
    synthetic.mine()

    scores = Trust(engine).scores()

    assert sum(scores.of(s) for s in SYBILS) < scores.of(FREELANCER) / 1000


def test_the_ring_gains_little_even_when_a_real_client_pays_one_sybil(ring_and_freelancer, engine):
    ring_and_freelancer.settled(CLIENTS[0], SYBILS[0], ETHER // 100, skills=("python",))
    ring_and_freelancer.mine()

    scores = Trust(engine).scores()

    assert sum(scores.of(s) for s in SYBILS) < scores.of(FREELANCER)


def test_a_sybil_ring_that_trusts_itself_is_only_trusted_by_its_own_readers(ring_and_freelancer, engine):
    trust = Trust(engine)

    by_ring = trust.scores(trusted=[SYBILS[0]])
    by_client = trust.scores(trusted=[CLIENTS[0]])

    assert by_ring.of(FREELANCER) == 0 and by_client.of(SYBILS[0]) == 0


def test_scores_sum_to_one(ring_and_freelancer, engine):
    scores = Trust(engine).scores()

    assert math.isclose(sum(scores.scores.values()), 1.0, rel_tol=1e-9)


def test_the_operators_trusted_accounts_seed_the_score_when_the_reader_names_none(ring_and_freelancer, engine):
    scores = Trust(engine, operator_trusted=[SYBILS[0]]).scores()

    assert (scores.seed_source, scores.of(FREELANCER)) == ("operator", 0)


def test_an_account_without_settled_gigs_has_no_score(synthetic, engine):
    synthetic.settled(CLIENTS[0], FREELANCER, ETHER)
    synthetic.created(CLIENTS[1], ETHER, skills=("python",))
    synthetic.missed(CLIENTS[2], SYBILS[0], ETHER)
    synthetic.mine()

    scores = Trust(engine).scores()

    assert (scores.of(CLIENTS[1]), scores.of(SYBILS[0]), scores.of(FREELANCER) > 0) == (None, None, True)


def test_no_seed_means_no_scores(synthetic, engine):
    synthetic.settled(CLIENTS[0], FREELANCER, ETHER, fee_bps=0)
    synthetic.mine()

    assert Trust(engine).scores().scores == {}


def test_scores_are_cached_until_the_checkpoint_moves(synthetic, engine):
    trust = Trust(engine)
    synthetic.settled(CLIENTS[0], FREELANCER, ETHER)
    synthetic.mine()
    first = trust.scores()
    again = trust.scores()
    synthetic.settled(CLIENTS[1], account(101), ETHER)
    synthetic.mine()

    assert again is first and trust.scores().of(account(101)) is not None


def test_too_many_trusted_accounts_are_refused():
    with pytest.raises(InvalidFilter):
        checked_trusted([account(i) for i in range(MAX_TRUSTED + 1)])


# ---------------------------------------------------------------- properties of the propagation

graphs = st.dictionaries(
    st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda p: p[0] < p[1]),
    st.floats(0.01, 100),
    max_size=20,
)


def _graph(pairs: dict[tuple[int, int], float]) -> GigGraph:
    edges: dict[str, dict[str, float]] = {}
    for (a, b), weight in pairs.items():
        edges.setdefault(str(a), {})[str(b)] = weight
        edges.setdefault(str(b), {})[str(a)] = weight
    return GigGraph(edges)


@settings(max_examples=60, deadline=None)
@given(pairs=graphs, seed=st.sets(st.integers(0, 7), min_size=1, max_size=3))
def test_propagated_scores_sum_to_one_and_are_never_negative(pairs, seed):
    scores, _ = propagate(_graph(pairs), dict.fromkeys(map(str, seed), 1.0))

    assert math.isclose(sum(scores.values()), 1.0, rel_tol=1e-9) and min(scores.values()) >= 0


@settings(max_examples=60, deadline=None)
@given(pairs=graphs, seed=st.integers(0, 7), outsider=st.integers(0, 7))
def test_no_trust_reaches_an_account_with_no_path_from_the_seed(pairs, seed, outsider):
    graph = _graph(pairs)
    reachable, frontier = {str(seed)}, [str(seed)]
    while frontier:
        for other in graph.edges.get(frontier.pop(), {}):
            if other not in reachable:
                reachable.add(other)
                frontier.append(other)

    scores, _ = propagate(graph, {str(seed): 1.0})

    assert (scores.get(str(outsider), 0.0) > 0) == (str(outsider) in reachable)


def test_the_operators_setting_with_a_mistyped_checksum_is_refused_naming_the_entry():
    mistyped = "0xAbCdEf0000000000000000000000000000000001"

    with pytest.raises(QueryError, match=f"{mistyped} has a wrong EIP-55 checksum"):
        operator_trusted({"GIGLEDGER_TRUSTED": f"{account(1)},{mistyped}"})


def test_the_operators_setting_is_read_checksummed_and_deduplicated():
    assert operator_trusted({"GIGLEDGER_TRUSTED": f" {account(0xABCDEF).lower()},{account(0xABCDEF)}, "}) == (account(0xABCDEF),)
