"""Namesakes over HTTP and in the explorer, ordered by the trust score; the API and
the explorer compute that score with one `Trust`, so they agree and share its cache."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from index.synthetic import SyntheticChain, account

from gigledger_node.index.db import open_index
from gigledger_node.index.queries import Queries
from gigledger_node.index.trust import Trust
from gigledger_node.web.api import create_app
from gigledger_node.web.explorer import install_explorer

from .test_api import served

ETHER = 10**18
HONEST, NEWCOMER = account(100), account(101)
OPERATORS_CLIENT = account(200)
RING = [account(300 + i) for i in range(4)]
IMPOSTOR = RING[0]
NAME = "Ada Lovelace"
HTML = {"accept": "text/html"}


@pytest.fixture
def chain(tmp_path) -> Iterator[SyntheticChain]:
    """The operator trusts a client who paid the honest Ada once; a ring of four hires
    each other forty times, and one of it publishes Ada's name."""
    engine = open_index(f"sqlite:///{tmp_path / 'index.sqlite'}")
    chain = SyntheticChain(engine)
    chain.settled(OPERATORS_CLIENT, HONEST, ETHER)
    for n in range(40):
        chain.settled(RING[n % 4], IMPOSTOR if n % 4 else RING[1], ETHER)
    chain.profile(HONEST, NAME, "Analytical engines")
    chain.profile(IMPOSTOR, NAME, "The real Ada")
    chain.mine()
    yield chain
    engine.dispose()


@pytest.fixture
def web(chain) -> Iterator[httpx.Client]:
    """The node's web app (API and explorer) over ``chain``'s index, as the operator configures it."""
    queries = Queries(chain.indexer.engine)
    app = create_app(queries, trusted=[OPERATORS_CLIENT])
    install_explorer(app, queries)
    with served(app) as client:
        yield client


def _listed(page: str) -> list[str]:
    return re.findall(r'<tr data-person="(0x[0-9a-fA-F]{40})"', page)


def _page_trust(web: httpx.Client, address: str) -> str | None:
    found = re.search(r'data-fact="trust">Trust score <strong>([0-9.]+)</strong>', web.get(f"/account/{address}", headers=HTML).text)
    return found and found.group(1)


def test_profiles_route_lists_the_trusted_namesake_first(web):
    found = web.get("/profiles", params={"name": NAME}).json()

    assert [p["account"] for p in found] == [HONEST, IMPOSTOR]


def test_profiles_route_gives_each_namesake_its_trust_score(web):
    scores = {p["account"]: p["trust_score"] for p in web.get("/profiles", params={"name": NAME}).json()}

    assert scores[HONEST] > 0 and not scores[IMPOSTOR]


def test_profiles_route_takes_the_readers_trusted_accounts(web):
    found = web.get("/profiles", params={"name": NAME, "trusted": RING[2]}).json()

    assert found[0]["account"] == IMPOSTOR


def test_profiles_route_refuses_a_malformed_trusted_list(web):
    answer = web.get("/profiles", params={"name": NAME, "trusted": "0x12"})

    assert (answer.status_code, "is not an address" in answer.json()["detail"]) == (400, True)


def test_the_explorers_search_lists_the_trusted_namesake_first(web):
    assert _listed(web.get("/find", params={"q": NAME}, headers=HTML).text) == [HONEST, IMPOSTOR]


def test_the_explorers_search_shows_each_namesakes_trust_score(web):
    page = web.get("/find", params={"q": NAME}, headers=HTML).text

    assert re.search(rf'data-person="{HONEST}".*?data-field="trust">0\.\d{{4}}<', page, re.S)


# ---------------------------------------------------------------- one Trust for the API and the explorer


def test_the_api_and_the_explorer_compute_trust_once_between_them(web, monkeypatch):
    computed = []
    compute = Trust._compute
    monkeypatch.setattr(Trust, "_compute", lambda self, *args: computed.append(args) or compute(self, *args))

    web.get(f"/accounts/{HONEST}/trust")
    _page_trust(web, HONEST)
    web.get("/profiles", params={"name": NAME})

    assert len(computed) == 1


def test_the_api_and_the_explorer_agree_on_a_score_after_new_evidence(web, chain):
    before = (web.get(f"/accounts/{NEWCOMER}/trust").json()["score"], _page_trust(web, NEWCOMER))
    chain.settled(OPERATORS_CLIENT, NEWCOMER, ETHER)
    chain.mine()

    api = web.get(f"/accounts/{NEWCOMER}/trust").json()["score"]

    assert (before, f"{api:.4f}") == ((None, None), _page_trust(web, NEWCOMER))
