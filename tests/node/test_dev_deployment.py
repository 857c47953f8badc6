"""`start --dev` deploys the GigLedger contracts through the SDK, writes the manifest,
indexes the contracts and serves the query API and explorer beside JSON-RPC."""

import json
import time

import httpx

from gigledger.testing import free_port


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
            if status["checkpoint_block"] >= status["start_block"]:
                break
        except (httpx.HTTPError, KeyError, TypeError):  # not serving yet, or no checkpoint yet
            pass
        time.sleep(0.3)
    manifest = json.loads((data_dir / "deployment.json").read_text())
    assert status["escrow"] == manifest["escrow"] and status["checkpoint_block"] >= manifest["block"]
    assert httpx.get(f"{web}/").status_code == 200
