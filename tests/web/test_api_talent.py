"""The talent reads over HTTP: /skills, /talent, /gigs?skill=, trust, human units; bad input is a 400."""

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
USDC = account(0xC0)
FREELANCER, DESIGNER = account(100), account(101)
CLIENTS = [account(200 + i) for i in range(3)]
SYBILS = [account(300), account(301)]


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[httpx.Client]:
    """An index of a small market: a python freelancer paid in ETH and in a 6-decimal
    token by three clients, a designer, a sybil pair, and an open python gig."""
    engine = open_index(f"sqlite:///{tmp_path_factory.mktemp('talent') / 'index.sqlite'}")
    chain = SyntheticChain(engine, tokens={USDC: (6, "USDC")})
    chain.settled(CLIENTS[0], FREELANCER, ETHER + ETHER // 10, skills=("python",))
    chain.settled(CLIENTS[1], FREELANCER, 250_500_000, token=USDC, skills=("python", "sql"))
    chain.settled(CLIENTS[2], FREELANCER, ETHER, skills=("python",))
    chain.settled(CLIENTS[0], DESIGNER, ETHER, skills=("design",))
    for n in range(8):
        chain.settled(SYBILS[n % 2], SYBILS[1 - n % 2], 1, skills=("python",))
    chain.created(CLIENTS[0], ETHER, skills=("python",))
    chain.mine()
    with served(create_app(Queries(engine))) as client:
        yield client
    engine.dispose()


def test_gigs_filter_by_skill_and_state(api):
    page = api.get("/gigs", params={"skill": "python", "state": "open"}).json()

    assert [g["state"] for g in page["items"]] == ["OPEN"] and page["items"][0]["skill_names"] == ["python"]


def test_gigs_filtered_by_skill_leave_other_skills_out(api):
    page = api.get("/gigs", params={"skill": "design"}).json()

    assert page["total"] == 1 and page["items"][0]["freelancer"] == DESIGNER


def test_skills_list_names_with_counts(api):
    skills = {s["name"]: s for s in api.get("/skills").json()}

    assert (skills["python"]["gigs"], skills["python"]["open_gigs"], skills["sql"]["freelancers"]) == (12, 1, 1)


def test_talent_ranks_the_real_freelancer_above_the_sybils(api):
    rows = api.get("/talent", params={"skill": "python"}).json()["page"]["items"]

    assert rows[0]["account"] == FREELANCER and {r["account"] for r in rows[1:]} == set(SYBILS)


def test_talent_rows_say_why_in_human_units(api):
    row = api.get("/talent", params={"skill": "python"}).json()["page"]["items"][0]

    assert "earned 2.1 ETH, 250.5 USDC" in row["why"] and "3 distinct clients" in row["why"]


def test_talent_answers_with_its_rule_and_seed(api):
    answer = api.get("/talent", params={"skill": "python"}).json()

    assert answer["rule"].startswith("ranked by trust score") and answer["trust_seed"] == "fees"


def test_a_reader_can_seed_the_trust_score(api):
    answer = api.get("/talent", params={"skill": "python", "trusted": SYBILS[0]}).json()

    assert answer["trust_seed"] == "reader" and answer["trusted"] == [SYBILS[0]]
    assert answer["page"]["items"][-1]["account"] == FREELANCER


def test_the_trust_score_of_an_account(api):
    answer = api.get(f"/accounts/{FREELANCER}/trust").json()

    assert answer["score"] > 0 and answer["seed_source"] == "fees"


def test_volumes_come_raw_and_formatted(api):
    volumes = {v["label"]: v for v in api.get(f"/accounts/{FREELANCER}/reputation").json()["volumes"]}

    assert (volumes["USDC"]["earned"], volumes["USDC"]["earned_formatted"]) == ("250500000", "250.5")
    assert (volumes["ETH"]["earned"], volumes["ETH"]["earned_formatted"]) == (str(21 * ETHER // 10), "2.1")


def test_reputation_counts_distinct_counterparties_and_delivered_gigs(api):
    rep = api.get(f"/accounts/{FREELANCER}/reputation").json()

    assert (rep["distinct_counterparties"], rep["delivered"], rep["on_time_rate"]) == (3, 3, 1.0)


def test_gig_amounts_are_formatted_in_their_tokens_units(api):
    gigs = api.get("/gigs", params={"party": FREELANCER}).json()["items"]

    assert {(g["amount_formatted"], g["token_label"]) for g in gigs} == {("1.1", "ETH"), ("250.5", "USDC"), ("1", "ETH")}


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/gigs", {"skill": "p" * 33}, "longer than 32 bytes"),
        ("/gigs", {"skill": "python", "state": "lost"}, "unknown gig state"),
        ("/gigs", {"offset": -1}, "offset"),
        ("/talent", {}, "skill"),
        ("/talent", {"skill": "p" * 33}, "longer than 32 bytes"),
        ("/talent", {"skill": ""}, "must not be empty"),
        ("/talent", {"skill": "python", "limit": 0}, "limit"),
        ("/talent", {"skill": "python", "offset": -5}, "offset"),
        ("/talent", {"skill": "python", "limit": "many"}, "limit"),
        ("/talent", {"skill": "python", "trusted": "0x123"}, "is not an address"),
        ("/talent", {"skill": "python", "trusted": ","}, "at least one account"),
        ("/talent", {"skill": "python", "trusted": ",".join([FREELANCER] * 2 + [account(i) for i in range(40)])}, "at most"),
        (f"/accounts/{FREELANCER}/trust", {"trusted": "hello"}, "is not an address"),
        ("/accounts/0x12/trust", {}, "is not an address"),
    ],
)
def test_bad_input_is_a_400_that_says_what_is_wrong(api, path, params, says):
    answer = api.get(path, params=params)

    assert answer.status_code == 400 and says in answer.json()["detail"]


def test_the_sdk_reads_the_directory(api):
    from gigledger.talent import fetch_talent

    page = fetch_talent(str(api.base_url), "python")

    assert page.entries[0].account == FREELANCER and {e.label for e in page.entries[0].earned} == {"ETH", "USDC"}


def test_the_sdk_reads_the_skills(api):
    from gigledger.talent import fetch_skills

    assert {s.name for s in fetch_skills(str(api.base_url))} == {"python", "sql", "design"}


def test_the_cli_prints_the_ranking_with_reasons(api):
    from typer.testing import CliRunner

    from gigledger.cli import app

    result = CliRunner().invoke(app, ["--api", str(api.base_url), "--json", "talent", "python"])

    assert result.exit_code == 0, result.output
    assert '"rank": 1' in result.output and FREELANCER in result.output and "250.5" in result.output


def test_the_cli_says_what_is_wrong_with_a_skill_too_long(api):
    from typer.testing import CliRunner

    from gigledger.cli import app

    result = CliRunner().invoke(app, ["--api", str(api.base_url), "talent", "p" * 33])

    assert result.exit_code == 5 and "longer than 32 bytes" in result.output


def test_the_cli_needs_the_query_api_for_talent():
    from typer.testing import CliRunner

    from gigledger.cli import app

    result = CliRunner(env={"GIGLEDGER_API": ""}).invoke(app, ["talent", "python"])

    assert result.exit_code != 0 and "query API" in result.output
