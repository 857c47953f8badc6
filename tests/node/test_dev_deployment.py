"""`start --dev` deploys the GigLedger contracts through the SDK, writes the manifest,
indexes the contracts and serves the query API and explorer beside JSON-RPC."""

import json
import time

import httpx

from .conftest import NodeProcess, free_port


def test_dev_node_deploys_the_contracts_and_writes_the_manifest(start_node, tmp_path):
    data_dir = tmp_path / "dev-data"
    node = start_node("--dev", str(data_dir))
    manifest = data_dir / "deployment.json"
    deadline = time.monotonic() + 60
    while not manifest.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    escrow = json.loads(manifest.read_text())["escrow"]
    assert node.rpc("eth_getCode", escrow, "latest")["result"] != "0x"


def test_dev_node_indexes_its_contracts_and_serves_the_query_api_and_explorer(start_node, tmp_path):
    data_dir = tmp_path / "dev-data"
    api_port = free_port()
    start_node("--dev", str(data_dir), "--api-port", str(api_port))
    web = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        try:
            status = httpx.get(f"{web}/status").json()
            if status["checkpoint_block"] is not None and status["checkpoint_block"] >= status["start_block"]:
                break
        except (httpx.HTTPError, KeyError, ValueError):
            pass  # the API or its index is still starting
        time.sleep(0.3)
    manifest = json.loads((data_dir / "deployment.json").read_text())
    assert status["escrow"] == manifest["escrow"] and status["checkpoint_block"] >= manifest["block"]
    assert httpx.get(f"{web}/").status_code == 200


def test_dev_node_answers_only_once_its_deployment_is_sealed(deployed_dev_node, dev_accounts):
    node, deployer = deployed_dev_node, dev_accounts[0].address
    sealed = int(node.rpc("eth_getTransactionCount", deployer, "latest")["result"], 16)
    pending = int(node.rpc("eth_getTransactionCount", deployer, "pending")["result"], 16)
    assert sealed == pending > 0


def test_node_answers_as_soon_as_its_manifest_exists(tmp_path):
    data_dir = tmp_path / "dev-data"
    node = NodeProcess(["--dev", str(data_dir), "--no-index"], tmp_path / "node.log").launch()
    try:
        deadline = time.monotonic() + 60
        while not (data_dir / "deployment.json").exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        escrow = json.loads((data_dir / "deployment.json").read_text())["escrow"]
        assert node.rpc("eth_getCode", escrow, "latest")["result"] != "0x"
    finally:
        node.stop()


def test_script_sending_from_account_zero_once_the_node_answers_is_mined(deployed_dev_node, dev_accounts, transfer):
    node, deployer = deployed_dev_node, dev_accounts[0]
    nonce = int(node.rpc("eth_getTransactionCount", deployer.address, "latest")["result"], 16)
    answer = node.rpc("eth_sendRawTransaction", "0x" + transfer(deployer, nonce).hex())
    assert "error" not in answer, answer
    assert node.wait_for_receipt(answer["result"])["status"] == "0x1"
