"""An anonymous client on the RPC port sending hostile bodies: each gets the standard
error, and the node keeps serving with its chain unchanged."""

import contextlib
import json
import re
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from gigledger_node.rpc import dispatch
from gigledger_node.rpc.listener import ServerLimits
from gigledger_node.rpc.subscriptions import MAX_SUBSCRIPTIONS

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


# -- slow clients and floods ------------------------------------------------------------

HALF_HEAD = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
HALF_BODY = HALF_HEAD + b"Content-Length: 100\r\n\r\n{"
BLOCK_NUMBER = b'{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}'
FULL_REQUEST = HALF_HEAD + b"Content-Length: %d\r\n\r\n" % len(BLOCK_NUMBER) + BLOCK_NUMBER
SHORT = ServerLimits(header_timeout=0.5, body_timeout=0.5, keep_alive_timeout=1, max_connections=20)


@contextlib.contextmanager
def half_sent(port: int, count: int, payload: bytes = HALF_HEAD) -> Iterator[list[socket.socket]]:
    """``count`` connections that each sent ``payload`` and then nothing; closed on exit."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(payload)
            opened.append(connection)
        yield opened
    finally:
        for connection in opened:
            connection.close()


def closed_by_server_within(connection: socket.socket, seconds: float) -> bool:
    """True when the server closes ``connection`` (EOF) within ``seconds``."""
    connection.settimeout(seconds)
    try:
        while connection.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def read_answer(connection: socket.socket) -> bytes:
    """One whole HTTP response with a JSON body, however the server splits it."""
    received = b""
    while not received.endswith(b"}"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


def block_number_answers_within(url: str, seconds: float) -> bool:
    started = time.monotonic()
    answer = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}, timeout=seconds)
    return "result" in answer.json() and time.monotonic() - started < seconds


def eventually_answers(url: str, seconds: float) -> bool:
    """eth_blockNumber is answered within ``seconds`` (refused connections retried)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            return block_number_answers_within(url, deadline - time.monotonic())
        time.sleep(0.05)
    return False


def test_300_half_sent_requests_do_not_starve_a_legitimate_client(dev_node):
    with half_sent(dev_node.port, 150, HALF_HEAD), half_sent(dev_node.port, 150, HALF_BODY):
        assert block_number_answers_within(dev_node.url, 2.0)


def test_a_half_sent_request_head_is_closed_after_the_header_timeout(limited_server):
    port = limited_server(SHORT)
    with half_sent(port, 1) as (connection,):
        assert closed_by_server_within(connection, SHORT.header_timeout + 1.5)


def test_a_body_sent_too_slowly_is_closed_after_the_body_timeout(limited_server):
    port = limited_server(SHORT)
    with half_sent(port, 1, HALF_BODY) as (connection,):
        assert closed_by_server_within(connection, SHORT.header_timeout + SHORT.body_timeout + 1.5)


def test_a_client_that_completes_its_request_in_time_is_answered(limited_server):
    port = limited_server(SHORT)
    with half_sent(port, 1, FULL_REQUEST[:40]) as (connection,):
        time.sleep(SHORT.header_timeout / 2)
        connection.sendall(FULL_REQUEST[40:])
        assert b'"result":"0x0"' in read_answer(connection)


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout(limited_server):
    port = limited_server(SHORT)
    with half_sent(port, 1, FULL_REQUEST) as (connection,):
        assert b"200 OK" in read_answer(connection)
        assert closed_by_server_within(connection, SHORT.keep_alive_timeout + 1.5)


def test_connections_past_the_cap_are_closed_at_once_and_serving_resumes(limited_server):
    port = limited_server(SHORT)
    with half_sent(port, SHORT.max_connections):
        with half_sent(port, 1, b"") as (refused,):
            assert closed_by_server_within(refused, 0.5)
        # refused while the slow ones hold every slot, answered once they are dropped
        assert eventually_answers(f"http://127.0.0.1:{port}", SHORT.header_timeout + 2.0)


def test_websocket_connections_count_towards_the_connection_cap(limited_server):
    port = limited_server(ServerLimits(max_connections=5))
    with contextlib.ExitStack() as held:
        for _ in range(5):
            held.enter_context(ws_connect(f"ws://127.0.0.1:{port}", open_timeout=5))
        with half_sent(port, 1, b"") as (refused,):
            assert closed_by_server_within(refused, 0.5)
    assert eventually_answers(f"http://127.0.0.1:{port}", 2.0)  # the slots are freed on close


def test_a_websocket_message_over_the_size_limit_closes_that_socket_only(limited_server):
    port = limited_server(ServerLimits(max_ws_message_bytes=1024))
    with ws_connect(f"ws://127.0.0.1:{port}", open_timeout=5) as ws:
        ws.send("[" + " " * 2048 + "]")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 1009  # message too big
    assert block_number_answers_within(f"http://127.0.0.1:{port}", 2.0)


def test_a_websocket_peer_that_stops_answering_pings_is_dropped(limited_server):
    port = limited_server(ServerLimits(ws_ping_interval=0.3, ws_ping_timeout=0.3))
    upgrade = (
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with half_sent(port, 1, upgrade) as (connection,):
        assert b"101" in connection.recv(4096).split(b"\r\n")[0]
        assert closed_by_server_within(connection, 3.0)  # never answered a ping


def test_subscriptions_per_connection_are_capped_and_the_existing_ones_kept(dev_socket):
    subscribed = [ws_call(dev_socket, "eth_subscribe", "newHeads") for _ in range(MAX_SUBSCRIPTIONS)]
    assert all("result" in s for s in subscribed)
    assert ws_call(dev_socket, "eth_subscribe", "newHeads")["error"]["code"] == -32602
    assert ws_call(dev_socket, "eth_unsubscribe", subscribed[0]["result"])["result"] is True


# -- any body at all ------------------------------------------------------------------

TOKENS = [
    b"[", b"]", b"{", b"}", b",", b":", b'"id"', b'"jsonrpc"', b'"2.0"', b'"method"', b'"params"',
    b'"eth_chainId"', b'"eth_getBalance"', b"NaN", b"Infinity", b"1e400", b"-0", b"1.5", b"null",
    b"true", b"123456789012345678901234567890", b'"\\ud800"', b"\xff", b" ",
]
bodies = st.lists(st.sampled_from(TOKENS), max_size=80).map(b"".join) | st.binary(max_size=100)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_body_gets_an_answer_in_strict_json_or_none(asgi_client, body):
    response = asgi_client.post("/", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    if response.content:
        answer = strict_json(response.content)
        for single in answer if isinstance(answer, list) else [answer]:
            assert single["jsonrpc"] == "2.0" and ("result" in single) != ("error" in single)
            assert single.get("error", {}).get("code") != -32603, (body, single)


def test_a_client_hanging_up_mid_body_leaves_no_traceback_in_the_log(dev_node):
    logged_before = dev_node.log_path.stat().st_size
    with half_sent(dev_node.port, 20, HALF_BODY):
        time.sleep(0.2)
    assert block_number_answers_within(dev_node.url, 2.0)  # the hang-ups have been handled
    with dev_node.log_path.open() as log:
        log.seek(logged_before)
        assert "Traceback" not in log.read()


# -- batches of heavy calls -------------------------------------------------------------


def test_a_batch_whose_answers_grow_too_large_is_cut_off_with_geths_error(asgi_client, monkeypatch, dev_accounts):
    monkeypatch.setattr(dispatch, "MAX_BATCH_RESPONSE_BYTES", 20_000)
    proof = {"jsonrpc": "2.0", "method": "eth_getProof", "params": [dev_accounts[0].address, ["0x0"] * 20, "latest"]}
    answers = asgi_client.post("/", json=[{**proof, "id": n} for n in range(50)]).json()
    assert [a["id"] for a in answers] == list(range(50))
    cut = [a for a in answers if "error" in a]
    assert cut and all(a["error"] == {"code": -32003, "message": "response too large"} for a in cut)
    assert all("result" in a for a in answers[: len(answers) - len(cut)])
