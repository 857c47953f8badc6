"""Signing accounts come from eth-account objects, keystores or the environment only."""

from __future__ import annotations

import pytest
from eth_account import Account

from gigledger import ConfigurationError
from gigledger.accounts import PASSWORD_ENV, PRIVATE_KEY_ENV, load_account, write_keystore


@pytest.fixture(scope="module")
def account():
    """A fresh account."""
    return Account.create()


@pytest.fixture(scope="module")
def keystore(account, tmp_path_factory):
    """The account's keystore, password "correct horse" (a cheap KDF, to keep tests quick)."""
    return write_keystore(account, tmp_path_factory.mktemp("keys") / "key.json", "correct horse", kdf="pbkdf2", iterations=1024)


def test_a_local_account_is_used_as_is(account):
    assert load_account(account) is account


def test_a_keystore_opens_with_its_password(keystore, account):
    assert load_account(keystore, password="correct horse").address == account.address


def test_a_keystore_password_may_come_from_the_environment(keystore, account, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "correct horse")
    assert load_account(keystore).address == account.address


def test_a_wrong_keystore_password_is_a_configuration_error_saying_so(keystore):
    with pytest.raises(ConfigurationError, match="wrong password for keystore"):
        load_account(keystore, password="wrong")


def test_a_keystore_without_a_password_says_how_to_give_one(keystore, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(ConfigurationError, match=PASSWORD_ENV):
        load_account(keystore)


def test_a_keystore_is_readable_only_by_its_owner(keystore):
    assert keystore.stat().st_mode & 0o777 == 0o600


def test_the_private_key_may_come_from_the_environment(account, monkeypatch):
    monkeypatch.setenv(PRIVATE_KEY_ENV, account.key.hex())
    assert load_account().address == account.address


def test_a_bad_private_key_in_the_environment_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv(PRIVATE_KEY_ENV, "not a key")
    with pytest.raises(ConfigurationError, match=PRIVATE_KEY_ENV):
        load_account()


def test_no_key_anywhere_means_read_only(monkeypatch):
    monkeypatch.delenv(PRIVATE_KEY_ENV, raising=False)
    assert load_account() is None
