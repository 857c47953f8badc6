"""What `FickleWallet.vy` answers in each mode, as the registry must read it: the
model's word on whether a contract wallet vouches for a signature, and whether it
takes an ETH payout."""

from __future__ import annotations

from enum import IntFlag


class Mode(IntFlag):
    """The wallet's `Mode` flag, member for member."""

    VOUCHES = 1  # ERC-1271's magic value for its key's signatures, else a refusal
    VOUCHES_FOR_ANYTHING = 2
    REFUSES = 4
    REVERTS = 8
    ANSWERS_GARBAGE = 16
    ANSWERS_RIGHT_ALIGNED = 32  # the magic value as a uint256 would carry it
    ECHOES_CALLDATA = 64  # the selector (the magic value) and the digest's first 28 bytes
    BURNS_GAS = 128


# Modes whose answer is not ERC-1271's magic value word, whatever was signed.
HOSTILE = (
    Mode.REFUSES, Mode.REVERTS, Mode.ANSWERS_GARBAGE, Mode.ANSWERS_RIGHT_ALIGNED, Mode.ECHOES_CALLDATA, Mode.BURNS_GAS,
)


def vouches(mode: Mode, signed_by_key: bool) -> bool:
    """Whether the wallet's answer, read as ERC-1271 says, is the magic value:
    `signed_by_key` is whether the wallet's key signed exactly what was submitted."""
    if mode == Mode.VOUCHES:
        return signed_by_key
    return mode == Mode.VOUCHES_FOR_ANYTHING


def rejects_eth(mode: Mode) -> bool:
    """A reverting or gas-burning wallet is a hostile payee too."""
    return mode in (Mode.REVERTS, Mode.BURNS_GAS)
