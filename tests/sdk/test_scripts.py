"""scripts/demo.py and scripts/deploy.py run the SDK end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gigledger import Deployment
from gigledger.devchain import dev_account

from .chains import ROOT


def run_script(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIGLEDGER_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def test_demo_tells_the_whole_story_on_any_node(anvil_chain, anvil_deployment, tmp_path):
    manifest = tmp_path / "deployment.json"
    anvil_deployment.save(manifest)
    result = run_script("demo.py", "--rpc", anvil_chain.rpc_url, "--deployment", str(manifest))
    assert result.returncode == 0, result.stderr
    assert "client approved: gig RELEASED" in result.stdout
    assert result.stdout.count("Reputation of") == 2


def test_demo_plays_the_market_on_chain(anvil_chain, anvil_deployment, anvil_ledger_for, tmp_path):
    manifest = tmp_path / "deployment.json"
    anvil_deployment.save(manifest)
    result = run_script("demo.py", "--rpc", anvil_chain.rpc_url, "--deployment", str(manifest))
    assert result.returncode == 0, result.stderr
    reader = anvil_ledger_for(anvil_chain.accounts[0])
    hired, *still_open = (reader.offer(i) for i in (3, 1, 2, 4))
    assert not reader.offer_is_open(hired) and all(reader.offer_is_open(o) for o in still_open)
    assert reader.is_linked(dev_account(2).address, dev_account(7).address)
    assert "alice reads the offers still open on chain: #1, #2, #4" in result.stdout


@pytest.fixture(scope="module")
def own_node_demo() -> subprocess.CompletedProcess:
    """`make demo` as it runs: scripts/demo.py on its own dev node, once for this module."""
    return run_script("demo.py")


def test_demo_on_its_own_dev_node_ends_with_the_explorer_pages_of_its_parties(own_node_demo):
    result = own_node_demo
    assert result.returncode == 0, result.stderr
    client, freelancer = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    explorer_lines = result.stdout.split("Explorer: ", 1)[1]
    assert f"/account/{client}" in explorer_lines and f"/account/{freelancer}" in explorer_lines
    assert "may lag" not in result.stdout


def test_demo_prints_the_skill_pages_ranking_and_open_offers(own_node_demo):
    result = own_node_demo
    assert result.returncode == 0, result.stderr
    skill_page = result.stdout.split("The explorer's skill page", 1)[1]
    ranking, offers = skill_page.split("Open python offers", 1)
    assert ranking.index("bob") < ranking.index("erin") and "1 python gig" in ranking
    assert [line.split()[1] for line in offers.splitlines() if line.startswith("│ #")] == ["#1", "#4"]


def test_deploy_script_writes_a_manifest_for_the_chain(anvil_chain, tmp_path):
    manifest = tmp_path / "deployment.json"
    key = anvil_chain.accounts[0].key.hex()
    result = run_script("deploy.py", "--rpc", anvil_chain.rpc_url, "--out", str(manifest),
                        env={"GIGLEDGER_PRIVATE_KEY": key})
    assert result.returncode == 0, result.stderr
    Deployment.load(manifest).verify(anvil_chain.w3)
