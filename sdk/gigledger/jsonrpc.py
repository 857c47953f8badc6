"""Raw JSON-RPC for the auditor: hex strings in and out, batched, no web3 formatting.

The auditor believes nothing it reads here until it hashes up to its anchor;
this module only carries the questions and answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from requests import RequestException
from web3 import Web3

#: Calls per batched HTTP request.
BATCH_SIZE = 200
#: Attempts at one HTTP request before a transient failure (5xx, timeout, dropped connection) is final.
ATTEMPTS = 5
#: The first retry waits this long; each next one twice as long, at most MAX_BACKOFF.
FIRST_BACKOFF = 0.1
MAX_BACKOFF = 2.0

log = logging.getLogger(__name__)
T = TypeVar("T")


def with_retries(what: str, attempt: Callable[[], T]) -> T:
    """``attempt()``, retried with capped exponential backoff on transient HTTP failures."""
    delay = FIRST_BACKOFF
    for remaining in range(ATTEMPTS - 1, -1, -1):
        try:
            return attempt()
        except (RequestException, OSError) as error:
            if not remaining:
                raise RpcFailed(f"{what}: the endpoint failed {ATTEMPTS} times, last: {error}") from error
            log.warning("%s failed (%s); retrying in %.1fs", what, error, delay)
            time.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
    raise AssertionError("unreachable")


class RpcFailed(RuntimeError):
    """The endpoint answered a JSON-RPC call with an error (or not at all)."""


class RawRpc:
    """JSON-RPC calls through a web3 provider, one at a time or batched."""

    def __init__(self, w3: Web3) -> None:
        self.provider = w3.provider

    def call(self, method: str, params: list[Any]) -> Any:
        return _result(method, with_retries(method, lambda: self.provider.make_request(method, params)))  # type: ignore[arg-type]

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Results in the order of ``calls``, BATCH_SIZE per HTTP request."""
        results: list[Any] = []
        for start in range(0, len(calls), BATCH_SIZE):
            chunk = list(calls[start : start + BATCH_SIZE])
            answers = with_retries(
                f"a batch of {len(chunk)} {chunk[0][0]}",
                # with_retries calls it at once, within this iteration
                lambda: self.provider.make_batch_request(chunk),  # type: ignore[attr-defined]  # noqa: B023
            )
            if isinstance(answers, dict):  # an endpoint without batches answers with one error
                results.extend(self.call(method, params) for method, params in chunk)
                continue
            results.extend(_result(method, answer) for (method, _), answer in zip(chunk, answers, strict=True))
        return results


def _result(method: str, answer: Any) -> Any:
    if not isinstance(answer, dict) or answer.get("error") or "result" not in answer:
        raise RpcFailed(f"{method}: {answer.get('error') if isinstance(answer, dict) else answer}")
    return answer["result"]
