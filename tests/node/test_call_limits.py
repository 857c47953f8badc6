"""eth_call and eth_estimateGas cannot stall the node: gas is capped, time is budgeted,
and while a call runs the node keeps answering and sealing.

The adversary is anyone who may call: `gas: 2**64` on code that never stops.
"""

import threading
import time

from .conftest import CALL_GAS_CAP, CALL_TIMEOUT_SECONDS, NodeProcess

# Creation code, run by a call without `to`:
RETURN_GAS_LEFT = "0x5a60005260206000f3"  # GAS PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
LOOP_FOREVER = "0x5b600056"  # JUMPDEST PUSH1 0 JUMP
HUGE_GAS = hex(2**64)
TIMEOUT_ERROR = f"execution aborted (timeout = {CALL_TIMEOUT_SECONDS}s)"
SLACK_SECONDS = 1.5


def _call(node: NodeProcess, method: str, data: str, **fields) -> dict:
    return node.rpc(method, {"from": "0x" + "11" * 20, "data": data, "gas": HUGE_GAS, **fields}, "latest")


def test_call_gas_above_the_cap_runs_with_the_cap(call_limited_node):
    answer = _call(call_limited_node, "eth_call", RETURN_GAS_LEFT)
    gas_left = int(answer["result"], 16)
    assert CALL_GAS_CAP - 100_000 < gas_left < CALL_GAS_CAP


def test_estimate_with_gas_above_the_cap_searches_under_the_cap(call_limited_node):
    answer = _call(call_limited_node, "eth_estimateGas", RETURN_GAS_LEFT)
    assert 53_000 < int(answer["result"], 16) < 100_000


def test_a_looping_call_is_aborted_with_geths_timeout_error(call_limited_node):
    started = time.monotonic()
    answer = _call(call_limited_node, "eth_call", LOOP_FOREVER)
    assert answer["error"] == {"code": -32000, "message": TIMEOUT_ERROR}
    assert time.monotonic() - started < CALL_TIMEOUT_SECONDS + SLACK_SECONDS


def test_a_looping_estimate_is_aborted_with_geths_timeout_error(call_limited_node):
    started = time.monotonic()
    answer = _call(call_limited_node, "eth_estimateGas", LOOP_FOREVER)
    assert answer["error"] == {"code": -32000, "message": TIMEOUT_ERROR}
    assert time.monotonic() - started < CALL_TIMEOUT_SECONDS + SLACK_SECONDS


def test_the_node_answers_and_seals_while_a_call_loops(call_limited_node, dev_accounts, transfer):
    looping = threading.Thread(target=_call, args=(_own_connection(call_limited_node), "eth_call", LOOP_FOREVER))
    looping.start()
    time.sleep(0.2)
    try:
        started = time.monotonic()
        assert "result" in call_limited_node.rpc("eth_blockNumber")
        assert time.monotonic() - started < 0.5
        nonce = int(call_limited_node.rpc("eth_getTransactionCount", dev_accounts[1].address, "pending")["result"], 16)
        tx_hash = call_limited_node.rpc("eth_sendRawTransaction", "0x" + transfer(dev_accounts[1], nonce).hex())["result"]
        receipt = call_limited_node.wait_for_receipt(tx_hash, timeout=CALL_TIMEOUT_SECONDS)
        assert receipt["status"] == "0x1"
        assert looping.is_alive(), "the call ended before the transfer was mined: the test proved nothing"
    finally:
        looping.join(CALL_TIMEOUT_SECONDS + SLACK_SECONDS)


def _own_connection(node: NodeProcess) -> NodeProcess:
    return node.own_connection()
