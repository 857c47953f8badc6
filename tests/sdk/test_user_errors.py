"""The errors a user meets most, each saying what happened and what to do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gigledger import DeadlineNotPassed, GigAlreadySettled
from gigledger.accounts import write_keystore
from gigledger.addresses import InvalidAddress, checked_address


def wrong_checksum(address: str) -> str:
    """`address` with the case of one letter flipped: still mixed case, checksum now wrong."""
    index = next(i for i in range(2, len(address)) if address[i].isalpha())
    return address[:index] + address[index].swapcase() + address[index + 1:]


# ---------------------------------------------------------------- the SDK


def test_approving_a_gig_twice_says_it_was_already_approved(released_gig, client):
    with pytest.raises(GigAlreadySettled, match=f"gig {released_gig.gig_id} is already approved"):
        client.approve(released_gig.gig_id)


def test_approving_with_a_stale_gig_says_it_was_already_approved(delivered_gig, client):
    client.approve(delivered_gig)
    with pytest.raises(GigAlreadySettled, match="already approved"):
        client.approve(delivered_gig)


def test_refund_before_the_deadline_says_when_the_deadline_is(accepted_gig, client):
    deadline = datetime.fromtimestamp(accepted_gig.deadline, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    with pytest.raises(DeadlineNotPassed, match=f"refund is possible from {deadline}"):
        client.refund(accepted_gig)


def test_a_mixed_case_address_with_a_wrong_checksum_is_refused(freelancer):
    with pytest.raises(InvalidAddress, match="checksum"):
        checked_address(wrong_checksum(freelancer.address))


def test_an_all_lower_case_address_is_taken_as_is(freelancer):
    assert checked_address(freelancer.address.lower()) == freelancer.address


# ---------------------------------------------------------------- the CLI


def test_cli_refuses_a_mixed_case_address_with_a_wrong_checksum(cli, anvil_chain):
    client, freelancer, arbiter = anvil_chain.accounts[1:4]
    result = cli("gig", "create", "--amount", "1000", "--arbiter", arbiter.address, "--deadline", "1d",
                 "--freelancer", wrong_checksum(freelancer.address), account=client)
    assert result.returncode == 2 and "--freelancer" in result.stderr and "checksum" in result.stderr


def test_cli_names_the_option_of_a_malformed_hash(cli, anvil_chain):
    result = cli("gig", "create", "--amount", "1000", "--arbiter", anvil_chain.accounts[3].address, "--deadline", "1d",
                 "--terms-hash", "abc", account=anvil_chain.accounts[1])
    assert result.returncode == 2 and "--terms-hash" in result.stderr and "64 hex digits" in result.stderr


def test_cli_says_a_keystore_password_is_wrong(cli, anvil_chain, tmp_path):
    keystore = write_keystore(anvil_chain.accounts[1], tmp_path / "client.json", "s3cret", kdf="pbkdf2", iterations=1024)
    result = cli("gig", "accept", "1", env={"GIGLEDGER_KEYSTORE": str(keystore), "GIGLEDGER_KEYSTORE_PASSWORD": "guess"})
    assert result.returncode == 2 and "wrong password" in result.stderr


def test_cli_exits_4_when_the_sender_has_not_enough_balance(cli, anvil_chain):
    client, arbiter = anvil_chain.accounts[1], anvil_chain.accounts[3]
    result = cli("gig", "create", "--amount", "100000000eth", "--arbiter", arbiter.address, "--deadline", "1d", account=client)
    assert result.returncode == 4, result.stderr
    assert "fund" in result.stderr.lower() or "balance" in result.stderr.lower()


def test_cli_approving_twice_exits_3_saying_already_approved(cli, anvil_chain, anvil_delivered_gig):
    client = anvil_chain.accounts[1]
    assert cli("gig", "approve", str(anvil_delivered_gig.gig_id), account=client).returncode == 0
    result = cli("gig", "approve", str(anvil_delivered_gig.gig_id), account=client)
    assert result.returncode == 3 and "already approved" in result.stderr
