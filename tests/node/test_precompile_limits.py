"""eth_call and eth_estimateGas cannot spend their time budget inside a precompile.

py-evm's pairings, MSMs and BLAKE2 are pure Python, priced for native code: within
the gas cap, one call could hold the node for minutes. Each attack below would run
~7 s with these inputs (chosen to stay short on an unfixed node) against the
fixture's 2 s budget; it must be cut off with geth's timeout error within the budget
and one unit of work.
"""

import time

import pytest

from .conftest import CALL_TIMEOUT_SECONDS, NodeProcess
from .curve_inputs import (
    blake2f,
    bls_g1_msm,
    bls_g2_msm,
    bls_pairs,
    bn_pairs,
    bn_pairs_that_hold,
    looping_over,
    static_calling,
)

TIMEOUT_ERROR = f"execution aborted (timeout = {CALL_TIMEOUT_SECONDS}s)"
SLACK_SECONDS = 1.5
ATTACKS = {  # precompile address: input of ~7 s of py-evm work
    0x08: bn_pairs(20),
    0x09: blake2f(600_000),
    0x0C: bls_g1_msm(130),
    0x0E: bls_g2_msm(28),
    0x0F: bls_pairs(10),
}


def _call(node: NodeProcess, method: str, **fields) -> tuple[dict, float]:
    started = time.monotonic()
    answer = node.rpc(method, {"from": "0x" + "11" * 20, "gas": hex(30_000_000), **fields}, "latest")
    return answer, time.monotonic() - started


def _address(precompile: int) -> str:
    return "0x" + precompile.to_bytes(20, "big").hex()


@pytest.mark.parametrize("precompile", ATTACKS, ids=hex)
def test_a_call_to_a_slow_precompile_is_aborted_within_the_budget(call_limited_node, precompile):
    answer, seconds = _call(call_limited_node, "eth_call", to=_address(precompile), data="0x" + ATTACKS[precompile].hex())
    assert answer.get("error") == {"code": -32000, "message": TIMEOUT_ERROR}
    assert seconds < CALL_TIMEOUT_SECONDS + SLACK_SECONDS


def test_a_staticcall_to_the_pairing_precompile_is_aborted_within_the_budget(call_limited_node):
    answer, seconds = _call(call_limited_node, "eth_call", data="0x" + static_calling(0x08, bn_pairs(20)).hex())
    assert answer.get("error") == {"code": -32000, "message": TIMEOUT_ERROR}
    assert seconds < CALL_TIMEOUT_SECONDS + SLACK_SECONDS


def test_a_loop_over_a_short_precompile_is_aborted_within_the_budget(call_limited_node):
    """BLS12 map to G2 (0x11): one call is 0.2 s for 23,800 gas; the loop's jumps check the deadline."""
    answer, seconds = _call(call_limited_node, "eth_call", data="0x" + looping_over(0x11, 128).hex())
    assert answer.get("error") == {"code": -32000, "message": TIMEOUT_ERROR}
    assert seconds < CALL_TIMEOUT_SECONDS + SLACK_SECONDS


def test_an_estimate_of_a_slow_pairing_is_aborted_within_the_budget(call_limited_node):
    answer, seconds = _call(call_limited_node, "eth_estimateGas", data="0x" + static_calling(0x08, bn_pairs(20)).hex())
    assert answer.get("error") == {"code": -32000, "message": TIMEOUT_ERROR}
    assert seconds < CALL_TIMEOUT_SECONDS + SLACK_SECONDS


def test_an_honest_two_pair_pairing_check_answers_true_within_the_default_budget(dev_node):
    answer, _ = _call(dev_node, "eth_call", data="0x" + static_calling(0x08, bn_pairs_that_hold()).hex())
    assert answer.get("result") == "0x" + "00" * 31 + "01"
