"""A node's data directory: which files it holds, and how ``init`` writes them.

    genesis.json              chain id, authorities, prefunded accounts, gas limit
    permissions_config.toml   Besu-format account allowlist
    authority.key             hex secp256k1 key that seals blocks (mode 0600)
    admin.token               bearer token for the perm_/admin_ methods (mode 0600)
    chaindata/                the LMDB store
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_keys.datatypes import PrivateKey
from eth_utils import to_checksum_address

from gigledger_node.chain.chain import GENESIS_FILE, Genesis
from gigledger_node.chain.permissioning import PERMISSIONS_FILE, Allowlist

AUTHORITY_KEY_FILE = "authority.key"
ADMIN_TOKEN_FILE = "admin.token"


class DataDirError(Exception):
    """A data directory that cannot be initialised or served as asked."""


@dataclass(frozen=True)
class GenesisConfig:
    """The operator's genesis config file (JSON), before it becomes a data directory."""

    chain_id: int
    authorities: list[str]
    alloc: dict[str, int]
    allowlist: list[str]
    gas_limit: int = 30_000_000

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> GenesisConfig:
        """Parse {"chainId", "authorities", "alloc": {address: wei}, "allowlist", "gasLimit"}."""
        return cls(
            chain_id=int(raw["chainId"]),
            authorities=[to_checksum_address(a) for a in raw.get("authorities", [])],
            alloc={to_checksum_address(a): int(v) for a, v in raw.get("alloc", {}).items()},
            allowlist=[to_checksum_address(a) for a in raw.get("allowlist", [])],
            gas_limit=int(raw.get("gasLimit", 30_000_000)),
        )


def initialise(data_dir: Path, config: GenesisConfig, authority_key: PrivateKey) -> str:
    """Write a new data directory; returns the admin token.

    The authority key must belong to one of the configured authorities (an empty
    authority list means "this key is the only authority").
    """
    if (data_dir / GENESIS_FILE).exists():
        raise DataDirError(f"{data_dir} is already initialised")
    authority = authority_key.public_key.to_checksum_address()
    authorities = config.authorities or [authority]
    if authority not in authorities:
        raise DataDirError(f"the authority key's address {authority} is not an authority")
    data_dir.mkdir(parents=True, exist_ok=True)
    Genesis(
        chain_id=config.chain_id, authorities=authorities, alloc=config.alloc,
        gas_limit=config.gas_limit,
    ).save(data_dir)
    Allowlist.create(data_dir / PERMISSIONS_FILE, config.allowlist)
    _write_secret(data_dir / AUTHORITY_KEY_FILE, authority_key.to_hex())
    token = secrets.token_urlsafe(32)
    _write_secret(data_dir / ADMIN_TOKEN_FILE, token)
    return token


def load_genesis_config(path: Path) -> GenesisConfig:
    try:
        return GenesisConfig.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataDirError(f"cannot read genesis config {path}: {error}") from error


def read_authority_key(path: Path) -> PrivateKey:
    try:
        return PrivateKey(bytes.fromhex(path.read_text().strip().removeprefix("0x")))
    except (OSError, ValueError) as error:
        raise DataDirError(f"cannot read authority key {path}: {error}") from error


def read_admin_token(data_dir: Path) -> str:
    return (data_dir / ADMIN_TOKEN_FILE).read_text().strip()


def _write_secret(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
