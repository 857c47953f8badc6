"""Precompile inputs built from py_ecc's generators (valid points, so the work is real)."""

from __future__ import annotations

import hashlib
import struct

from py_ecc import optimized_bls12_381 as bls
from py_ecc import optimized_bn128 as bn

SCALAR = 2**256 - 1  # the largest scalar: the most work per MSM term


def word(value: int, size: int = 32) -> bytes:
    return int(value).to_bytes(size, "big")


def bn_g1(point=bn.G1) -> bytes:
    x, y = bn.normalize(point)
    return word(x.n) + word(y.n)


def bn_g2() -> bytes:
    x, y = bn.normalize(bn.G2)
    return word(x.coeffs[1]) + word(x.coeffs[0]) + word(y.coeffs[1]) + word(y.coeffs[0])  # imaginary first


def bn_pairs(count: int) -> bytes:
    """``count`` pairs (G1, G2) for ecPairing (0x08): valid input, the product is not 1."""
    return (bn_g1() + bn_g2()) * count


def bn_pairs_that_hold() -> bytes:
    """e(G1, G2) * e(-G1, G2) == 1: an honest 2-pair check that returns 1."""
    return bn_g1() + bn_g2() + bn_g1(bn.neg(bn.G1)) + bn_g2()


def bls_g1() -> bytes:
    x, y = bls.normalize(bls.G1)
    return word(x.n, 64) + word(y.n, 64)


def bls_g2() -> bytes:
    x, y = bls.normalize(bls.G2)
    return b"".join(word(c, 64) for c in (*x.coeffs, *y.coeffs))


def bls_g1_msm(terms: int) -> bytes:
    return (bls_g1() + word(SCALAR)) * terms


def bls_g2_msm(terms: int) -> bytes:
    return (bls_g2() + word(SCALAR)) * terms


def bls_pairs(count: int) -> bytes:
    return (bls_g1() + bls_g2()) * count


def blake2f(rounds: int, final: bool = True) -> bytes:
    """EIP-152 input: rounds, h, m, t, f."""
    return struct.pack(">I", rounds) + bytes(range(64)) + bytes(range(128)) + word(3, 16) + bytes([final])


def point_evaluation(z: int = 5, y: int = 0) -> bytes:
    """p = 0: commitment and proof are the G1 point at infinity, so p(z) = 0 verifies."""
    infinity = b"\xc0" + bytes(47)
    versioned_hash = b"\x01" + hashlib.sha256(infinity).digest()[1:]
    return versioned_hash + word(z) + word(y) + infinity + infinity


def static_calling(precompile: int, payload: bytes) -> bytes:
    """Creation code that STATICCALLs ``precompile`` with ``payload`` (carried after the
    code) and returns the 32-byte answer: an eth_call without `to`, or a deployment."""
    size = len(payload).to_bytes(2, "big")
    prefix_length = 23
    code = (
        b"\x61" + size + bytes([0x60, prefix_length]) + b"\x5f\x39"  # CODECOPY(0, prefix_length, size)
        + b"\x60\x20\x5f\x61" + size + b"\x5f\x60" + bytes([precompile]) + b"\x5a\xfa"  # STATICCALL(gas, p, 0, size, 0, 32)
        + b"\x50\x60\x20\x5f\xf3"  # POP; RETURN(0, 32)
    )
    assert len(code) == prefix_length
    return code + payload


def bls_g1_outside_subgroup() -> bytes:
    """A point on the G1 curve but not in its prime-order subgroup (before cofactor clearing)."""
    from py_ecc.bls.hash_to_curve import map_to_curve_G1
    from py_ecc.fields import optimized_bls12_381_FQ as FQ

    x, y = bls.normalize(map_to_curve_G1(FQ(7)))
    return word(x.n, 64) + word(y.n, 64)


def bls_g2_outside_subgroup() -> bytes:
    """A point on the G2 curve but not in its prime-order subgroup."""
    from py_ecc.bls.hash_to_curve import map_to_curve_G2
    from py_ecc.fields import optimized_bls12_381_FQ2 as FQ2

    x, y = bls.normalize(map_to_curve_G2(FQ2([1, 2])))
    return b"".join(word(c, 64) for c in (*x.coeffs, *y.coeffs))


def looping_over(precompile: int, input_size: int) -> bytes:
    """Code (run as creation code) that STATICCALLs ``precompile`` with ``input_size`` zero
    bytes of memory, over and over until its gas runs out: each call is one short unit,
    the loop is what takes long."""
    # JUMPDEST; STATICCALL(gas, precompile, 0, input_size, 0, 0); POP; JUMP(0)
    return b"\x5b\x5f\x5f\x61" + input_size.to_bytes(2, "big") + b"\x5f\x60" + bytes([precompile]) + b"\x5a\xfa\x50\x5f\x56"
