"""Amounts in a token's own units; a bare number is never guessed at."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigledger.amounts import ETH, InvalidAmount, TokenUnits, token_units
from gigledger.gigs import ZERO_ADDRESS

USDC = TokenUnits("0x" + "ab" * 20, "USDC", 6)
RAW = TokenUnits("0x" + "cd" * 20, None, 0)


@pytest.mark.parametrize(
    ("text", "wei"), [("1eth", 10**18), ("0.5eth", 5 * 10**17), ("1.5 ETH", 15 * 10**17), ("20gwei", 2 * 10**10), ("7wei", 7)]
)
def test_eth_amounts_in_eth_gwei_or_wei(text, wei):
    assert ETH.parse(text) == wei


def test_token_amount_uses_the_tokens_decimals():
    assert USDC.parse("250usdc") == 250 * 10**6
    assert USDC.parse("0.25USDC") == 250_000


@pytest.mark.parametrize("units", [ETH, USDC, RAW], ids=["eth", "usdc", "raw"])
def test_bare_number_is_refused_with_the_units_it_takes(units):
    with pytest.raises(InvalidAmount, match="has no unit") as refused:
        units.parse("1")
    assert units.describe() in str(refused.value)


def test_another_tokens_unit_is_refused():
    with pytest.raises(InvalidAmount, match="takes USDC with 6 decimals"):
        USDC.parse("1eth")


def test_fraction_of_the_smallest_unit_is_refused():
    with pytest.raises(InvalidAmount, match="finer than"):
        USDC.parse("0.0000001usdc")


def test_token_without_metadata_takes_raw_units_only():
    assert RAW.parse("1000units") == 1000
    with pytest.raises(InvalidAmount, match="no symbol"):
        RAW.parse("1eth")


@pytest.mark.parametrize("text", ["", "eth", "1..2eth", "-1eth", "1e18eth"])
def test_malformed_amount_is_refused(text):
    with pytest.raises(InvalidAmount):
        ETH.parse(text)


def test_format_trims_trailing_zeros():
    assert ETH.format(15 * 10**17) == "1.5 ETH"
    assert USDC.format(250 * 10**6) == "250 USDC"
    assert ETH.format(0) == "0 ETH"


def test_eth_units_need_no_chain():
    assert token_units(None, None) == ETH  # type: ignore[arg-type]
    assert token_units(None, ZERO_ADDRESS) == ETH  # type: ignore[arg-type]


def test_token_without_symbol_reads_as_raw_units(chain, token):
    assert token_units(chain.w3, token).symbol is None


@given(amount=st.integers(0, 2**256 - 1), units=st.sampled_from([ETH, USDC, RAW]))
def test_an_amount_as_an_argument_parses_back_to_itself(amount, units):
    assert units.parse(units.argument(amount)) == amount
