"""What an auditor trusts: a pinned genesis hash, and optionally a checkpoint.

Everything else (the authority set, every header, every log and balance) is
believed only once it hashes up to this anchor. The genesis hash comes from a
flag, the GIGLEDGER_GENESIS_HASH environment variable, or the deployment
manifest the auditor holds; a checkpoint `number:hash` lets a long chain be
verified from a block the auditor has seen before instead of from genesis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The environment variable holding the pinned genesis hash.
GENESIS_HASH_ENV = "GIGLEDGER_GENESIS_HASH"

_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


class AnchorError(ValueError):
    """A genesis hash or checkpoint that is not well formed, or missing."""


def checked_hash(text: str, what: str) -> str:
    """``text`` as a 0x-prefixed lowercase 32-byte hash; AnchorError naming ``what`` otherwise."""
    if not _HASH.fullmatch(text.strip()):
        raise AnchorError(f"{what} must be a 0x-prefixed 32-byte hex hash (0x + 64 hex digits), not {text!r}")
    return text.strip().lower()


@dataclass(frozen=True)
class Checkpoint:
    """A block the auditor trusts: its number and hash."""

    number: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """``number:hash``, e.g. ``1200:0xab...``."""
        number, _, block_hash = text.partition(":")
        if not (number.isascii() and number.strip().isdigit()):
            raise AnchorError(f"a checkpoint is NUMBER:HASH (e.g. 1200:0xab…), not {text!r}")
        return cls(int(number), checked_hash(block_hash, "the checkpoint's hash"))


@dataclass(frozen=True)
class TrustAnchor:
    """The pinned genesis hash, and a trusted checkpoint if the auditor keeps one."""

    genesis_hash: str
    checkpoint: Checkpoint | None = None

    @classmethod
    def pinned(cls, genesis_hash: str | None, checkpoint: str | None = None) -> TrustAnchor:
        """An anchor from user input; AnchorError if the genesis hash is missing or malformed."""
        if not genesis_hash:
            raise AnchorError(
                f"an audit needs a pinned genesis hash: --genesis-hash, ${GENESIS_HASH_ENV}, "
                "or a deployment manifest that records one"
            )
        return cls(checked_hash(genesis_hash, "the genesis hash"), Checkpoint.parse(checkpoint) if checkpoint else None)

    @property
    def number(self) -> int:
        """The block the hash chain is verified from."""
        return self.checkpoint.number if self.checkpoint else 0
