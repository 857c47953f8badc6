"""Reading the query API over HTTP: one GET, its errors named for the caller."""

from __future__ import annotations

from typing import Any

import httpx

from gigledger.errors import GigLedgerError


class QueryApiError(GigLedgerError):
    """The query API did not answer as expected."""

    exit_code = 5


class QueryApiUnreachable(QueryApiError):
    """Nothing answers at the query API's URL."""

    def __init__(self, url: str, cause: Any) -> None:
        super().__init__(
            f"cannot reach the query API at {url} ({cause}). Start it (`gigledger-node api`), "
            "or unset --api / GIGLEDGER_API to read payments from the chain."
        )


def query_api_get(url: str, params: dict[str, Any]) -> Any:
    """GET ``url`` with ``params``; the JSON answer, or QueryApiError saying what the API said."""
    try:
        response = httpx.get(url, params=params, timeout=10.0)
    except httpx.TransportError as error:
        raise QueryApiUnreachable(url, error) from None
    if response.status_code != 200:
        raise QueryApiError(f"the query API answered {response.status_code} for {url}: {response.text[:200]}")
    return response.json()
