"""`gigledger admin ...` and `gigledger invalidate-nonce` as a script sees them."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def owner(anvil_chain):
    """The deployer: owns the escrow and the registry."""
    return anvil_chain.accounts[0]


@pytest.fixture
def create_gig_command(anvil_chain):
    client, freelancer, arbiter = anvil_chain.accounts[1:4]
    return (("gig", "create", "--amount", "1eth", "--arbiter", arbiter.address, "--freelancer", freelancer.address,
             "--deadline", "7d"), client)


def test_the_owners_minimum_refuses_a_smaller_gig_with_exit_3(cli, owner, create_gig_command):
    assert cli("admin", "set-min-amount", "2eth", account=owner).returncode == 0
    command, client = create_gig_command
    result = cli(*command, account=client)
    assert result.returncode == 3 and "below the minimum" in result.stderr


def test_a_stranger_cannot_set_the_minimum(cli, anvil_chain):
    result = cli("admin", "set-min-amount", "2eth", account=anvil_chain.accounts[4])
    assert result.returncode == 3 and "not the owner" in result.stderr


def test_a_bare_number_is_not_a_minimum(cli, owner):
    result = cli("admin", "set-min-amount", "2", account=owner)
    assert result.returncode == 2 and "eth" in result.stderr


def test_announcing_a_writer_says_when_it_takes_effect(cli, owner, anvil_chain):
    writer = anvil_chain.accounts[5].address
    result = cli("--json", "admin", "announce-writer", writer, account=owner)
    assert result.returncode == 0, result.stderr
    announced = json.loads(result.stdout)
    assert announced["effective_at"] > 0 and announced["transaction_hash"].startswith("0x")


def test_retiring_the_escrow_stops_new_gigs(cli, owner, anvil_deployment, create_gig_command):
    result = cli("admin", "retire-writer", anvil_deployment.escrow, account=owner)
    assert result.returncode == 0 and result.stdout.startswith(f"writer {anvil_deployment.escrow} retired"), result.stderr
    command, client = create_gig_command
    assert cli(*command, account=client).returncode == 3


def test_invalidate_nonce_moves_the_attesters_nonce_on(cli, anvil_chain, anvil_ledger_for):
    attester = anvil_chain.accounts[2]
    reader = anvil_ledger_for(attester)
    before = reader.attestation_nonce(attester.address)
    result = cli("invalidate-nonce", account=attester)
    assert result.returncode == 0, result.stderr
    assert reader.attestation_nonce(attester.address) == before + 1
