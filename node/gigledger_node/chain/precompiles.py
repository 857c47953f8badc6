"""py-evm's expensive precompiles, stopping at their state's deadline between units of work.

py-evm computes precompiles in pure Python (py_ecc, a Python BLAKE2), priced by
EIP-1108, EIP-2537 and EIP-152 for native code. Measured one at a time on the
2-core dev machine (under load from other work, so upper-range figures):

=====================  ===========================  ====================  ===========
precompile             unit of work                 seconds per unit      Mgas/s
=====================  ===========================  ====================  ===========
0x08 ecPairing         one pair (+ one final exp.)  0.33 (+ 0.3)          0.11-0.12
0x0c BLS12 G1 MSM      one term (subgroup check)    0.054                 0.14-0.22
0x0e BLS12 G2 MSM      one term (subgroup check)    0.25                  0.07-0.10
0x0f BLS12 pairing     one pair (with final exp.)   0.7                   0.055-0.075
0x09 BLAKE2 F          one round                    0.000011              0.08-0.09
0x0a point evaluation  loading the trusted setup    2.7-5, every call     0.01-0.02
=====================  ===========================  ====================  ===========

against millions of gas a second for ordinary opcodes. Within the 50M gas of an
eth_call that is minutes of one request holding the GIL (1,000 pairing pairs:
~6 min), and within a block's 30M gas minutes of nobody's transaction being
mined. So these are re-implemented here around py-evm's own per-unit functions
(the same validation, arithmetic and errors in the same order, so the same
output, gas and failures; tests/node/test_precompiles.py compares them with
py-evm's on valid and invalid input), with a deadline check before every unit:
a cut-off message overruns its budget by at most one unit. Point evaluation
instead loads the KZG trusted setup once, not on every call (py-evm's
``load_trusted_setup`` per call is the whole cost; the proof check takes 1 ms).

The others are left to py-evm. ecAdd (0.1 ms), ecMul (19 ms), BLS12 G1/G2 add
(0.4 / 2 ms), map to G1 (5 ms) and G2 (0.2 s), ecrecover and the hashes are one
short unit per call, and repeating them takes a loop in the caller, whose jumps
check the deadline. Modexp runs in CPython's ``pow`` at 3-30M gas a second, no
worse than ordinary code, but a call is one uninterruptible unit: near the 50M
gas cap up to ~2.7 s (a 6,000-byte modulus and a 256-bit exponent), or ~1.7 s
for a 16M-bit exponent over a 1-byte modulus (5.3M gas, its 2 MB of input paid
as calldata or memory). Such a call overruns its budget by that much, no more.

Results never depend on the deadline: a message either completes exactly as in
py-evm or raises DeadlinePassed and is thrown away whole (deadline.py). Blocks
are imported with no deadline, and a sealed block never holds a transaction
that was cut off, so re-importing sealed blocks through py-evm is unaffected.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable
from typing import Any

from ckzg import load_trusted_setup, verify_kzg_proof
from eth._utils.address import force_bytes_to_address
from eth._utils.blake2.coders import extract_blake2b_parameters
from eth._utils.padding import pad32
from eth.abc import ComputationAPI
from eth.exceptions import VMError
from eth.precompiles.blake2 import GAS_COST_PER_ROUND
from eth.precompiles.bls12_381 import bls12_381_g1 as g1
from eth.precompiles.bls12_381 import bls12_381_g2 as g2
from eth.precompiles.bls12_381.bls12_381_pairing import (
    FQ12,
    bls12_multiply_optimized,
    bytes_to_g1_optimized_point3D,
    bytes_to_g2_optimized_point3D,
    curve_order,
    is_inf,
    pairing,
)
from eth.precompiles.ecpairing import _process_point, bn128
from eth.precompiles.point_evaluation import TRUSTED_SETUP_PATH, kzg_to_versioned_hash
from eth.vm.forks.cancun.constants import BLS_MODULUS, FIELD_ELEMENTS_PER_BLOB, POINT_EVALUATION_PRECOMPILE_GAS
from eth.vm.forks.istanbul.constants import GAS_ECPAIRING_BASE, GAS_ECPAIRING_PER_POINT
from eth.vm.forks.prague import constants as prague
from eth_typing import Address
from eth_utils import ValidationError

from gigledger_node.chain.deadline import deadline_of

Precompile = Callable[[ComputationAPI], Any]

BN_PAIR_LENGTH = 192
BLS_PAIR_LENGTH = 384
BLAKE2_ROUNDS_PER_CHECK = 1024  # ~11 ms of rounds


def ecpairing(computation: ComputationAPI) -> ComputationAPI:
    """0x08 (EIP-197, EIP-1108 prices): py-evm's ``ecpairing``, one deadline check per pair."""
    data = computation.msg.data
    if len(data) % BN_PAIR_LENGTH:
        raise VMError("Invalid ECPAIRING parameters")
    pairs = len(data) // BN_PAIR_LENGTH
    computation.consume_gas(GAS_ECPAIRING_BASE + pairs * GAS_ECPAIRING_PER_POINT, reason="ECPAIRING Precompile")
    deadline = deadline_of(computation)
    exponent = bn128.FQ12.one()
    try:
        for start in range(0, len(data), BN_PAIR_LENGTH):
            deadline.check()
            exponent = _process_point(data[start : start + BN_PAIR_LENGTH], exponent)
    except ValidationError as error:
        raise VMError("Invalid ECPAIRING parameters") from error
    deadline.check()
    holds = bn128.final_exponentiate(exponent) == bn128.FQ12.one()
    computation.output = pad32(b"\x01" if holds else b"\x00")
    return computation


def bls12_g1_msm(computation: ComputationAPI) -> None:
    """0x0c (EIP-2537): py-evm's ``bls12_g1_msm``, one deadline check per term."""
    data = computation.msg.data_as_bytes
    if len(data) == 0 or len(data) % g1.MSM_LEN_PER_PAIR != 0:
        raise VMError("Length of data must be a multiple of 128 bytes for BLS12_G1MSM")
    k = len(data) // g1.MSM_LEN_PER_PAIR
    discount = g1.G1_MSM_DISCOUNTS[k - 1] if k <= 128 else g1.G1_MSM_MAX_DISCOUNT
    computation.consume_gas(k * g1.BLS12_G1_MSM_GAS * discount // g1.MSM_MULTIPLIER, reason="BLS12_G1MSM gas")
    result = _msm(data, g1.MSM_LEN_PER_PAIR, g1.decode_g1_scalar_pair, g1, deadline_of(computation).check)
    computation.output = g1.g1_optimized_3d_to_bytes(result)


def bls12_g2_msm(computation: ComputationAPI) -> None:
    """0x0e (EIP-2537): py-evm's ``bls12_g2_msm``, one deadline check per term."""
    data = computation.msg.data_as_bytes
    if len(data) == 0 or len(data) % g2.MSM_LEN_PER_PAIR != 0:
        raise VMError("Length of data must be a multiple of 288 bytes for G2 multi-scalar multiplication")
    k = len(data) // g2.MSM_LEN_PER_PAIR
    discount = g2.G2_MSM_DISCOUNTS[k - 1] if k <= 128 else g2.G2_MSM_MAX_DISCOUNT
    computation.consume_gas(k * g2.BLS12_G2_MSM_GAS * discount // g2.MSM_MULTIPLIER, "BLS12_G2MSM gas")
    result = _msm(data, g2.MSM_LEN_PER_PAIR, g2.decode_G2_scalar_pair, g2, deadline_of(computation).check)
    computation.output = g2.g2_optimized_3d_to_bytes(result)


def _msm(data: bytes, term_length: int, decode: Callable[[bytes], Any], curve: Any, check: Callable[[], None]) -> Any:
    """The sum of point_i * scalar_i over ``data``'s terms, py-evm's loop (``curve`` is
    its g1 or g2 module, for its add and multiply)."""
    result = None
    for start in range(0, len(data), term_length):
        check()
        point, scalar = decode(data[start : start + term_length])
        product = curve.bls12_multiply_optimized(point, scalar)
        result = product if result is None else curve.bls12_add_optimized(result, product)
    return result


def bls12_pairing_check(computation: ComputationAPI) -> None:
    """0x0f (EIP-2537): py-evm's ``bls12_pairing_check``, one deadline check per pair."""
    data = computation.msg.data_as_bytes
    if len(data) == 0 or len(data) % BLS_PAIR_LENGTH != 0:
        raise VMError("Length of data must be a multiple of 384 bytes for BLS12_PAIRING_CHECK")
    k = len(data) // BLS_PAIR_LENGTH
    computation.consume_gas(32600 * k + 37700, "BLS12_PAIRING_CHECK gas")
    deadline = deadline_of(computation)
    result = FQ12.one()
    for g1_start in range(0, len(data), BLS_PAIR_LENGTH):
        deadline.check()
        g1_point: Any = bytes_to_g1_optimized_point3D(data[g1_start : g1_start + 128])  # None never: it raises
        if not is_inf(bls12_multiply_optimized(g1_point, curve_order)):
            raise VMError("Sub-group check failed for G1 point.")
        g2_point: Any = bytes_to_g2_optimized_point3D(data[g1_start + 128 : g1_start + BLS_PAIR_LENGTH])
        if not is_inf(bls12_multiply_optimized(g2_point, curve_order)):
            raise VMError("Sub-group check failed for G2 point.")
        result *= pairing(g2_point, g1_point)
    computation.output = b"\x00" * 31 + b"\x01" if result == FQ12.one() else b"\x00" * 32


def blake2b_fcompress(computation: ComputationAPI) -> ComputationAPI:
    """0x09 (EIP-152): py-evm's ``blake2b_fcompress``, a deadline check every
    BLAKE2_ROUNDS_PER_CHECK rounds (a round is 1 gas and 11 us: 50M gas is 9 min)."""
    try:
        parameters = extract_blake2b_parameters(computation.msg.data_as_bytes)
    except ValidationError as exc:
        raise VMError(f"Blake2b input parameter validation failure: {exc}") from exc
    num_rounds = parameters[0]
    computation.consume_gas(
        GAS_COST_PER_ROUND * num_rounds, reason=f"Blake2b Compress Precompile w/ {num_rounds} rounds"
    )
    computation.output = blake2b_compress(*parameters, check=deadline_of(computation).check)
    return computation


_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)
_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)
_MASK = 2**64 - 1
_MIXES = ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
          (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14))


def blake2b_compress(
    num_rounds: int, h: tuple[int, ...], block: tuple[int, ...] | bytes, t: tuple[int, int], final: bool,
    check: Callable[[], None] = lambda: None,
) -> bytes:
    """RFC 7693's F, as py-evm's ``eth._utils.blake2.compression.blake2b_compress``
    (Larry Bugbee's blake2_py, ISC licence), with ``check()`` every
    BLAKE2_ROUNDS_PER_CHECK rounds."""
    m = block if isinstance(block, tuple) else struct.unpack_from("<16Q", bytes(block))
    v = [*h, *_IV[:4], t[0] ^ _IV[4], t[1] ^ _IV[5], (_MASK ^ _IV[6]) if final else _IV[6], _IV[7]]
    for r in range(num_rounds):
        if r % BLAKE2_ROUNDS_PER_CHECK == 0:
            check()
        s = _SIGMA[r % 10]
        for i, (a, b, c, d) in enumerate(_MIXES):
            x, y = m[s[2 * i]], m[s[2 * i + 1]]
            va = (v[a] + v[b] + x) & _MASK
            w = v[d] ^ va
            vd = (w >> 32) | (w << 32) & _MASK
            vc = (v[c] + vd) & _MASK
            w = v[b] ^ vc
            vb = (w >> 24) | (w << 40) & _MASK
            va = (va + vb + y) & _MASK
            w = vd ^ va
            vd = (w >> 16) | (w << 48) & _MASK
            vc = (vc + vd) & _MASK
            w = vb ^ vc
            v[a], v[b], v[c], v[d] = va, (w >> 63) | (w << 1) & _MASK, vc, vd
    return struct.pack("<8Q", *(h[i] ^ v[i] ^ v[i + 8] for i in range(8)))


@functools.cache
def kzg_trusted_setup() -> Any:
    """The KZG trusted setup py-evm's point evaluation uses, loaded once (2.7-5 s here,
    holding the GIL; the first point evaluation of the process pays it)."""
    return load_trusted_setup(TRUSTED_SETUP_PATH, 0)


def point_evaluation_precompile(computation: ComputationAPI) -> ComputationAPI:
    """0x0a (EIP-4844): py-evm's ``point_evaluation_precompile``, with the trusted
    setup loaded once instead of on every call."""
    computation.consume_gas(POINT_EVALUATION_PRECOMPILE_GAS, reason="Point Evaluation Precompile")
    data = computation.msg.data_as_bytes
    if len(data) != 192:
        raise VMError("Point evaluation invalid input length.")
    versioned_hash, z, y, commitment, proof = data[:32], data[32:64], data[64:96], data[96:144], data[144:192]
    if kzg_to_versioned_hash(commitment) != versioned_hash:
        raise VMError("Point evaluation commitment does not match versioned hash.")
    try:
        verified = verify_kzg_proof(commitment, z, y, proof, kzg_trusted_setup())
    except RuntimeError:  # the C code's way of failing on malformed points
        verified = False
    if not verified:
        raise VMError("Point evaluation KZG proof verification failed.")
    computation.output = FIELD_ELEMENTS_PER_BLOB.to_bytes(32, "big") + BLS_MODULUS.to_bytes(32, "big")
    return computation


BOUNDED_PRECOMPILES: dict[Address, Precompile] = {
    force_bytes_to_address(b"\x08"): ecpairing,
    force_bytes_to_address(b"\x09"): blake2b_fcompress,
    force_bytes_to_address(b"\x0a"): point_evaluation_precompile,
    force_bytes_to_address(prague.BLS12_G1MSM_PRECOMPILE_ADDRESS): bls12_g1_msm,
    force_bytes_to_address(prague.BLS12_G2MSM_PRECOMPILE_ADDRESS): bls12_g2_msm,
    force_bytes_to_address(prague.BLS12_PAIRING_CHECK_PRECOMPILE_ADDRESS): bls12_pairing_check,
}
