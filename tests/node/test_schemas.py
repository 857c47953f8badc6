"""Every answer validates against the execution-apis OpenRPC result schema, field for field."""

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from gigledger_node.rpc.filters import random_id

RECIPIENT = "0x" + "42" * 20


@pytest.fixture(scope="session")
def result_schemas(execution_apis: Path) -> dict[str, dict]:
    """Method name -> result schema, with every components/schemas entry resolvable."""
    components: dict = {}
    for path in sorted((execution_apis / "src" / "schemas").glob("*.yaml")):
        components.update(yaml.safe_load(path.read_text()))
    schemas = {}
    for path in sorted((execution_apis / "src" / "eth").glob("*.yaml")):
        for method in yaml.safe_load(path.read_text()):
            schemas[method["name"]] = {
                **method["result"]["schema"], "components": {"schemas": components}
            }
    return schemas


@pytest.fixture(scope="session")
def sample(w3, pinger, dev_accounts):
    """A mined contract call with a log, and the block holding it."""
    tx_hash = pinger.functions.ping(5, 6).transact({"from": dev_accounts[0].address})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    return {
        "tx": tx_hash.to_0x_hex(),
        "block": receipt.blockHash.to_0x_hex(),
        "number": hex(receipt.blockNumber),
        "pinger": pinger.address,
        "sender": dev_accounts[0].address,
        "ping": pinger.functions.ping(1, 2)._encode_transaction_data(),
    }


CALLS = {
    "eth_chainId": lambda s: [],
    "eth_blockNumber": lambda s: [],
    "eth_syncing": lambda s: [],
    "eth_coinbase": lambda s: [],
    "eth_accounts": lambda s: [],
    "net_version": lambda s: [],
    "eth_gasPrice": lambda s: [],
    "eth_maxPriorityFeePerGas": lambda s: [],
    "eth_feeHistory": lambda s: ["0x4", "latest", [10, 50, 90]],
    "eth_getBalance": lambda s: [s["sender"], "latest"],
    "eth_getTransactionCount": lambda s: [s["sender"], "pending"],
    "eth_getCode": lambda s: [s["pinger"], "latest"],
    "eth_getStorageAt": lambda s: [s["pinger"], "0x0", "latest"],
    "eth_getProof": lambda s: [s["pinger"], ["0x0", "0x" + "ab" * 32], "latest"],
    "eth_call": lambda s: [{"to": s["pinger"], "data": s["ping"]}, "latest"],
    "eth_estimateGas": lambda s: [{"from": s["sender"], "to": s["pinger"], "data": s["ping"]}],
    "eth_createAccessList": lambda s: [{"from": s["sender"], "to": s["pinger"], "data": s["ping"]}, "latest"],
    "eth_getBlockByNumber": lambda s: [s["number"], True],
    "eth_getBlockByHash": lambda s: [s["block"], False],
    "eth_getBlockTransactionCountByHash": lambda s: [s["block"]],
    "eth_getBlockTransactionCountByNumber": lambda s: [s["number"]],
    "eth_getBlockReceipts": lambda s: [s["number"]],
    "eth_getTransactionByHash": lambda s: [s["tx"]],
    "eth_getTransactionByBlockHashAndIndex": lambda s: [s["block"], "0x0"],
    "eth_getTransactionByBlockNumberAndIndex": lambda s: [s["number"], "0x0"],
    "eth_getTransactionReceipt": lambda s: [s["tx"]],
    "eth_getLogs": lambda s: [{"fromBlock": "0x0", "address": s["pinger"]}],
    "eth_newFilter": lambda s: [{"address": s["pinger"]}],
    "eth_newBlockFilter": lambda s: [],
    "eth_newPendingTransactionFilter": lambda s: [],
    "eth_uninstallFilter": lambda s: ["0x9999"],
}


@pytest.mark.parametrize("method", sorted(CALLS))
def test_result_matches_execution_apis_schema(method, dev_node, sample, result_schemas):
    answer = dev_node.rpc(method, *CALLS[method](sample))
    assert "result" in answer, answer
    Draft202012Validator(result_schemas[method]).validate(answer["result"])


def test_genesis_block_matches_execution_apis_schema(dev_node, result_schemas):
    block = dev_node.rpc("eth_getBlockByNumber", "0x0", True)["result"]
    Draft202012Validator(result_schemas["eth_getBlockByNumber"]).validate(block)


@pytest.mark.parametrize("method", ["eth_getFilterChanges", "eth_getFilterLogs"])
def test_filter_results_match_execution_apis_schema(method, dev_node, w3, sample, result_schemas, dev_accounts, pinger):
    filter_id = dev_node.rpc("eth_newFilter", {"fromBlock": "0x0", "address": sample["pinger"]})["result"]
    tx_hash = pinger.functions.ping(9, 9).transact({"from": dev_accounts[0].address})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    result = dev_node.rpc(method, filter_id)["result"]
    assert result
    Draft202012Validator(result_schemas[method]).validate(result)


def test_pending_transaction_filter_changes_match_execution_apis_schema(dev_node, w3, result_schemas, dev_accounts):
    filter_id = dev_node.rpc("eth_newPendingTransactionFilter")["result"]
    tx_hash = w3.eth.send_transaction({"from": dev_accounts[0].address, "to": RECIPIENT, "value": 1})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    result = dev_node.rpc("eth_getFilterChanges", filter_id)["result"]
    assert result == [tx_hash.to_0x_hex()]
    Draft202012Validator(result_schemas["eth_getFilterChanges"]).validate(result)


def test_filter_and_subscription_ids_are_quantities_as_the_schema_requires(result_schemas):
    """A random id with a leading zero digit ('0x0f…') is not a quantity: one in 16 used to be."""
    validator = Draft202012Validator(result_schemas["eth_newFilter"])
    assert all(validator.is_valid(random_id()) for _ in range(2000))
