"""What an operator meets at the node's command line: ports in use, versions, the dev
node's hand-off, logs, and the allowlist commands."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

GIGLEDGER_NODE = [sys.executable, "-m", "gigledger_node.cli"]


def node_command(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`gigledger-node ARGS`, its usage errors unwrapped (rich boxes them at the terminal's width)."""
    environment = {**os.environ, "COLUMNS": "400", **(env or {})}
    return subprocess.run([*GIGLEDGER_NODE, *args], capture_output=True, text=True, timeout=timeout, env=environment)


def wait_for_output(node, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while text not in node.output():
        assert time.monotonic() < deadline, f"{text!r} not in the node's output: {node.output()[-2000:]}"
        time.sleep(0.1)
    return node.output()


def send_transfer(node, account, transfer) -> str:
    nonce = int(node.rpc("eth_getTransactionCount", account.address, "pending")["result"], 16)
    return node.rpc("eth_sendRawTransaction", "0x" + transfer(account, nonce).hex())


# ---------------------------------------------------------------- ports


def test_a_second_node_on_a_port_in_use_exits_at_once_and_touches_nothing(dev_node, tmp_path, dev_accounts):
    head_before = dev_node.rpc("eth_blockNumber")["result"]
    data_dir = tmp_path / "second"
    started = time.monotonic()
    result = node_command("start", "--dev", str(data_dir), "--port", str(dev_node.port), "--no-index")
    assert result.returncode == 1 and time.monotonic() - started < 60  # it never serves: no startup wait
    assert f"127.0.0.1:{dev_node.port}" in result.stderr and "in use" in result.stderr
    assert not data_dir.exists()
    assert dev_node.rpc("eth_blockNumber")["result"] == head_before


def test_a_node_whose_api_port_is_taken_exits_before_serving(dev_node, tmp_path):
    result = node_command("start", "--dev", str(tmp_path / "d"), "--port", "0", "--api-port", str(dev_node.port))
    assert result.returncode == 1 and "choose --port / --api-port" in result.stderr
    assert not (tmp_path / "d").exists()


# ---------------------------------------------------------------- settings from the environment


def test_an_unusable_trusted_setting_stops_the_api_before_it_serves(tmp_path):
    result = node_command("api", "--data-dir", str(tmp_path), "--port", "0", env={"GIGLEDGER_TRUSTED": "nonsense"},
                          timeout=60)
    assert (result.returncode, "Traceback" in result.stderr) == (2, False), result.stderr
    assert "GIGLEDGER_TRUSTED" in result.stderr and "'nonsense' is not an address" in result.stderr


def test_an_unusable_trusted_setting_stops_the_node_before_it_creates_anything(tmp_path):
    data_dir = tmp_path / "dev"
    result = node_command("start", "--dev", str(data_dir), "--port", "0", env={"GIGLEDGER_TRUSTED": "0x12,"},
                          timeout=60)
    assert (result.returncode, "Traceback" in result.stderr) == (2, False), result.stderr
    assert "GIGLEDGER_TRUSTED" in result.stderr
    assert not data_dir.exists()


# ---------------------------------------------------------------- versions


@pytest.mark.parametrize("command", [GIGLEDGER_NODE, [str(Path(sys.executable).with_name("gigledger"))]])
def test_both_commands_print_their_version(command):
    from importlib.metadata import version

    result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip().endswith(version("gigledger"))


# ---------------------------------------------------------------- the dev node's hand-off


def test_dev_node_prints_its_accounts_and_an_export_line(start_node, tmp_path, dev_accounts):
    data_dir = tmp_path / "dev"
    node = start_node("--dev", str(data_dir), "--no-index")
    output = wait_for_output(node, "export GIGLEDGER_RPC=", timeout=60)
    assert all(account.address in output for account in dev_accounts)
    assert dev_accounts[0].key.hex() in output
    assert f"export GIGLEDGER_RPC={node.url} GIGLEDGER_DEPLOYMENT={data_dir / 'deployment.json'}" in output


def test_dev_node_removes_its_temporary_directory_on_exit(start_node):
    node = start_node("--dev", "--no-deploy", "--no-index")
    data_dir = Path(re.search(r"serving chain \d+ from (\S+) at", wait_for_output(node, "serving chain")).group(1))
    assert data_dir.is_dir()
    node.stop()
    assert not data_dir.exists()


def test_dev_node_keeps_a_data_directory_it_was_given(start_node, tmp_path):
    node = start_node("--dev", str(tmp_path / "kept"), "--no-deploy", "--no-index")
    node.stop()
    assert (tmp_path / "kept" / "admin.token").exists()


# ---------------------------------------------------------------- logs


def test_node_logs_each_sealed_block(dev_node, dev_accounts, transfer):
    tx_hash = send_transfer(dev_node, dev_accounts[7], transfer)["result"]
    number = int(dev_node.wait_for_receipt(tx_hash)["blockNumber"], 16)
    assert re.search(rf"sealed block #{number} 0x[0-9a-f]{{64}}: 1 transaction", wait_for_output(dev_node, f"#{number} "))


def test_node_logs_each_refused_transaction(operator_node, stranger, transfer):
    answer = send_transfer(operator_node, stranger, lambda a, n: transfer(a, n, chain_id=4242))
    assert "error" in answer
    assert f"from 0x{stranger.address[2:].lower()}" in wait_for_output(operator_node, "refused transaction")


def test_log_level_warning_leaves_out_the_block_log(start_node, dev_accounts, transfer):
    node = start_node("--dev", "--no-deploy", "--no-index", "--log-level", "warning")
    node.wait_for_receipt(send_transfer(node, dev_accounts[0], transfer)["result"])
    node.stop()
    assert "sealed block" not in node.output()


def test_an_unknown_log_level_is_refused_with_the_choices():
    result = node_command("start", "--dev", "--log-level", "chatty")
    assert result.returncode != 0 and "debug, info, warning, error" in result.stderr


# ---------------------------------------------------------------- the allowlist commands


def test_allow_adds_an_account_the_allowlist_command_then_lists(operator_node, operator_dir, stranger):
    result = node_command("allow", stranger.address, "--rpc", operator_node.url, "--data-dir", str(operator_dir))
    assert result.returncode == 0, result.stderr
    listed = node_command("allowlist", "--rpc", operator_node.url, "--data-dir", str(operator_dir)).stdout.split()
    assert stranger.address in listed


def test_disallow_removes_an_account(operator_node, operator_dir, dev_accounts):
    result = node_command("disallow", dev_accounts[1].address, "--rpc", operator_node.url, "--data-dir", str(operator_dir))
    assert result.returncode == 0, result.stderr
    listed = node_command("allowlist", "--rpc", operator_node.url, "--data-dir", str(operator_dir)).stdout.split()
    assert dev_accounts[1].address not in listed and dev_accounts[0].address in listed


def test_allow_refuses_a_mixed_case_address_with_a_wrong_checksum(operator_node, operator_dir, stranger):
    flipped = stranger.address[:-1] + (stranger.address[-1].swapcase() if stranger.address[-1].isalpha() else "A")
    wrong = next(a for a in (flipped, "0x" + stranger.address[2:].swapcase()) if a[2:] not in (a[2:].lower(), a[2:].upper()))
    result = node_command("allow", wrong, "--rpc", operator_node.url, "--data-dir", str(operator_dir))
    assert result.returncode == 2 and "checksum" in result.stderr
    listed = node_command("allowlist", "--rpc", operator_node.url, "--data-dir", str(operator_dir)).stdout.lower()
    assert stranger.address.lower() not in listed


def test_allow_without_a_token_names_where_to_get_one(operator_node, stranger, monkeypatch):
    monkeypatch.delenv("GIGLEDGER_ADMIN_TOKEN", raising=False)
    result = node_command("allow", stranger.address, "--rpc", operator_node.url)
    assert result.returncode == 2 and "--data-dir" in result.stderr and "GIGLEDGER_ADMIN_TOKEN" in result.stderr


def test_allow_with_a_wrong_token_says_the_node_refused_it(operator_node, stranger, monkeypatch):
    monkeypatch.setenv("GIGLEDGER_ADMIN_TOKEN", "not-the-token")
    result = node_command("allow", stranger.address, "--rpc", operator_node.url)
    assert result.returncode == 1 and "error:" in result.stderr


# ---------------------------------------------------------------- metrics on the API port


def test_dev_node_serves_its_figures_on_the_api_port(start_node, tmp_path, dev_accounts, transfer):
    import httpx

    from gigledger.testing import free_port, wait_until

    api_port = free_port()
    node = start_node("--dev", str(tmp_path / "dev"), "--api-port", str(api_port))
    wait_for_output(node, "query API and explorer at", timeout=60)
    node.wait_for_receipt(send_transfer(node, dev_accounts[8], transfer)["result"])

    def scraped() -> str:
        return httpx.get(f"http://127.0.0.1:{api_port}/metrics").text

    wait_until(lambda: "gigledger_indexer_lag_blocks" in scraped(), "the indexer's first checkpoint")
    text = scraped()
    head = int(node.rpc("eth_blockNumber")["result"], 16)
    assert f"gigledger_head_block {head}" in text and "gigledger_txpool_transactions 0" in text
    assert re.search(r"gigledger_blocks_sealed_total [1-9]", text) and "gigledger_sealing_seconds_sum" in text


# ---------------------------------------------------------------- deploying to a permissioned chain


def test_one_deploy_command_starts_a_running_nodes_index(operator_dir, start_node, dev_accounts):
    import httpx

    from gigledger.testing import free_port, wait_until

    api_port = free_port()
    node = start_node(str(operator_dir), "--api-port", str(api_port))
    wait_for_output(node, "start once it is written")
    environment = {**os.environ, "GIGLEDGER_PRIVATE_KEY": dev_accounts[0].key.hex(), "GIGLEDGER_RPC": node.url}
    deployed = subprocess.run([str(Path(sys.executable).with_name("gigledger")), "deploy", "--out", str(operator_dir / "deployment.json")],
                              capture_output=True, text=True, env=environment, timeout=120)
    assert deployed.returncode == 0, deployed.stderr

    def indexed() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{api_port}/status").json().get("checkpoint_block") is not None
        except httpx.HTTPError:
            return False

    wait_until(indexed, "the index of the deployed contracts", timeout=60)
