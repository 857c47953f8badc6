"""`gigledger` as a script sees it: output, JSON, CSV and exit codes."""

from __future__ import annotations

import dataclasses
import json

import pytest

from gigledger import Deployment
from gigledger.accounts import write_keystore
from gigledger.testing import free_port

from .rpc_proxy import PermissioningProxy


@pytest.fixture
def accounts(anvil_chain):
    """deployer, client, freelancer, arbiter, stranger, relayer"""
    return anvil_chain.accounts


def test_deploy_writes_a_manifest_the_sdk_accepts(cli, accounts, anvil_chain):
    result = cli("--json", "deploy", "--out", "fresh.json", account=accounts[0])
    assert result.returncode == 0, result.stderr
    manifest = Deployment.load(cli.cwd / "fresh.json")
    manifest.verify(anvil_chain.w3)
    assert json.loads(result.stdout)["escrow"] == manifest.escrow


def test_gig_create_prints_the_new_gig(cli, accounts):
    result = cli("gig", "create", "--amount", "0.5eth", "--arbiter", accounts[3].address,
                 "--freelancer", accounts[2].address, "--deadline", "7d", "--skill", "python", account=accounts[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("gig 1 created: now OPEN (transaction 0x")


def test_gig_approve_with_json_prints_the_released_gig(cli, accounts, anvil_delivered_gig):
    result = cli("--json", "gig", "approve", str(anvil_delivered_gig.gig_id), account=accounts[1])
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["gig"]["state"] == "RELEASED"
    assert output["transaction_hash"].startswith("0x")


def test_gig_show_prints_a_table(cli, anvil_delivered_gig):
    result = cli("gig", "show", str(anvil_delivered_gig.gig_id))
    assert result.returncode == 0, result.stderr
    assert "DELIVERED" in result.stdout
    assert anvil_delivered_gig.client in result.stdout


def test_gig_list_filters_by_state(cli, anvil_delivered_gig):
    delivered = json.loads(cli("--json", "gig", "list", "--state", "delivered").stdout)
    assert [g["gig_id"] for g in delivered] == [anvil_delivered_gig.gig_id]


def test_attest_then_reputation_shows_the_score(cli, accounts, anvil_delivered_gig, anvil_ledger_for):
    anvil_ledger_for(accounts[1]).approve(anvil_delivered_gig)
    attested = cli("attest", str(anvil_delivered_gig.gig_id), "--score", "5", "--skill", "python", account=accounts[1])
    assert attested.returncode == 0, attested.stderr
    reputation = json.loads(cli("--json", "reputation", accounts[2].address).stdout)
    assert (reputation["attestation_count"], reputation["average_score"]) == (1, 5.0)
    assert reputation["skills"][0]["skill"] == "python"


def test_history_csv_lists_the_payments(cli, accounts, anvil_delivered_gig):
    result = cli("history", accounts[1].address, "--csv")
    assert result.returncode == 0, result.stderr
    header, deposit = result.stdout.splitlines()
    assert header.split(",")[:3] == ["transaction_hash", "log_index", "block_number"]
    assert ",deposit,in," in deposit


def test_audit_of_an_honest_unsealed_chain_passes_with_unsealed(cli, accounts, anvil_delivered_gig, tmp_path):
    result = cli("--json", "audit", accounts[1].address, "--unsealed", env={"GIGLEDGER_CACHE": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["account"] == accounts[1].address and report["payments"]


def test_audit_requires_seals_unless_told_the_chain_has_none(cli, accounts, anvil_delivered_gig, tmp_path):
    result = cli("--json", "audit", accounts[1].address, env={"GIGLEDGER_CACHE": str(tmp_path)})
    assert result.returncode == 9
    assert "genesis lists no authorities" in result.stdout


def test_audit_against_another_genesis_hash_exits_9(cli, accounts, anvil_delivered_gig, tmp_path):
    env = {"GIGLEDGER_CACHE": str(tmp_path), "GIGLEDGER_GENESIS_HASH": "0x" + "12" * 32}
    result = cli("--json", "audit", accounts[1].address, "--unsealed", env=env)
    assert result.returncode == 9
    assert "genesis does not match the pinned hash" in result.stdout


def test_audit_with_a_malformed_genesis_hash_exits_2_and_says_the_form(cli, accounts):
    result = cli("audit", accounts[1].address, "--genesis-hash", "0x1234")
    assert result.returncode == 2
    assert "0x + 64 hex digits" in result.stderr


# ---------------------------------------------------------------- errors and exit codes


def test_a_write_without_a_key_exits_2_and_says_where_keys_come_from(cli, anvil_delivered_gig):
    result = cli("gig", "approve", str(anvil_delivered_gig.gig_id))
    assert result.returncode == 2
    assert "GIGLEDGER_PRIVATE_KEY" in result.stderr


def test_a_private_key_option_does_not_exist(cli, accounts):
    result = cli("--private-key", accounts[1].key.hex(), "gig", "list")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_a_missing_manifest_exits_2(cli):
    result = cli("gig", "list", env={"GIGLEDGER_DEPLOYMENT": str(cli.cwd / "missing.json")})
    assert result.returncode == 2
    assert "cannot read deployment manifest" in result.stderr


def test_a_bad_amount_is_a_usage_error(cli, accounts):
    result = cli("gig", "create", "--amount", "lots", "--arbiter", accounts[3].address, "--deadline", "7d",
                 account=accounts[1])
    assert result.returncode == 2
    assert "is not an amount" in result.stderr


def test_a_contract_refusal_exits_3_with_the_reason(cli, accounts, anvil_delivered_gig):
    result = cli("gig", "approve", str(anvil_delivered_gig.gig_id), account=accounts[4])
    assert result.returncode == 3
    assert "escrow: caller is not the client" in result.stderr


def test_errors_are_json_with_json(cli, accounts, anvil_delivered_gig):
    result = cli("--json", "gig", "approve", str(anvil_delivered_gig.gig_id), account=accounts[4])
    assert json.loads(result.stderr) == {"error": "NotAuthorized", "message": "escrow: caller is not the client"}


def test_a_refused_sender_exits_4(cli, accounts, anvil_chain, anvil_delivered_gig):
    proxy = PermissioningProxy(anvil_chain.rpc_url, refused={accounts[1].address})
    try:
        result = cli("gig", "approve", str(anvil_delivered_gig.gig_id), account=accounts[1],
                     env={"GIGLEDGER_RPC": proxy.url})
    finally:
        proxy.stop()
    assert result.returncode == 4
    assert "allowlist" in result.stderr


def test_an_unreachable_node_exits_5(cli):
    result = cli("gig", "list", env={"GIGLEDGER_RPC": f"http://127.0.0.1:{free_port()}"})
    assert result.returncode == 5
    assert "gigledger-node start --dev" in result.stderr


@pytest.mark.parametrize("command", [
    ("gig", "show", "1"),
    ("reputation", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    ("history", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    ("offer", "list"),
    ("audit", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
])
def test_every_read_of_an_unreachable_node_exits_5_with_a_message_not_a_traceback(cli, command):
    result = cli(*command, env={"GIGLEDGER_RPC": f"http://127.0.0.1:{free_port()}"})
    assert (result.returncode, "Traceback" in result.stderr) == (5, False), result.stderr
    assert "gigledger-node start --dev" in result.stderr


def test_a_manifest_for_another_chain_exits_6(cli, anvil_deployment):
    dataclasses.replace(anvil_deployment, chain_id=anvil_deployment.chain_id + 1).save(cli.manifest)
    result = cli("gig", "list")
    assert result.returncode == 6
    assert "deploy again" in result.stderr


def test_a_transaction_not_mined_in_time_exits_7(cli, accounts, anvil_chain, anvil_delivered_gig):
    anvil_chain.set_automine(False)
    result = cli("--timeout", "1", "gig", "approve", str(anvil_delivered_gig.gig_id), account=accounts[1])
    assert result.returncode == 7
    assert "not mined within 1s" in result.stderr


def test_an_unknown_gig_exits_8(cli):
    result = cli("gig", "show", "42")
    assert result.returncode == 8
    assert "no gig 42" in result.stderr



def test_a_keystore_signs_with_the_password_from_the_environment(cli, accounts, tmp_path):
    keystore = write_keystore(accounts[1], tmp_path / "client.json", "s3cret", kdf="pbkdf2", iterations=1024)
    result = cli("--json", "gig", "create", "--amount", "1000wei", "--arbiter", accounts[3].address, "--deadline", "1d",
                 env={"GIGLEDGER_KEYSTORE": str(keystore), "GIGLEDGER_KEYSTORE_PASSWORD": "s3cret"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["gig"]["client"] == accounts[1].address


def test_a_keystore_without_a_password_exits_2(cli, accounts, tmp_path):
    keystore = write_keystore(accounts[1], tmp_path / "client.json", "s3cret", kdf="pbkdf2", iterations=1024)
    result = cli("gig", "accept", "1", env={"GIGLEDGER_KEYSTORE": str(keystore)})
    assert result.returncode == 2
    assert "GIGLEDGER_KEYSTORE_PASSWORD" in result.stderr


def test_withdraw_with_nothing_credited_exits_3(cli, accounts):
    result = cli("withdraw", account=accounts[2])
    assert result.returncode == 3
    assert "nothing to withdraw" in result.stderr


def test_a_malformed_hash_is_a_usage_error(cli, accounts, anvil_delivered_gig):
    result = cli("gig", "deliver", str(anvil_delivered_gig.gig_id), "--deliverable-hash", "0x1234", account=accounts[2])
    assert result.returncode == 2
    assert "--deliverable-hash" in result.stderr and "0x followed by 64 hex digits" in result.stderr


def test_a_bundle_written_by_audit_verifies_offline_with_no_node(cli, accounts, anvil_delivered_gig, anvil_deployment, tmp_path):
    bundle = tmp_path / "proof.json"
    written = cli("audit", accounts[1].address, "--unsealed", "--bundle", str(bundle), env={"GIGLEDGER_CACHE": str(tmp_path)})
    assert written.returncode == 0, written.stdout + written.stderr

    offline = {"GIGLEDGER_RPC": f"http://127.0.0.1:{free_port()}"}
    result = cli("--json", "verify", str(bundle), "--genesis-hash", anvil_deployment.genesis_hash, env=offline)

    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["payments"]


def test_a_tampered_bundle_fails_verify_with_exit_9(cli, accounts, anvil_delivered_gig, anvil_deployment, tmp_path):
    bundle = tmp_path / "proof.json"
    cli("audit", accounts[1].address, "--unsealed", "--bundle", str(bundle), env={"GIGLEDGER_CACHE": str(tmp_path)})
    document = json.loads(bundle.read_text())
    for method, _params, answer in document["answers"]:
        if method == "eth_getBlockReceipts" and answer:
            answer[0]["status"] = "0x0"
    bundle.write_text(json.dumps(document))

    result = cli("--json", "verify", str(bundle), "--genesis-hash", anvil_deployment.genesis_hash)

    assert result.returncode == 9
    assert "receipts root mismatch" in result.stdout
