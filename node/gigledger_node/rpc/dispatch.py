"""JSON-RPC 2.0 envelope handling: validate requests, route them, shape answers.

Transport-free: the HTTP and WebSocket endpoints both hand decoded JSON here.
Errors from the chain half (pool refusals, reverts, allowlist) are translated
into their JSON-RPC error classes in one place, :func:`_translate`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gigledger_node.chain import calls
from gigledger_node.chain.permissioning import AllowlistError, SenderNotAllowed
from gigledger_node.chain.txpool import TxRejected
from gigledger_node.rpc import errors
from gigledger_node.rpc.transport import encode
from gigledger_node.rpc.transport import error_response as _error_response
from gigledger_node.rpc.transport import valid_id as _valid_id

logger = logging.getLogger(__name__)

MAX_BATCH = 1000
MAX_BATCH_RESPONSE_BYTES = 25_000_000  # geth's --rpc.batch-response-max-size
ADMIN_PREFIXES = ("perm_", "admin_")


@dataclass(frozen=True)
class Method:
    """A handler with the number of positional params it requires and accepts."""

    handler: Callable[..., Any]
    required: int
    accepted: int

    @classmethod
    def of(cls, handler: Callable[..., Any]) -> Method:
        parameters = inspect.signature(handler).parameters.values()
        required = sum(1 for p in parameters if p.default is inspect.Parameter.empty)
        return cls(handler, required, len(parameters))


class Dispatcher:
    """Routes JSON-RPC requests to handlers by method name."""

    def __init__(self, handlers: dict[str, Callable[..., Any]]) -> None:
        self.methods = {name: Method.of(h) for name, h in handlers.items()}

    def extended(self, handlers: dict[str, Callable[..., Any]]) -> Dispatcher:
        """A dispatcher with these extra methods (a WebSocket connection's eth_subscribe)."""
        extended = Dispatcher({})
        extended.methods = {**self.methods, **{n: Method.of(h) for n, h in handlers.items()}}
        return extended

    def handle_payload(self, payload: Any, authorized: bool) -> Any:
        """The response to a decoded body: an object, a list (batch), or None."""
        if isinstance(payload, list):
            if not payload:
                return _error_response(None, errors.InvalidRequest("empty batch"))
            if len(payload) > MAX_BATCH:
                return _error_response(None, errors.LimitExceeded(f"batch too large (max {MAX_BATCH})"))
            return self._handle_batch(payload, authorized) or None
        return self.handle_request(payload, authorized)

    def _handle_batch(self, batch: list[Any], authorized: bool) -> list[dict[str, Any]]:
        """Answer each request in turn; once the answers pass MAX_BATCH_RESPONSE_BYTES,
        the rest are not run and get geth's "response too large" (so a batch of
        heavy calls cannot build a response of gigabytes)."""
        answers: list[dict[str, Any]] = []
        size = 0
        for request in batch:
            if size > MAX_BATCH_RESPONSE_BYTES:
                answer = _too_large(request)
            else:
                answer = self.handle_request(request, authorized)
                size += len(encode(answer)) if answer is not None else 0
            if answer is not None:
                answers.append(answer)
        return answers

    def handle_request(self, request: Any, authorized: bool) -> dict[str, Any] | None:
        """The response to one request object (None for a notification)."""
        if not isinstance(request, dict):
            return _error_response(None, errors.InvalidRequest())
        request_id = request.get("id")
        is_notification = "id" not in request
        try:
            if not _valid_id(request_id) or request.get("jsonrpc") != "2.0":
                request_id = request_id if _valid_id(request_id) else None
                raise errors.InvalidRequest()
            result = self._call(request.get("method"), request.get("params", []), authorized)
        except Exception as error:  # every failure must become a JSON-RPC error
            return None if is_notification else _error_response(request_id, _translate(error))
        return None if is_notification else {"jsonrpc": "2.0", "id": request_id, "result": result}

    def _call(self, name: Any, params: Any, authorized: bool) -> Any:
        if not isinstance(name, str):
            raise errors.InvalidRequest("method must be a string")
        method = self.methods.get(name)
        if method is None:
            raise errors.MethodNotFound(name[:100])
        if name.startswith(ADMIN_PREFIXES) and not authorized:
            raise errors.Unauthorized()
        if params is None:
            params = []
        if not isinstance(params, list):
            raise errors.InvalidParams("params must be an array")
        if not method.required <= len(params) <= method.accepted:
            raise errors.InvalidParams(
                f"{name} takes {method.required}..{method.accepted} params, got {len(params)}"
            )
        return method.handler(*params)


def _too_large(request: Any) -> dict[str, Any] | None:
    if not isinstance(request, dict) or "id" not in request:
        return None  # a notification (or garbage) past the limit is dropped unanswered
    request_id = request["id"] if _valid_id(request["id"]) else None
    return _error_response(request_id, errors.ResponseTooLarge())


def _translate(error: Exception) -> errors.RpcError:
    """The JSON-RPC error for an exception raised while serving a request."""
    if isinstance(error, errors.RpcError):
        return error
    if isinstance(error, SenderNotAllowed):
        return errors.SenderNotAuthorized()
    if isinstance(error, calls.ExecutionReverted):
        return errors.ExecutionReverted(str(error), "0x" + error.data.hex())
    if isinstance(error, (TxRejected, AllowlistError, calls.CallFailed)):
        return errors.ServerError(str(error))
    logger.exception("internal error while serving a request")
    return errors.InternalError(f"internal error: {type(error).__name__}")
