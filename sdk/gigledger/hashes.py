"""bytes32 values the contracts take: terms, deliverable and evidence hashes."""

from __future__ import annotations

from eth_utils import keccak

ZERO_HASH = "0x" + "00" * 32


def as_bytes32(value: str | bytes | None) -> str:
    """A bytes32 given as 32 bytes or 0x-hex, as lowercase 0x-hex; None is zero."""
    if value is None:
        return ZERO_HASH
    raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}: pass a hash, or use hash_content()")
    return "0x" + raw.hex()


def hash_content(content: str | bytes) -> str:
    """The keccak256 of a document (text is UTF-8 encoded), to commit to it on chain."""
    data = content.encode() if isinstance(content, str) else content
    return "0x" + keccak(data).hex()
