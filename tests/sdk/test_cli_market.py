"""`gigledger profile|link|offer|hire` as a script sees them, and amounts in units."""

from __future__ import annotations

import json

import pytest
from index.named_tokens import deploy_named_token

from gigledger.events import decode_logs

from .tokens import deploy_mock_token


@pytest.fixture
def accounts(anvil_chain):
    """deployer, client, freelancer, arbiter, stranger, relayer"""
    return anvil_chain.accounts


@pytest.fixture
def posted(cli, accounts) -> int:
    """Offer 1: the freelancer's week of Python work for 0.5 ETH."""
    result = cli("--json", "offer", "create", "--price", "0.5eth", "--arbiter", accounts[3].address,
                 "--delivery", "7d", "--skill", "python", account=accounts[2])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["offer"]["offer_id"]


@pytest.fixture
def usdc(anvil_chain, accounts) -> str:
    """A 6-decimal ERC-20 named USDC, minted to the client."""
    return deploy_named_token(anvil_chain.w3, accounts[0], "USDC", 6, [accounts[1].address])


@pytest.fixture
def usdc_offer(cli, accounts, usdc) -> int:
    """The freelancer's offer of a Python review for 250 USDC."""
    result = cli("--json", "offer", "create", "--price", "250usdc", "--token", usdc, "--arbiter", accounts[3].address,
                 "--delivery", "7d", "--skill", "python", account=accounts[2])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["offer"]["offer_id"]


def test_gig_create_refuses_a_bare_number_naming_the_units(cli, accounts, anvil_ledger_for):
    result = cli("gig", "create", "--amount", "1", "--arbiter", accounts[3].address, "--deadline", "7d",
                 account=accounts[1])
    assert result.returncode == 2
    assert "has no unit" in result.stderr and "eth, gwei or wei" in result.stderr
    assert anvil_ledger_for(accounts[1]).gigs() == []


def test_offer_create_refuses_a_bare_number(cli, accounts):
    result = cli("offer", "create", "--price", "1", "--arbiter", accounts[3].address, "--delivery", "7d",
                 account=accounts[2])
    assert result.returncode == 2
    assert "has no unit" in result.stderr


def test_offer_posted_with_a_unit_has_its_price_in_wei(cli, accounts, posted, anvil_ledger_for):
    assert anvil_ledger_for(accounts[1]).offer(posted).price == 5 * 10**17


def test_offer_show_prints_the_hire_command(cli, posted):
    result = cli("offer", "show", str(posted))
    assert result.returncode == 0, result.stderr
    assert "0.5 ETH" in result.stdout
    assert f"gigledger hire {posted} --max-price 0.5eth --offer-hash 0x" in result.stdout


def test_hire_creates_the_gig_for_the_offers_freelancer(cli, accounts, posted):
    result = cli("--json", "hire", str(posted), account=accounts[1])
    assert result.returncode == 0, result.stderr
    gig = json.loads(result.stdout)["gig"]
    assert (gig["freelancer"], gig["amount"], gig["state"]) == (accounts[2].address, 5 * 10**17, "OPEN")


def test_hire_above_max_price_exits_without_paying(cli, accounts, posted, anvil_ledger_for):
    result = cli("hire", str(posted), "--max-price", "0.4eth", account=accounts[1])
    assert result.returncode == 3
    assert "more than" in result.stderr
    assert anvil_ledger_for(accounts[1]).gigs() == []


def test_hire_of_an_erc20_offer_within_a_ceiling_in_its_units_funds_the_gig(cli, accounts, usdc, usdc_offer):
    result = cli("--json", "hire", str(usdc_offer), "--max-price", "250usdc", account=accounts[1])
    assert result.returncode == 0, result.stderr
    gig = json.loads(result.stdout)["gig"]
    assert (gig["token"], gig["amount"], gig["freelancer"]) == (usdc, 250_000_000, accounts[2].address)


def test_hire_of_an_erc20_offer_above_the_ceiling_exits_without_paying(cli, accounts, usdc_offer, anvil_ledger_for):
    result = cli("hire", str(usdc_offer), "--max-price", "249.99usdc", account=accounts[1])
    assert result.returncode == 3
    assert "costs 250 USDC, more than the 249.99 USDC you allowed" in result.stderr
    assert anvil_ledger_for(accounts[1]).gigs() == []


def test_a_ceiling_in_another_token_is_refused_naming_the_offers_token(cli, accounts, usdc, usdc_offer, anvil_ledger_for):
    result = cli("hire", str(usdc_offer), "--max-price", "1eth", account=accounts[1])
    assert result.returncode == 2
    assert f"priced in USDC ({usdc})" in result.stderr and "250usdc" in result.stderr
    assert anvil_ledger_for(accounts[1]).gigs() == []


def test_a_ceiling_in_usdc_for_an_eth_offer_is_refused(cli, accounts, posted, anvil_ledger_for):
    result = cli("hire", str(posted), "--max-price", "250usdc", account=accounts[1])
    assert result.returncode == 2
    assert "priced in ETH" in result.stderr
    assert anvil_ledger_for(accounts[1]).gigs() == []


def test_offer_show_prints_the_erc20_hire_command_with_the_offers_hash(cli, accounts, usdc_offer, anvil_ledger_for):
    offer = anvil_ledger_for(accounts[1]).offer(usdc_offer)
    result = cli("offer", "show", str(usdc_offer))
    assert result.returncode == 0, result.stderr
    assert f"gigledger hire {usdc_offer} --max-price 250usdc --offer-hash {offer.hash()}" in result.stdout


def test_hire_pinned_to_another_offers_hash_exits_without_paying(cli, accounts, posted, usdc_offer, anvil_ledger_for):
    shown = anvil_ledger_for(accounts[1]).offer(usdc_offer).hash()
    result = cli("hire", str(posted), "--offer-hash", shown, account=accounts[1])
    assert result.returncode == 3
    assert "not the" in result.stderr and "you were shown" in result.stderr
    assert anvil_ledger_for(accounts[1]).gigs() == []


def test_hire_pinned_to_a_malformed_hash_is_a_usage_error(cli, accounts, posted, anvil_ledger_for):
    result = cli("hire", str(posted), "--offer-hash", "0x1234", account=accounts[1])
    assert result.returncode == 2
    assert "is not a bytes32 hash" in result.stderr
    assert anvil_ledger_for(accounts[1]).gigs() == []


def test_hire_of_a_withdrawn_offer_exits_3(cli, accounts, posted):
    assert cli("offer", "withdraw", str(posted), account=accounts[2]).returncode == 0
    result = cli("hire", str(posted), account=accounts[1])
    assert result.returncode == 3
    assert "not open" in result.stderr


def test_link_sign_then_add_links_the_two(cli, accounts, anvil_ledger_for):
    signed = cli("link", "sign", accounts[1].address, "--out", "consent.json", account=accounts[2])
    assert signed.returncode == 0, signed.stderr
    added = cli("link", "add", "consent.json", account=accounts[1])
    assert added.returncode == 0, added.stderr
    assert anvil_ledger_for(accounts[4]).is_linked(accounts[1].address, accounts[2].address)


def test_link_add_of_an_unreadable_consent_is_a_usage_error(cli, accounts):
    (cli.cwd / "bad.json").write_text("{}")
    result = cli("link", "add", "bad.json", account=accounts[1])
    assert result.returncode == 2
    assert "cannot read a link consent" in result.stderr


def test_profile_set_publishes_the_rate_in_units(cli, accounts, anvil_chain, anvil_deployment):
    result = cli("profile", "set", "--name", "Ada", "--skill", "python", "--rate", "0.05eth", account=accounts[2])
    assert result.returncode == 0, result.stderr
    logs = anvil_chain.w3.eth.get_logs({"address": anvil_deployment.market, "fromBlock": 0})
    (event,) = decode_logs(logs)
    assert json.loads(event.profile)["rate"] == {"amount": "0.05 ETH", "token": "ETH"}


def test_gig_create_in_a_token_without_metadata_takes_raw_units_only(cli, accounts, anvil_chain):
    token = deploy_mock_token(anvil_chain.w3, accounts[0], holders=[accounts[1].address])
    common = ("--arbiter", accounts[3].address, "--deadline", "7d", "--token", token)
    refused = cli("gig", "create", "--amount", "1eth", *common, account=accounts[1])
    assert refused.returncode == 2 and "has no symbol()/decimals()" in refused.stderr
    created = cli("--json", "gig", "create", "--amount", "1000units", *common, account=accounts[1])
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["gig"]["amount"] == 1000
