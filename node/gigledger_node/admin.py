"""A client of the node's admin JSON-RPC (perm_*), for the `allow`/`disallow`/`allowlist` commands.

It speaks to a running node over HTTP with the admin token, as any Besu
permissioning tool would; it never opens the data directory's chain.
"""

from __future__ import annotations

from typing import Any

import httpx
from eth_utils import to_checksum_address

from gigledger.addresses import InvalidAddress, checked_address

#: Where the token comes from when no data directory is given.
TOKEN_ENV = "GIGLEDGER_ADMIN_TOKEN"


class AdminError(Exception):
    """The admin call could not be made or was refused; the message says why."""


def checked_account(text: str) -> str:
    """A checksummed address; refuses non-addresses and mixed case with a wrong checksum."""
    try:
        return checked_address(text)
    except InvalidAddress as error:
        raise AdminError(str(error)) from None


class AdminClient:
    """perm_* calls to the node at `url`, authorised by `token`."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def call(self, method: str, params: list[Any]) -> Any:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = httpx.post(self.url, json=body, headers=headers, timeout=30)
        except httpx.HTTPError as error:
            raise AdminError(f"cannot reach the node at {self.url}: {error}") from None
        if response.status_code in (401, 403):
            raise AdminError(f"the node at {self.url} refused the admin token")
        answer = response.json()
        if "error" in answer:
            raise AdminError(f"{method}: {answer['error'].get('message', answer['error'])}")
        return answer["result"]

    def allow(self, accounts: list[str]) -> None:
        self.call("perm_addAccountsToAllowlist", [accounts])

    def disallow(self, accounts: list[str]) -> None:
        self.call("perm_removeAccountsFromAllowlist", [accounts])

    def allowlist(self) -> list[str]:
        """The allowed accounts, checksummed (the node answers in lower case, as Besu does)."""
        return [to_checksum_address(a) for a in self.call("perm_getAccountsAllowlist", [])]
