"""Account allowlist, compatible with Hyperledger Besu's local permissioning.

The list lives in ``permissions_config.toml`` in the data directory, in Besu's
format (``accounts-allowlist=["0x..."]``), so an operator can move a data
directory's policy to Besu unchanged. Other keys in the file (Besu's
``nodes-allowlist``, or anything else) are preserved, whatever their type, when
the node rewrites it. Error messages are Besu's.

Accounts are ``0x`` and 40 hex digits, in any case; a mixed-case spelling must
be a correct EIP-55 checksum (a wrong one is a typo, not an account). They are
stored lowercase. A change or reload that fails leaves list and file unchanged.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eth_utils import is_checksum_address

PERMISSIONS_FILE = "permissions_config.toml"
ACCOUNTS_KEY = "accounts-allowlist"
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class AllowlistError(Exception):
    """An allowlist change Besu would refuse; ``str(error)`` is Besu's message."""


class SenderNotAllowed(Exception):
    """The sender of a transaction is not on the allowlist."""

    message = "Sender account not authorized to send transactions"


class Allowlist:
    """The accounts that may send transactions; persisted in the data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._accounts: list[str] = []
        self.reload()

    @classmethod
    def create(cls, path: Path, accounts: Iterable[str]) -> Allowlist:
        """Write a new permissions file holding ``accounts``."""
        write_permissions_file(path, {ACCOUNTS_KEY: [normalise_account(a) for a in accounts]})
        return cls(path)

    def allows(self, sender: str) -> bool:
        return sender.lower() in self._accounts

    def accounts(self) -> list[str]:
        return list(self._accounts)

    def add(self, accounts: Iterable[Any]) -> None:
        """Add accounts; all or nothing, as Besu's perm_addAccountsToAllowlist."""
        new = _validated(accounts)
        if any(a in self._accounts for a in new):
            raise AllowlistError("Cannot add an existing account to allowlist")
        self._save(self._accounts + new)

    def remove(self, accounts: Iterable[Any]) -> None:
        """Remove accounts; all or nothing, as Besu's perm_removeAccountsFromAllowlist."""
        gone = _validated(accounts)
        if any(a not in self._accounts for a in gone):
            raise AllowlistError("Cannot remove an absent account from allowlist")
        self._save([a for a in self._accounts if a not in gone])

    def reload(self) -> None:
        """Re-read the file (an operator edited it by hand); a broken file changes nothing."""
        try:
            self._accounts = _accounts_in(self._read())
        except (OSError, tomllib.TOMLDecodeError, AllowlistError) as error:
            raise AllowlistError(
                f"Error reloading permissions file {self.path}: {error}; the current allowlist is kept"
            ) from error

    def _read(self) -> dict[str, Any]:
        return tomllib.loads(self.path.read_text())

    def _save(self, accounts: list[str]) -> None:
        try:
            config = self._read() if self.path.exists() else {}
            write_permissions_file(self.path, {**config, ACCOUNTS_KEY: accounts})
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise AllowlistError(
                f"Unable to persist changes to allowlist configuration file. Changes reverted ({error})"
            ) from error
        self._accounts = accounts


def normalise_account(account: Any) -> str:
    """An account as stored: ``0x`` + 40 lowercase hex digits; AllowlistError if it is not one."""
    if not isinstance(account, str) or not _HEX_ADDRESS.fullmatch(account):
        raise AllowlistError("Request contains an invalid account")
    digits = account[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(account):
        raise AllowlistError("Request contains an invalid account")
    return account.lower()


def _accounts_in(config: dict[str, Any]) -> list[str]:
    if ACCOUNTS_KEY not in config:
        raise AllowlistError(f"{ACCOUNTS_KEY} is missing")
    listed = config[ACCOUNTS_KEY]
    if not isinstance(listed, list):
        raise AllowlistError(f"{ACCOUNTS_KEY} must be a list of accounts")
    try:
        return [normalise_account(a) for a in listed]
    except AllowlistError as error:
        raise AllowlistError(f"{ACCOUNTS_KEY}: {error}") from error


def _validated(accounts: Iterable[Any]) -> list[str]:
    normalised = [normalise_account(a) for a in accounts]
    if not normalised:
        raise AllowlistError("Request contains an empty list of accounts")
    if len(set(normalised)) != len(normalised):
        raise AllowlistError("Request contains duplicate accounts")
    return normalised


def write_permissions_file(path: Path, config: dict[str, Any]) -> None:
    """Write ``config`` as TOML atomically (rename over the old file).

    Tables are written inline (``key = {a = 1}``), which TOML reads back as the
    same value as a ``[key]`` section.
    """
    lines = [f"{_toml_key(key)}={_toml_value(value)}" for key, value in config.items()]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n")
    os.replace(temporary, path)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # Python's int and float spellings (inf, nan, 1e+20) are TOML's
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _toml_string(value: str) -> str:
    """A TOML basic string: quote, backslash and control characters escaped."""
    escaped = "".join(
        f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else "\\" + c if c in '"\\' else c
        for c in value
    )
    return f'"{escaped}"'
