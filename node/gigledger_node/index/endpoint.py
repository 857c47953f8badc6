"""The indexer's view of a chain: plain JSON-RPC over HTTP, any EVM node.

Kept to the few calls the indexer needs, raw (hex strings in and out) and
batched where that saves round trips. Endpoints cap eth_getLogs in different
ways (Besu and Geth by result count, hosted ones by block range or response
size); every such refusal becomes `RangeTooLarge`, so the caller can halve its
range and carry on. Transient failures (HTTP 5xx, timeouts, dropped
connections, JSON-RPC -32000 server errors) are retried here with capped
exponential backoff and logged; if they persist they surface as a
`TransientError`, which the follower waits out. A timeout is transient, never
"range too large": a slow node is not a small one.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import httpx

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Attempts at one request before a transient failure is raised.
ATTEMPTS = 4
#: The first retry waits this long, each next one twice as long, at most MAX_BACKOFF.
FIRST_BACKOFF = 0.2
MAX_BACKOFF = 5.0
#: JSON-RPC's generic server error (geth, Besu: "header not found", "busy", ...): worth retrying.
SERVER_ERROR = -32000

_TOO_LARGE = re.compile(r"too many|more than|limit|exceed|range|too large|response size|query returned", re.I)


class RpcError(RuntimeError):
    """The endpoint answered a call with a JSON-RPC error."""

    def __init__(self, method: str, code: int | None, message: str) -> None:
        super().__init__(f"{method}: {message} (code {code})")
        self.method = method
        self.code = code
        self.message = message


class RangeTooLarge(RpcError):
    """The endpoint refused a log query as too large: ask for fewer blocks."""


class TransientError(RuntimeError):
    """A failure that may pass: retried, then raised for the caller to wait out."""


class EndpointUnreachable(TransientError):
    """No HTTP answer from the endpoint at all (refused or dropped connection)."""


class EndpointTimeout(TransientError):
    """The endpoint did not answer in time."""


class ServerError(TransientError):
    """The endpoint (or a proxy before it) answered with HTTP 5xx."""


class ServerRpcError(RpcError, TransientError):
    """A JSON-RPC -32000 server error."""


def with_retries(what: str, attempt: Callable[[], T]) -> T:
    """``attempt()``, retried with capped exponential backoff while it fails transiently."""
    delay = FIRST_BACKOFF
    for remaining in range(ATTEMPTS - 1, -1, -1):
        try:
            return attempt()
        except TransientError as error:
            if not remaining:
                raise
            log.warning("%s failed (%s); retrying in %.1fs", what, error, delay)
            time.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
    raise AssertionError("unreachable")


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
            raise EndpointTimeout(f"{method} at {self.url} timed out: {error}") from error
        except httpx.TransportError as error:
            raise EndpointUnreachable(f"{self.url}: {error}") from error
        if response.status_code == 413:
            raise RangeTooLarge(method, response.status_code, response.reason_phrase)
        if response.status_code >= 500:
            raise ServerError(f"{method} at {self.url}: HTTP {response.status_code} {response.reason_phrase}")
        response.raise_for_status()
        try:
            return response.json()
        except ValueError as error:  # a truncated or non-JSON body: a proxy that dropped the answer
            raise ServerError(f"{method} at {self.url}: the answer is not JSON ({error})") from error

    @staticmethod
    def _result(method: str, answer: dict) -> Any:
        error = answer.get("error")
        if error:
            message = str(error.get("message", error))
            if method == "eth_getLogs" and _TOO_LARGE.search(message):
                raise RangeTooLarge(method, error.get("code"), message)
            kind = ServerRpcError if error.get("code") == SERVER_ERROR else RpcError
            raise kind(method, error.get("code"), message)
        return answer["result"]

    def call(self, method: str, params: list | None = None) -> Any:
        """One call; raises RpcError (or RangeTooLarge for refused log queries), and
        TransientError once transient failures outlast the retries."""
        return with_retries(f"{method} at {self.url}", lambda: self._call_once(method, params or []))

    def _call_once(self, method: str, params: list) -> Any:
        answer = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}, method)
        return self._result(method, answer)

    def batch(self, calls: Sequence[tuple[str, list]]) -> list[Any]:
        """Several calls in one HTTP request; results in the order of ``calls``; retried as `call` is."""
        if not calls:
            return []
        return with_retries(f"a batch of {len(calls)} {calls[0][0]} at {self.url}", lambda: self._batch_once(calls))

    def _batch_once(self, calls: Sequence[tuple[str, list]]) -> list[Any]:
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
