"""Amounts in a token's own units: exact, trimmed, for any decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigledger.amounts import format_units


@pytest.mark.parametrize(
    ("raw", "decimals", "shown"),
    [
        (1_100_000_000_000_000_000, 18, "1.1"),
        (1, 18, "0.000000000000000001"),
        (250_500_000, 6, "250.5"),
        (10**18, 18, "1"),
        (0, 18, "0"),
        (42, 0, "42"),
        (2**256 - 1, 18, "115792089237316195423570985008687907853269984665640564039457.584007913129639935"),
    ],
)
def test_amounts_are_shown_in_whole_tokens_without_trailing_zeros(raw, decimals, shown):
    assert format_units(raw, decimals) == shown


@given(raw=st.integers(0, 2**256 - 1), decimals=st.integers(0, 36))
def test_formatting_loses_nothing(raw, decimals):
    assert Decimal(format_units(raw, decimals)).scaleb(decimals) == raw


def test_negative_decimals_are_refused():
    with pytest.raises(ValueError):
        format_units(1, -1)
