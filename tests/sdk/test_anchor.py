"""The auditor's trust anchor as typed: a pinned genesis hash and a NUMBER:HASH checkpoint."""

from __future__ import annotations

import pytest

from gigledger.anchor import AnchorError, Checkpoint, TrustAnchor

HASH = "0x" + "ab" * 32


def test_a_checkpoint_is_a_number_and_a_hash():
    assert Checkpoint.parse(f"1200:{HASH.upper().replace('X', 'x')}") == Checkpoint(1200, HASH)


@pytest.mark.parametrize("number", ["", "-1", "12a", "²", "٣", "１２"])
def test_a_checkpoint_number_that_is_not_ascii_digits_is_refused(number):
    with pytest.raises(AnchorError, match="NUMBER:HASH"):
        Checkpoint.parse(f"{number}:{HASH}")


def test_a_checkpoint_with_a_short_hash_is_refused():
    with pytest.raises(AnchorError, match="checkpoint's hash"):
        Checkpoint.parse("12:0xab")


def test_an_anchor_needs_a_genesis_hash():
    with pytest.raises(AnchorError, match="pinned genesis hash"):
        TrustAnchor.pinned(None)
