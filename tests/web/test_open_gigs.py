"""`/gigs?state=open` is the escrow's state (a gig hired from an offer is open until its
freelancer accepts); `/open-gigs?skill=` is what anybody may accept. Both say so."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from index.synthetic import SyntheticChain, account

from gigledger_node.index.db import open_index
from gigledger_node.index.queries import Queries
from gigledger_node.web.api import create_app

from .test_api import served

ETHER = 10**18
CLIENT, NAMED = account(200), account(100)


@pytest.fixture(scope="module")
def gigs(tmp_path_factory) -> Iterator[tuple[httpx.Client, dict[str, int]]]:
    """Three python gigs: one waiting for anybody, one hired from an offer (its freelancer
    named, not yet accepted), one settled; and the API over them."""
    engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('open-gigs') / 'index.sqlite'}")
    chain = SyntheticChain(engine)
    ids = {
        "waiting": chain.created(CLIENT, ETHER, skills=("python",)),
        "hired": chain.created(CLIENT, ETHER, freelancer=NAMED, skills=("python",)),
        "settled": chain.settled(CLIENT, NAMED, ETHER, skills=("python",)),
    }
    chain.mine()
    with served(create_app(Queries(engine))) as client:
        yield client, ids
    engine.dispose()


def _ids(page: dict) -> set[int]:
    return {g["gig_id"] for g in page["items"]}


def test_gigs_in_the_open_state_include_one_hired_from_an_offer(gigs):
    api, ids = gigs

    assert _ids(api.get("/gigs", params={"state": "open", "skill": "python"}).json()) == {ids["waiting"], ids["hired"]}


def test_open_gigs_are_only_those_anybody_may_accept(gigs):
    api, ids = gigs

    assert _ids(api.get("/open-gigs", params={"skill": "python"}).json()) == {ids["waiting"]}


@pytest.mark.parametrize(("path", "other"), [("/gigs", "/open-gigs"), ("/open-gigs", "/gigs?state=open")])
def test_each_routes_description_points_to_the_other(gigs, path, other):
    api, _ = gigs

    description = api.get("/openapi.json").json()["paths"][path]["get"]["description"]

    assert other in description and "hired from an offer" in description
