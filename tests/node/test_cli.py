"""gigledger-node init and start, as an operator runs them."""

import json
import subprocess
import sys
import time

import pytest

from .conftest import sign_transfer

GIGLEDGER_NODE = [sys.executable, "-m", "gigledger_node.cli"]


def run_init(data_dir, config_path, *extra):
    return subprocess.run(
        [*GIGLEDGER_NODE, "init", str(data_dir), "--config", str(config_path), *extra],
        capture_output=True, text=True,
    )


def test_init_writes_a_data_directory_that_start_serves(tmp_path, start_node, dev_accounts):
    config = tmp_path / "genesis-config.json"
    config.write_text(json.dumps({
        "chainId": 777,
        "alloc": {dev_accounts[0].address: str(10**21)},
        "allowlist": [dev_accounts[0].address],
    }))
    assert run_init(tmp_path / "data", config).returncode == 0
    node = start_node(str(tmp_path / "data"))
    balance = node.rpc("eth_getBalance", dev_accounts[0].address, "latest")["result"]
    assert node.rpc("eth_chainId")["result"] == hex(777) and int(balance, 16) == 10**21


def test_init_writes_the_admin_token_readable_only_by_its_owner(tmp_path):
    config = tmp_path / "genesis-config.json"
    config.write_text(json.dumps({"chainId": 777}))
    run_init(tmp_path / "data", config)
    assert (tmp_path / "data" / "admin.token").stat().st_mode & 0o077 == 0


def test_init_refuses_an_initialised_directory(operator_dir, tmp_path):
    config = tmp_path / "genesis-config.json"
    config.write_text(json.dumps({"chainId": 777}))
    assert run_init(operator_dir, config).returncode != 0


def test_dev_refuses_a_non_loopback_host():
    result = subprocess.run(
        [*GIGLEDGER_NODE, "start", "--dev", "--host", "0.0.0.0"], capture_output=True, text=True
    )
    assert result.returncode != 0 and "loopback" in result.stderr


def test_block_time_seals_blocks_at_a_fixed_interval_even_when_idle(operator_dir, start_node):
    node = start_node(str(operator_dir), "--block-time", "0.3")
    first = int(node.rpc("eth_blockNumber")["result"], 16)
    time.sleep(1.5)
    assert int(node.rpc("eth_blockNumber")["result"], 16) >= first + 3



def test_init_asks_for_the_authority_key_when_the_config_lists_authorities(tmp_path, dev_accounts):
    config = tmp_path / "genesis-config.json"
    config.write_text(json.dumps({"chainId": 777, "authorities": [dev_accounts[0].address]}))
    result = run_init(tmp_path / "data", config)
    assert result.returncode == 2 and "--authority-key" in result.stderr
    assert not (tmp_path / "data").exists()


def test_init_with_an_authority_key_of_the_config_seals_with_it(tmp_path, dev_accounts):
    key_file = tmp_path / "key.hex"
    key_file.write_text(dev_accounts[0].key.hex())
    config = tmp_path / "genesis-config.json"
    config.write_text(json.dumps({"chainId": 777, "authorities": [dev_accounts[0].address]}))
    assert run_init(tmp_path / "data", config, "--authority-key", str(key_file)).returncode == 0


@pytest.mark.parametrize("lifetime", ["3x", "0", "-1h"])
def test_start_refuses_a_bad_txpool_lifetime_before_anything_starts(lifetime):
    result = subprocess.run([*GIGLEDGER_NODE, "start", "--dev", f"--txpool-lifetime={lifetime}"], capture_output=True, text=True)
    assert result.returncode == 2 and "Invalid value for --txpool-lifetime" in result.stderr


def test_txpool_lifetime_drops_parked_transactions_of_a_running_node(operator_dir, start_node, dev_accounts):
    node = start_node(str(operator_dir), "--no-index", "--txpool-lifetime", "0.2s")
    parked = node.rpc("eth_sendRawTransaction", "0x" + sign_transfer(dev_accounts[0], 5, chain_id=4242).hex())["result"]
    deadline = time.monotonic() + 10
    while node.rpc("eth_getTransactionByHash", parked)["result"] is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert node.rpc("eth_getTransactionByHash", parked)["result"] is None
    assert node.rpc("txpool_status")["result"] == {"pending": "0x0", "queued": "0x0"}
