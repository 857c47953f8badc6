"""The market over HTTP (uvicorn on loopback over an index of the market story on Anvil):
the API's routes, the SDK's reads through them, and the explorer's market pages;
every bad request a 4xx that says why."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from index.market_story import MarketStory, tell_market
from index.story import ETHER, web3_of

from gigledger.client import GigLedger
from gigledger.profiles import content_hash
from gigledger.testing import AnvilProcess
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries
from gigledger_node.web.api import create_app
from gigledger_node.web.explorer import install_explorer

from .test_api import served

GIGLEDGER = Path(sys.executable).with_name("gigledger")


@pytest.fixture(scope="module")
def market_story(tmp_path_factory) -> Iterator[tuple[MarketStory, httpx.Client]]:
    """The market story on Anvil, indexed into SQLite and served by the query API."""
    with AnvilProcess() as process:
        story = tell_market(process.url)
        engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('market') / 'index.sqlite'}")
        Indexer(engine, Endpoint(process.url), story.deployment).sync()
        queries = Queries(engine)
        app = create_app(queries)
        install_explorer(app, queries)
        with served(app) as client:
            yield story, client
        engine.dispose()


@pytest.fixture(scope="module")
def story(market_story) -> MarketStory:
    return market_story[0]


@pytest.fixture(scope="module")
def api(market_story) -> httpx.Client:
    return market_story[1]


@pytest.fixture
def reader(story, api) -> GigLedger:
    """A read-only SDK client that reads the market through the API."""
    return GigLedger(web3_of(story.url), story.deployment, api_url=str(api.base_url))


def test_openapi_describes_the_market_routes(api):
    paths = set(api.get("/openapi.json").json()["paths"])
    assert {"/accounts/{address}/profile", "/identities/{address}", "/offers", "/offers/{offer_id}", "/profiles", "/open-gigs"} <= paths


def test_profile_route_serves_the_document_and_its_hash(api, story):
    profile = api.get(f"/accounts/{story.parties['bob']}/profile").json()["profile"]
    assert profile["document"] == story.profiles["bob"]
    assert profile["content_hash"] == content_hash(story.profiles["bob"])


def test_account_without_profile_answers_null(api, story):
    assert api.get(f"/accounts/{story.parties['alice']}/profile").json() == {
        "account": story.parties["alice"],
        "profile": None,
    }


def test_offer_route_gives_the_price_as_a_decimal_string_and_the_hire_command(api, story):
    offer = api.get(f"/offers/{story.offers['bob_rust']}").json()
    assert (offer["price"], offer["state"]) == (str(2 * 10**18), "open")
    assert offer["hire_command"] == f"gigledger hire {story.offers['bob_rust']} --max-price 2eth --offer-hash {offer['offer_hash']}"


def test_offer_route_gives_the_price_in_the_tokens_units_too(api, story):
    offer = api.get(f"/offers/{story.offers['erin_python']}").json()
    assert (offer["price"], offer["price_formatted"], offer["token_label"]) == (str(ETHER // 2), "0.5", "ETH")


def test_offers_filter_by_skill_name(api, story):
    page = api.get("/offers", params={"skill": "rust"}).json()
    assert [o["offer_id"] for o in page["items"]] == [story.offers["bob_rust"]]


def test_identity_route_lists_the_linked_accounts_and_the_sum(api, story):
    identity = api.get(f"/identities/{story.parties['bob']}").json()
    assert {a["account"] for a in identity["accounts"]} == {story.parties["bob"], story.parties["erin"]}
    assert identity["record"]["completed"] == 1


def test_profiles_route_finds_accounts_by_part_of_their_name(api, story):
    found = api.get("/profiles", params={"name": "b."}).json()
    assert [(p["account"], p["name"], p["exact"]) for p in found] == [(story.parties["bob"], "Bob B.", False)]


def test_profiles_route_gives_each_match_its_identity(api, story):
    (erin,) = api.get("/profiles", params={"name": "ERIN"}).json()
    assert set(erin["identity"]) == {story.parties["bob"], story.parties["erin"]}


def test_profiles_route_leaves_out_an_account_whose_latest_profile_is_invalid(api):
    """frank was "Frank" until his latest document, which is not JSON."""
    assert api.get("/profiles", params={"name": "frank"}).json() == []


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/profiles?name=" + "x" * 101, 400, "no profile name is longer than 100"),
        ("/open-gigs?skill=" + "x" * 33, 400, "bad skill"),
        ("/open-gigs", None, ""),
        ("/profiles?name=%20", 400, "give part of a name"),
        ("/profiles?name=a%00b", 400, "control characters"),
        ("/profiles?name=b&limit=21", None, ""),
        ("/profiles", None, ""),
        ("/offers?skill=" + "x" * 33, 400, "bad skill"),
        ("/offers?state=closed", 400, "unknown offer state"),
        ("/offers?freelancer=0x12", 400, "is not an address"),
        ("/offers?limit=0", None, ""),
        ("/offers/0", 404, "offer ids start at 1"),
        ("/offers/99", 404, "no offer 99"),
        ("/offers/" + "9" * 30, 404, "no offer"),
        ("/offers/abc", None, ""),
        ("/accounts/0xnothex/profile", 400, "is not an address"),
        ("/identities/0x12", 400, "is not an address"),
    ],
)
def test_bad_market_requests_get_a_4xx_naming_the_problem(api, path, status, detail):
    """`None`: any 4xx (FastAPI's own validation answers 422, or 400 where the app says so)."""
    answer = api.get(path)
    assert answer.status_code == status if status else 400 <= answer.status_code < 500, answer.text
    assert detail in answer.text


def test_sdk_reads_a_profile_and_checks_its_hash(reader, story):
    published = reader.profile(story.parties["bob"])
    assert published.profile.name == "Bob B."
    assert reader.profile(story.parties["alice"]) is None


def test_sdk_lists_open_offers_by_skill(reader, story):
    assert [o["offer_id"] for o in reader.offers(skill="python")] == [story.offers["erin_python"]]


def test_sdk_reads_an_identity(reader, story):
    assert len(reader.identity(story.parties["erin"])["accounts"]) == 2


# ---------------------------------------------------------------- explorer pages


def html(api: httpx.Client, path: str) -> httpx.Response:
    return api.get(path, headers={"accept": "text/html"})


def test_offer_page_shows_the_exact_hire_command(api, story):
    offer_hash = api.get(f"/offers/{story.offers['bob_rust']}").json()["offer_hash"]
    page = html(api, f"/offer/{story.offers['bob_rust']}")
    assert page.status_code == 200
    assert f"<code>gigledger hire {story.offers['bob_rust']} --max-price 2eth --offer-hash {offer_hash}</code>" in page.text


def test_hired_offer_page_links_its_gig_and_offers_no_command(api, story):
    page = html(api, f"/offer/{story.offers['bob_python']}").text
    assert f"/gig/{story.gig}" in page
    assert "gigledger hire" not in page


def test_unknown_offer_page_is_a_friendly_404(api):
    page = html(api, "/offer/99")
    assert page.status_code == 404 and "No offer 99" in page.text


def test_account_page_shows_the_profile_and_linked_accounts(api, story):
    page = html(api, f"/account/{story.parties['bob']}").text
    assert 'data-field="profile-name">Bob B.<' in page
    assert f'data-linked="{story.parties["erin"]}"' in page


def test_account_with_only_a_profile_has_a_page(api, story):
    """erin never took part in a gig, yet published a profile and linked with bob."""
    page = html(api, f"/account/{story.parties['erin']}")
    assert page.status_code == 200 and 'data-field="profile-name">Erin<' in page.text


def test_invalid_profile_is_shown_verbatim_as_published(api, story):
    page = html(api, f"/account/{story.parties['frank']}").text
    assert 'data-field="profile-document">not json<' in page


def test_gig_page_of_a_hire_links_its_offer(api, story):
    page = html(api, f"/gig/{story.gig}")
    assert page.status_code == 200
    assert "Hired from an offer" in page.text
    assert f"/offer/{story.offers['bob_python']}\">#{story.offers['bob_python']}</a>" in page.text


# ---------------------------------------------------------------- the CLI's reads through the API


@pytest.fixture(scope="module")
def cli(story, api, tmp_path_factory):
    """`gigledger` against the story's chain, manifest and query API."""
    manifest = tmp_path_factory.mktemp("cli") / "deployment.json"
    story.deployment.save(manifest)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIGLEDGER_")}
    environment.update(GIGLEDGER_RPC=story.url, GIGLEDGER_DEPLOYMENT=str(manifest), GIGLEDGER_API=str(api.base_url))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(GIGLEDGER), *args], capture_output=True, text=True, env=environment, timeout=60)

    return run


def test_offer_list_reads_the_api_in_units(cli):
    result = cli("offer", "list", "--skill", "python")
    assert result.returncode == 0, result.stderr
    assert "1 offer(s)" in result.stdout and "0.5 ETH" in result.stdout


def test_profile_show_reads_the_api(cli, story):
    result = cli("profile", "show", story.parties["bob"])
    assert result.returncode == 0, result.stderr
    assert "Bob B." in result.stdout and "content hash" in result.stdout


def test_link_show_lists_the_identitys_accounts(cli, story):
    result = cli("link", "show", story.parties["erin"])
    assert result.returncode == 0, result.stderr
    assert story.parties["bob"] in result.stdout


def test_offer_list_with_a_bad_state_exits_5_naming_it(cli):
    result = cli("offer", "list", "--state", "closed")
    assert result.returncode == 5
    assert "unknown offer state" in result.stderr
