"""The deadline-checking precompiles (chain/precompiles.py) give py-evm's answers.

Each is run beside the py-evm precompile Prague would otherwise use, on valid and
invalid input: the same output, the same gas, the same error. And with a deadline
already passed, each stops before its first unit of work.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth._utils.address import force_bytes_to_address
from eth.exceptions import VMError
from eth.vm.forks.prague.computation import PragueComputation

from gigledger_node.chain import precompiles
from gigledger_node.chain.deadline import NO_DEADLINE, Deadline, DeadlinePassed
from gigledger_node.chain.precompiles import BOUNDED_PRECOMPILES

from .curve_inputs import (
    blake2f,
    bls_g1,
    bls_g1_msm,
    bls_g1_outside_subgroup,
    bls_g2,
    bls_g2_msm,
    bls_g2_outside_subgroup,
    bls_pairs,
    bn_g1,
    bn_g2,
    bn_pairs,
    bn_pairs_that_hold,
    point_evaluation,
    word,
)

BN_MODULUS = 0x30644E72E131A029B85045B68181585D97816A916871CA8D3C208C16D87CFD47
BLS_MODULUS_BYTES = bytes.fromhex(
    "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab"
).rjust(64, b"\0")
NOT_ON_CURVE_BN = word(1) + word(3)
NOT_ON_CURVE_BLS = word(1, 64) + word(3, 64)

CASES: dict[int, dict[str, bytes]] = {
    0x08: {
        "no pairs": b"",
        "one pair": bn_pairs(1),
        "two pairs that hold": bn_pairs_that_hold(),
        "G1 and G2 at infinity": bytes(192),
        "length not a multiple of 192": bn_pairs(1)[:-1],
        "G1 not on the curve": NOT_ON_CURVE_BN + bn_g2(),
        "G2 coordinate past the field": bn_g1() + word(BN_MODULUS) + bn_g2()[32:],
        "G2 not on the curve": bn_g1() + word(1) + bn_g2()[32:],
        "second pair invalid": bn_pairs(1) + NOT_ON_CURVE_BN + bn_g2(),
    },
    0x09: {
        "no rounds": blake2f(0),
        "12 rounds": blake2f(12),
        "1500 rounds, not final": blake2f(1500, final=False),
        "short input": blake2f(12)[:-1],
        "final flag not 0 or 1": blake2f(12)[:-1] + b"\x02",
    },
    0x0A: {
        "valid proof": point_evaluation(),
        "wrong value": point_evaluation(y=1),
        "commitment not the versioned hash's": b"\x02" + point_evaluation()[1:],
        "short input": point_evaluation()[:-1],
        "z past the BLS modulus": point_evaluation(z=2**256 - 1),
    },
    0x0C: {
        "one term": bls_g1_msm(1),
        "two terms": bls_g1_msm(2),
        "zero scalar and infinity": bytes(128) + word(5) + bls_g1() + word(0),
        "empty": b"",
        "length not a multiple of 160": bls_g1_msm(1)[:-1],
        "coordinate past the field": BLS_MODULUS_BYTES + bls_g1()[64:] + word(1),
        "not on the curve": NOT_ON_CURVE_BLS + word(1),
        "outside the subgroup": bls_g1_msm(1) + bls_g1_outside_subgroup() + word(1),
    },
    0x0E: {
        "one term": bls_g2_msm(1),
        "empty": b"",
        "length not a multiple of 288": bls_g2_msm(1)[:-1],
        "not on the curve": bls_g2()[:128] + word(3, 64) * 2 + word(1),
        "outside the subgroup": bls_g2_outside_subgroup() + word(1),
    },
    0x0F: {
        "one pair": bls_pairs(1),
        "infinity pairs": bytes(384 * 2),
        "empty": b"",
        "length not a multiple of 384": bls_pairs(1)[:-1],
        "G1 outside the subgroup": bls_g1_outside_subgroup() + bls_g2(),
        "G2 outside the subgroup": bls_g1() + bls_g2_outside_subgroup(),
        "G2 not on the curve": bls_g1() + word(1, 64) * 4,
    },
}


class _Message:
    def __init__(self, data: bytes) -> None:
        self.data = self.data_as_bytes = data


class _State:
    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline


class _Computation:
    """What a precompile touches of a py-evm computation."""

    def __init__(self, data: bytes, deadline: Deadline = NO_DEADLINE) -> None:
        self.msg = _Message(data)
        self.state = _State(deadline)
        self.gas = 0
        self.output = b""

    def consume_gas(self, amount: int, reason: str | None = None) -> None:
        self.gas += amount


def _outcome(precompile: Any, data: bytes) -> tuple[bytes, int, str | None]:
    computation = _Computation(data)
    try:
        precompile(computation)
    except VMError as error:
        return computation.output, computation.gas, f"{type(error).__name__}: {error}"
    return computation.output, computation.gas, None


@pytest.fixture(autouse=True)
def pyevm_setup_loaded_once(monkeypatch):
    """py-evm loads the KZG setup on every call (seconds each): give it the cached one."""
    from eth.precompiles import point_evaluation

    monkeypatch.setattr(point_evaluation, "load_trusted_setup", lambda *_: precompiles.kzg_trusted_setup())


@pytest.mark.parametrize(
    "address, case", [(address, case) for address, cases in CASES.items() for case in cases], ids=lambda v: f"{v:#x}" if isinstance(v, int) else v
)
def test_the_bounded_precompile_answers_as_py_evm(address, case):
    key = force_bytes_to_address(bytes([address]))
    data = CASES[address][case]
    ours = _outcome(BOUNDED_PRECOMPILES[key], data)
    assert ours == _outcome(PragueComputation.get_precompiles()[key], data)


def test_every_bounded_precompile_is_compared():
    assert {force_bytes_to_address(bytes([a])) for a in CASES} == set(BOUNDED_PRECOMPILES)


INTERRUPTIBLE = {  # point evaluation (0x0a) is one 1 ms unit once its setup is loaded
    0x08: CASES[0x08]["one pair"],
    0x09: CASES[0x09]["12 rounds"],
    0x0C: CASES[0x0C]["one term"],
    0x0E: CASES[0x0E]["one term"],
    0x0F: CASES[0x0F]["one pair"],
}


@pytest.mark.parametrize("address", INTERRUPTIBLE, ids=hex)
def test_a_bounded_precompile_stops_before_its_first_unit_once_the_deadline_passed(address):
    key = force_bytes_to_address(bytes([address]))
    with pytest.raises(DeadlinePassed):
        BOUNDED_PRECOMPILES[key](_Computation(INTERRUPTIBLE[address], Deadline(0.0, 1.0)))
