"""Where the signing key comes from: an eth-account object, a keystore file, or an env var.

Never from a command-line argument: those end up in shell history and `ps` output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from eth_account import Account
from eth_account.signers.local import LocalAccount

from gigledger.errors import ConfigurationError

#: The environment variable a private key may come from.
PRIVATE_KEY_ENV = "GIGLEDGER_PRIVATE_KEY"
#: The environment variable a keystore's password may come from.
PASSWORD_ENV = "GIGLEDGER_KEYSTORE_PASSWORD"

AccountSource = LocalAccount | str | Path | None


def load_account(source: AccountSource = None, *, password: str | None = None) -> LocalAccount | None:
    """The signing account for `source`.

    - a `LocalAccount`: used as is;
    - a path to a keystore (V3 JSON) file: decrypted with `password`, or with the
      password in $GIGLEDGER_KEYSTORE_PASSWORD;
    - None: the private key in $GIGLEDGER_PRIVATE_KEY, or no account (read-only use).
    """
    if isinstance(source, LocalAccount):
        return source
    if source is None:
        return account_from_env()
    return account_from_keystore(Path(source), password)


def account_from_env(variable: str = PRIVATE_KEY_ENV) -> LocalAccount | None:
    """The account whose private key is in environment variable `variable`, if set."""
    key = os.environ.get(variable, "").strip()
    if not key:
        return None
    try:
        return Account.from_key(key)
    except (ValueError, TypeError) as error:
        raise ConfigurationError(f"${variable} does not hold a valid private key ({error})") from None


def account_from_keystore(path: Path, password: str | None = None) -> LocalAccount:
    """The account in a V3 keystore file, decrypted with `password` or $GIGLEDGER_KEYSTORE_PASSWORD."""
    if password is None:
        password = os.environ.get(PASSWORD_ENV)
    if password is None:
        raise ConfigurationError(f"keystore {path} needs a password: pass it, or set ${PASSWORD_ENV}")
    try:
        keystore = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"cannot read keystore {path}: {error}") from None
    try:
        return Account.from_key(Account.decrypt(keystore, password))
    except ValueError as error:
        if "MAC mismatch" in str(error):
            raise ConfigurationError(f"wrong password for keystore {path}") from None
        raise ConfigurationError(f"cannot decrypt keystore {path}: {error}") from None


def write_keystore(
    account: LocalAccount, path: str | Path, password: str, *, kdf: Literal["pbkdf2", "scrypt"] = "scrypt", iterations: int | None = None
) -> Path:
    """Encrypts `account` into a V3 keystore file at `path` (readable only by its owner).

    `kdf` and `iterations` are eth-account's; the defaults are its strong ones.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(Account.encrypt(account.key, password, kdf=kdf, iterations=iterations)))
    target.chmod(0o600)
    return target
