"""An anonymous client on the RPC port sending hostile bodies: each gets the standard
error, and the node keeps serving with its chain unchanged."""

import json
import re

import httpx
import pytest

from .conftest import FILTER_CAP, FILTER_TIMEOUT, ws_call

DEEP = 100_000  # about 200 KB of brackets


def post_raw(node, body: bytes) -> httpx.Response:
    return node.client.post(node.url, content=body, headers={"Content-Type": "application/json"})


def strict_json(text: str | bytes):
    """json.loads that refuses NaN/Infinity, as any non-Python client does."""

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def head_hash(node) -> str:
    return node.rpc("eth_getBlockByNumber", "latest", False)["result"]["hash"]


def deep_array(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_request(depth: int) -> bytes:
    """A well-formed request whose params nest ``depth`` levels deep."""
    return b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":' + deep_array(depth) + b"}"


# -- bounded-depth parsing ---------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [deep_array(DEEP), deep_request(DEEP), b'{"a":' * DEEP + b"1" + b"}" * DEEP],
    ids=["array", "params", "object"],
)
def test_deeply_nested_http_body_is_a_parse_error_and_the_node_keeps_serving(dev_node, body):
    before = head_hash(dev_node)
    answer = strict_json(post_raw(dev_node, body).content)
    assert answer["error"]["code"] == -32700 and answer["id"] is None
    assert head_hash(dev_node) == before


def test_deeply_nested_websocket_message_is_a_parse_error_and_the_socket_keeps_serving(dev_node, dev_socket):
    before = head_hash(dev_node)
    dev_socket.send(deep_request(DEEP).decode())
    answer = strict_json(dev_socket.recv(timeout=10))
    assert answer["error"]["code"] == -32700 and answer["id"] is None
    assert ws_call(dev_socket, "eth_chainId")["result"] == hex(1337)
    assert head_hash(dev_node) == before


def test_nesting_within_the_limit_is_parsed(dev_node):
    answer = post_raw(dev_node, deep_request(1000)).json()
    assert answer["error"]["code"] == -32602  # parsed, then refused: eth_chainId takes no params


# -- request ids ---------------------------------------------------------------------


@pytest.mark.parametrize("raw_id", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_an_id_json_cannot_carry_is_a_parse_error_answered_in_valid_json(dev_node, raw_id):
    body = b'{"jsonrpc":"2.0","id":' + raw_id + b',"method":"eth_chainId"}'
    answer = strict_json(post_raw(dev_node, body).content)
    assert answer["error"]["code"] == -32700 and answer["id"] is None


@pytest.mark.parametrize("bad_id", [{"a": 1}, [1], True])
def test_an_id_that_is_not_a_string_number_or_null_is_an_invalid_request(dev_node, bad_id):
    answer = dev_node.post({"jsonrpc": "2.0", "id": bad_id, "method": "eth_chainId"})
    assert answer["error"]["code"] == -32600 and answer["id"] is None


@pytest.mark.parametrize("good_id", ["abc", 7, 1.5, None, 2**63])
def test_string_number_and_null_ids_are_echoed(dev_node, good_id):
    answer = dev_node.post({"jsonrpc": "2.0", "id": good_id, "method": "eth_chainId"})
    assert answer == {"jsonrpc": "2.0", "id": good_id, "result": hex(1337)}


# -- undecodable transactions ---------------------------------------------------------


@pytest.mark.parametrize("raw", ["0xc0", "0x02c0", "0x04c0", "0xc180", "0x01", "0x7f"])
def test_undecodable_raw_transaction_is_geths_rlp_error_not_an_internal_error(dev_node, raw):
    before = head_hash(dev_node)
    error = dev_node.rpc("eth_sendRawTransaction", raw)["error"]
    assert error["code"] == -32000 and error["message"].startswith("rlp: ")
    assert head_hash(dev_node) == before and dev_node.rpc("txpool_status")["result"]["pending"] == "0x0"


# -- filters ------------------------------------------------------------------------

FILTER_NOT_FOUND = {"code": -32000, "message": "filter not found"}


def test_filter_ids_are_random_128_bit_values(filter_rpc):
    ids = [filter_rpc("eth_newBlockFilter")["result"] for _ in range(FILTER_CAP)]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"0x[0-9a-f]{32}", i) for i in ids)
    assert not any(int(i, 16) < 2**64 for i in ids)  # not a counter: 0x1, 0x2, ...


@pytest.mark.parametrize("method", ["eth_getFilterChanges", "eth_getFilterLogs"])
@pytest.mark.parametrize("guess", ["0x1", "0x2", "0x0", 1, None, {"id": "0x1"}])
def test_a_guessed_filter_id_is_geths_filter_not_found(filter_rpc, method, guess):
    filter_rpc("eth_newFilter", {})
    filter_rpc("eth_newBlockFilter")
    assert filter_rpc(method, guess)["error"] == FILTER_NOT_FOUND


def test_a_guessed_filter_id_cannot_uninstall_anothers_filter(filter_rpc):
    victim = filter_rpc("eth_newBlockFilter")["result"]
    assert [filter_rpc("eth_uninstallFilter", hex(n))["result"] for n in range(1, 50)] == [False] * 49
    assert filter_rpc("eth_getFilterChanges", victim)["result"] == []


def test_a_filter_not_polled_within_the_timeout_expires(filter_rpc, clock):
    filter_id = filter_rpc("eth_newBlockFilter")["result"]
    clock.advance(FILTER_TIMEOUT + 1)
    assert filter_rpc("eth_getFilterChanges", filter_id)["error"] == FILTER_NOT_FOUND


def test_each_poll_restarts_a_filters_timeout(filter_rpc, clock):
    filter_id = filter_rpc("eth_newBlockFilter")["result"]
    for _ in range(3):
        clock.advance(FILTER_TIMEOUT * 0.9)
        assert filter_rpc("eth_getFilterChanges", filter_id)["result"] == []


def test_a_flood_of_new_filters_is_refused_and_evicts_no_one(filter_rpc):
    victim = filter_rpc("eth_newFilter", {})["result"]
    answers = [filter_rpc("eth_newFilter", {}) for _ in range(1000)]
    assert sum("result" in a for a in answers) == FILTER_CAP - 1
    assert {a["error"]["code"] for a in answers if "error" in a} == {-32005}
    assert filter_rpc("eth_getFilterChanges", victim)["result"] == []


def test_expired_filters_free_their_slots(filter_rpc, clock):
    for _ in range(FILTER_CAP):
        filter_rpc("eth_newBlockFilter")
    clock.advance(FILTER_TIMEOUT + 1)
    assert "result" in filter_rpc("eth_newBlockFilter")
