"""Bad input gets the JSON-RPC error it should, and the node keeps serving."""

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigledger_node.rpc.dispatch import MAX_BATCH
from gigledger_node.rpc.server import MAX_BODY_BYTES


def post_raw(node, body: bytes) -> httpx.Response:
    return httpx.post(node.url, content=body, headers={"Content-Type": "application/json"}, timeout=30)


def error_code(answer) -> int:
    return answer["error"]["code"]


def test_malformed_json_is_a_parse_error(dev_node):
    assert error_code(post_raw(dev_node, b'{"jsonrpc": "2.0", "id": 1,').json()) == -32700


def test_a_request_that_is_not_an_object_is_invalid(dev_node):
    assert error_code(dev_node.post(42)) == -32600


def test_a_request_without_jsonrpc_version_is_invalid(dev_node):
    assert error_code(dev_node.post({"id": 1, "method": "eth_chainId"})) == -32600


def test_unknown_method_is_method_not_found(dev_node):
    assert error_code(dev_node.rpc("eth_doesNotExist")) == -32601


def test_too_many_params_is_invalid_params(dev_node):
    assert error_code(dev_node.rpc("eth_chainId", 1, 2)) == -32602


def test_missing_params_is_invalid_params(dev_node):
    assert error_code(dev_node.rpc("eth_getBalance")) == -32602


def test_invalid_hex_address_is_invalid_params(dev_node):
    assert error_code(dev_node.rpc("eth_getBalance", "0xzz", "latest")) == -32602


def test_invalid_hex_quantity_is_invalid_params(dev_node):
    assert error_code(dev_node.rpc("eth_getBlockByNumber", "0x0g", False)) == -32602


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("eth_getBalance", ["0x" + "11" * 20 + "\n", "latest"]),
        ("eth_getBlockByNumber", ["0x1\n", False]),
        ("eth_call", [{"to": "0x" + "11" * 20, "data": "0x00\n"}, "latest"]),
    ],
)
def test_hex_with_a_trailing_newline_is_invalid_params(dev_node, method, params):
    # The execution-apis patterns end in $, which in JSON Schema (ECMA) does not match
    # before a final newline; Python's re.match with $ does.
    assert error_code(dev_node.rpc(method, *params)) == -32602


def test_params_by_name_are_invalid_params(dev_node):
    answer = dev_node.post({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": {"a": 1}})
    assert error_code(answer) == -32602


def test_undecodable_raw_transaction_is_refused(dev_node):
    assert error_code(dev_node.rpc("eth_sendRawTransaction", "0x1234")) == -32000


def test_huge_body_is_refused_with_413(dev_node):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "web3_sha3", "params": ["0x" + "00" * MAX_BODY_BYTES]})
    assert post_raw(dev_node, body.encode()).status_code == 413


def test_huge_batch_is_refused(dev_node):
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(MAX_BATCH + 1)]
    assert error_code(dev_node.post(batch)) == -32005


def test_empty_batch_is_invalid(dev_node):
    assert error_code(dev_node.post([])) == -32600


def test_batch_answers_each_request_on_its_own(dev_node):
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        "garbage",
    ]
    answers = dev_node.post(batch)
    assert [a.get("result") or a["error"]["code"] for a in answers] == ["0x539", -32601, -32600]


def test_notification_gets_no_answer(dev_node):
    assert dev_node.post({"jsonrpc": "2.0", "method": "eth_chainId"}) is None


# -- generated requests ------------------------------------------------------------

METHODS = [
    "eth_chainId", "eth_blockNumber", "eth_getBalance", "eth_getTransactionCount", "eth_getCode",
    "eth_getStorageAt", "eth_call", "eth_estimateGas", "eth_feeHistory", "eth_sendRawTransaction",
    "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getBlockByNumber",
    "eth_getBlockByHash", "eth_getLogs", "eth_newFilter", "eth_getFilterChanges",
    "eth_uninstallFilter", "eth_getBlockTransactionCountByNumber",
    "eth_getTransactionByBlockNumberAndIndex", "eth_getBlockReceipts", "net_version",
    "web3_sha3", "perm_addAccountsToAllowlist", "perm_reloadPermissionsFromFile", "evm_mine",
]
hex_strings = st.one_of(
    st.binary(max_size=40).map(lambda b: "0x" + b.hex()),
    st.integers(0, 2**300).map(hex),
    st.sampled_from(["latest", "pending", "earliest", "0x", "0x0", "0xzz", "", "0x" + "f" * 64]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**300) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20) | hex_strings,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["from", "to", "data", "input", "value", "gas", "address", "topics",
                         "fromBlock", "toBlock", "blockHash", "x"]), inner, max_size=4),
    max_leaves=10,
)
requests = st.fixed_dictionaries(
    {"jsonrpc": st.sampled_from(["2.0", "2.0", "2.0", "1.0"]),
     "method": st.sampled_from(METHODS) | st.text(max_size=30),
     "params": st.lists(json_values, max_size=4) | json_values},
    optional={"id": st.integers(0, 2**40) | st.text(max_size=10) | st.none()},
)


def chain_fingerprint(node, admin_token) -> tuple:
    head = node.rpc("eth_getBlockByNumber", "latest", False)["result"]
    return head["hash"], node.rpc("perm_getAccountsAllowlist", token=admin_token)["result"]


def test_generated_requests_leave_the_node_serving_and_the_chain_unchanged(operator_node, admin_token):
    before = chain_fingerprint(operator_node, admin_token)
    client = httpx.Client(timeout=30)

    @settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(requests)
    def answered_with_result_or_client_error(request):
        response = client.post(operator_node.url, json=request)
        if "id" not in request:
            assert response.content == b""  # a notification is never answered
        else:
            answer = response.json()
            assert ("result" in answer) != ("error" in answer)
            assert answer.get("error", {}).get("code") != -32603, (request, answer)

    answered_with_result_or_client_error()
    client.close()
    assert chain_fingerprint(operator_node, admin_token) == before
