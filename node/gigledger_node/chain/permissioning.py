"""Account allowlist, compatible with Hyperledger Besu's local permissioning.

The list lives in ``permissions_config.toml`` in the data directory, in Besu's
format (``accounts-allowlist=["0x..."]``), so an operator can move a data
directory's policy to Besu unchanged. Other keys in the file (Besu's
``nodes-allowlist``) are preserved when the node rewrites it. Error messages
are Besu's.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

from eth_utils import is_hex_address

PERMISSIONS_FILE = "permissions_config.toml"
ACCOUNTS_KEY = "accounts-allowlist"


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
        _write_toml(path, {ACCOUNTS_KEY: [_normalise(a) for a in accounts]})
        return cls(path)

    def allows(self, sender: str) -> bool:
        return sender.lower() in self._accounts

    def accounts(self) -> list[str]:
        return list(self._accounts)

    def add(self, accounts: Iterable[str]) -> None:
        """Add accounts; all or nothing, as Besu's perm_addAccountsToAllowlist."""
        new = _validated(accounts)
        if any(a in self._accounts for a in new):
            raise AllowlistError("Cannot add an existing account to allowlist")
        self._save(self._accounts + new)

    def remove(self, accounts: Iterable[str]) -> None:
        """Remove accounts; all or nothing, as Besu's perm_removeAccountsFromAllowlist."""
        gone = _validated(accounts)
        if any(a not in self._accounts for a in gone):
            raise AllowlistError("Cannot remove an absent account from allowlist")
        self._save([a for a in self._accounts if a not in gone])

    def reload(self) -> None:
        """Re-read the file (an operator edited it by hand)."""
        try:
            config = tomllib.loads(self.path.read_text())
            accounts = [_normalise(a) for a in config.get(ACCOUNTS_KEY, [])]
        except (OSError, tomllib.TOMLDecodeError, ValueError) as error:
            raise AllowlistError(
                f"Unable to reload permissions config file {self.path}: {error}"
            ) from error
        self._accounts = accounts

    def _save(self, accounts: list[str]) -> None:
        config = tomllib.loads(self.path.read_text()) if self.path.exists() else {}
        config[ACCOUNTS_KEY] = accounts
        _write_toml(self.path, config)
        self._accounts = accounts


def _normalise(account: str) -> str:
    if not isinstance(account, str) or not is_hex_address(account):
        raise AllowlistError("Request contains an invalid account")
    return account.lower()


def _validated(accounts: Iterable[str]) -> list[str]:
    normalised = [_normalise(a) for a in accounts]
    if not normalised:
        raise AllowlistError("Request contains an empty list of accounts")
    if len(set(normalised)) != len(normalised):
        raise AllowlistError("Request contains duplicate accounts")
    return normalised


def _write_toml(path: Path, config: dict[str, list[str]]) -> None:
    """Write Besu's flat ``key=[strings]`` TOML atomically (rename over the old file)."""
    lines = [
        f"{key}=[{', '.join(_quoted(v) for v in values)}]" for key, values in config.items()
    ]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n")
    os.replace(temporary, path)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
