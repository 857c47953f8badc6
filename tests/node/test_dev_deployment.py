"""`start --dev` deploys the GigLedger contracts through the SDK and writes the manifest."""

import json
import time

import pytest

pytest.importorskip("gigledger.deployment")


def test_dev_node_deploys_the_contracts_and_writes_the_manifest(start_node, tmp_path):
    data_dir = tmp_path / "dev-data"
    node = start_node("--dev", str(data_dir))
    manifest = data_dir / "deployment.json"
    deadline = time.monotonic() + 60
    while not manifest.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    escrow = json.loads(manifest.read_text())["escrow"]
    assert node.rpc("eth_getCode", escrow, "latest")["result"] != "0x"
