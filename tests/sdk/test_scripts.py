"""The Ape scripts in scripts/ (`ape run demo`, `ape run deploy`) run the SDK end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from web3 import Web3

from gigledger import Deployment
from gigledger.devchain import dev_account

from .chains import ROOT

APE = str(os.path.join(os.path.dirname(sys.executable), "ape"))


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIGLEDGER_")}
    environment.update(env or {})
    return environment


def run_script(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python scripts/NAME ARGS`."""
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args], capture_output=True, text=True,
                          env=_environment(env), timeout=120)


def ape_run(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`ape run SCRIPT ARGS` from the repository's root, as Ape's scripts convention wants."""
    return subprocess.run([APE, "run", script, *args], capture_output=True, text=True, cwd=ROOT,
                          env=_environment(env), timeout=180)


def on_node(url: str) -> tuple[str, ...]:
    """Ape's options for its `node` provider on the local network, at `url`."""
    return ("--network", "ethereum:local:node", "--provider-settings", json.dumps({"uri": url}))


def test_demo_tells_the_whole_story_on_any_node(anvil_chain, anvil_deployment, tmp_path):
    manifest = tmp_path / "deployment.json"
    anvil_deployment.save(manifest)
    result = ape_run("demo", "--rpc", anvil_chain.rpc_url, "--deployment", str(manifest))
    assert result.returncode == 0, result.stderr
    assert "client approved: gig RELEASED" in result.stdout
    assert result.stdout.count("Reputation of") == 2


def test_demo_plays_the_market_on_chain(anvil_chain, anvil_deployment, anvil_ledger_for, tmp_path):
    manifest = tmp_path / "deployment.json"
    anvil_deployment.save(manifest)
    result = ape_run("demo", "--rpc", anvil_chain.rpc_url, "--deployment", str(manifest))
    assert result.returncode == 0, result.stderr
    reader = anvil_ledger_for(anvil_chain.accounts[0])
    hired, *still_open = (reader.offer(i) for i in (3, 1, 2, 4))
    assert not reader.offer_is_open(hired) and all(reader.offer_is_open(o) for o in still_open)
    assert reader.is_linked(dev_account(2).address, dev_account(7).address)
    assert "alice reads the offers still open on chain: #1, #2, #4" in result.stdout


@pytest.fixture(scope="module")
def own_node_demo() -> subprocess.CompletedProcess:
    """`make demo` as it runs: `ape run demo` on its own dev node, once for this module."""
    return ape_run("demo")


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


def test_ape_run_deploy_deploys_on_the_local_dev_node_as_its_first_account(bare_dev_node, tmp_path):
    manifest = tmp_path / "deployment.json"
    result = ape_run("deploy", *on_node(bare_dev_node), "--out", str(manifest))
    assert result.returncode == 0, result.stderr
    w3 = Web3(Web3.HTTPProvider(bare_dev_node))
    Deployment.load(manifest).verify(w3)
    assert w3.eth.get_transaction_count(dev_account(0).address) > 0


def test_ape_run_deploy_deploys_with_the_key_it_is_given(bare_dev_node, tmp_path):
    manifest = tmp_path / "deployment.json"
    deployer = dev_account(5)
    result = ape_run("deploy", *on_node(bare_dev_node), "--out", str(manifest),
                     env={"GIGLEDGER_PRIVATE_KEY": deployer.key.hex()})
    assert result.returncode == 0, result.stderr
    w3 = Web3(Web3.HTTPProvider(bare_dev_node))
    Deployment.load(manifest).verify(w3)
    assert w3.eth.get_transaction_count(deployer.address) > 0


def test_ape_run_deploy_on_a_network_that_is_not_local_refuses_to_use_the_dev_key(bare_dev_node, tmp_path):
    manifest = tmp_path / "deployment.json"
    result = ape_run("deploy", "--network", "ethereum:gigledger:node", "--provider-settings",
                     json.dumps({"uri": bare_dev_node}), "--out", str(manifest))
    assert result.returncode == 2
    assert "no deployer key" in result.stderr
    assert not manifest.exists()
    assert Web3(Web3.HTTPProvider(bare_dev_node)).eth.block_number == 0
