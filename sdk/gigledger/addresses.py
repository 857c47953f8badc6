"""Addresses as people type them: checked, so a typo is refused rather than paid to."""

from __future__ import annotations

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address


class InvalidAddress(ValueError):
    """Not an address, or a mixed-case address whose EIP-55 checksum is wrong."""


def checked_address(text: str) -> str:
    """`text` as a checksummed address.

    All lower or all upper case is taken as is; mixed case must carry a valid
    EIP-55 checksum, since a mixed-case typo is exactly what it catches.
    """
    if not is_hex_address(text):
        raise InvalidAddress(f"{text!r} is not an address (expected 0x followed by 40 hex digits)")
    digits = text[2:]
    if digits not in (digits.lower(), digits.upper()) and not is_checksum_address(text):
        raise InvalidAddress(f"{text} has a wrong EIP-55 checksum (a typo?); check it, or give it in lower case")
    return to_checksum_address(text)
