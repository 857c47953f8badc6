"""The indexer's view of a chain: plain JSON-RPC over HTTP, any EVM node.

Kept to the few calls the indexer needs, raw (hex strings in and out) and
batched where that saves round trips. Endpoints cap eth_getLogs in different
ways (Besu and Geth by result count, hosted ones by block range or response
size, some just time out); every such refusal becomes `RangeTooLarge`, so the
caller can halve its range and carry on.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import httpx

_TOO_LARGE = re.compile(
    r"too many|more than|limit|exceed|range|too large|timeout|timed out|response size|query returned", re.I
)


class RpcError(RuntimeError):
    """The endpoint answered a call with a JSON-RPC error."""

    def __init__(self, method: str, code: int | None, message: str) -> None:
        super().__init__(f"{method}: {message} (code {code})")
        self.method = method
        self.code = code
        self.message = message


class RangeTooLarge(RpcError):
    """The endpoint refused or timed out on a log query: ask for fewer blocks."""


class EndpointUnreachable(RuntimeError):
    """No HTTP answer from the endpoint at all."""


class Endpoint:
    """A JSON-RPC endpoint, e.g. http://127.0.0.1:8545."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self._client = httpx.Client(timeout=timeout)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._client.close()

    def _post(self, payload: Any, method: str) -> Any:
        try:
            response = self._client.post(self.url, json=payload)
        except httpx.TimeoutException as error:
            raise RangeTooLarge(method, None, f"timed out: {error}") from error
        except httpx.TransportError as error:
            raise EndpointUnreachable(f"{self.url}: {error}") from error
        if response.status_code in (413, 504):
            raise RangeTooLarge(method, response.status_code, response.reason_phrase)
        response.raise_for_status()
        return response.json()

    @staticmethod
    def _result(method: str, answer: dict) -> Any:
        error = answer.get("error")
        if error:
            message = str(error.get("message", error))
            kind = RangeTooLarge if method == "eth_getLogs" and _TOO_LARGE.search(message) else RpcError
            raise kind(method, error.get("code"), message)
        return answer["result"]

    def call(self, method: str, params: list | None = None) -> Any:
        """One call; raises RpcError (or RangeTooLarge for refused log queries)."""
        answer = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params or []}, method)
        return self._result(method, answer)

    def batch(self, calls: Sequence[tuple[str, list]]) -> list[Any]:
        """Several calls in one HTTP request; results in the order of ``calls``."""
        if not calls:
            return []
        requests = [
            {"jsonrpc": "2.0", "id": i, "method": method, "params": params} for i, (method, params) in enumerate(calls)
        ]
        answers = self._post(requests, calls[0][0])
        if isinstance(answers, dict):  # an endpoint without batch support answers with one error
            return [self.call(method, params) for method, params in calls]
        by_id = {a["id"]: a for a in answers}
        return [self._result(method, by_id[i]) for i, (method, _) in enumerate(calls)]

    # ------------------------------------------------------------ the calls the indexer makes

    def chain_id(self) -> int:
        return int(self.call("eth_chainId"), 16)

    def head(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def headers(self, numbers: Sequence[int]) -> dict[int, dict]:
        """Block headers (no transactions) by number; a missing block is left out."""
        blocks = self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        return {n: b for n, b in zip(numbers, blocks, strict=False) if b is not None}

    def logs(self, addresses: Sequence[str], first: int, last: int) -> list[dict]:
        """Every log of ``addresses`` in blocks ``first``..``last`` inclusive."""
        return self.call(
            "eth_getLogs", [{"address": list(addresses), "fromBlock": hex(first), "toBlock": hex(last)}]
        )
