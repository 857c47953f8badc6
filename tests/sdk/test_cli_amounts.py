"""The CLI and the SDK show amounts in token units ("1 ETH"), never raw wei alone."""

from __future__ import annotations

import pytest

from gigledger.amounts import UnitsBook


@pytest.fixture
def accounts(anvil_chain):
    return anvil_chain.accounts


def test_gig_show_gives_the_amount_in_ether(cli, anvil_delivered_gig):
    result = cli("gig", "show", str(anvil_delivered_gig.gig_id))

    assert result.returncode == 0, result.stderr
    assert "1 ETH" in result.stdout and str(anvil_delivered_gig.amount) not in result.stdout


def test_gig_list_gives_amounts_in_ether(cli, anvil_delivered_gig):
    result = cli("gig", "list")

    assert result.returncode == 0, result.stderr
    assert "1 ETH" in result.stdout and str(anvil_delivered_gig.amount) not in result.stdout


def test_reputation_gives_volumes_in_ether(cli, accounts, anvil_delivered_gig, anvil_ledger_for):
    anvil_ledger_for(accounts[1]).approve(anvil_delivered_gig)

    result = cli("reputation", accounts[2].address)

    assert result.returncode == 0, result.stderr
    assert "earned 1 ETH" in result.stdout and "1 of 1 delivered" in result.stdout


def test_history_gives_payments_in_ether(cli, accounts, anvil_delivered_gig):
    result = cli("history", accounts[1].address)

    assert result.returncode == 0, result.stderr
    assert "1 ETH" in result.stdout and str(anvil_delivered_gig.amount) not in result.stdout


def test_a_token_without_decimals_is_shown_in_raw_units_with_its_address():
    units = UnitsBook(lambda token: (None, None))

    assert units.show(42, "0x" + "ab" * 20) == f"42 units of 0x{'ab' * 20}"


def test_a_token_posing_as_eth_is_shown_by_its_address():
    token = "0x" + "cd" * 20
    units = UnitsBook(lambda _: (6, "ETH"))

    assert units.show(1_500_000, token) == f"1.5 {token}"


def test_token_metadata_is_read_once_per_token():
    reads = []
    units = UnitsBook(lambda token: reads.append(token) or (6, "USDC"))
    token = "0x" + "ef" * 20
    units.show(1, token)
    units.show(2, token)

    assert reads == [token]


def test_the_sdk_gives_volumes_in_token_units(accounts, anvil_delivered_gig, anvil_ledger_for):
    anvil_ledger_for(accounts[1]).approve(anvil_delivered_gig)

    [eth] = anvil_ledger_for(accounts[2]).reputation(accounts[2].address).volumes

    assert (eth.earned, eth.earned_formatted, eth.label) == (10**18, "1", "ETH")
