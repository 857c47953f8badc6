"""JSON-RPC errors: one class per thing that can go wrong, each with its code.

Codes follow the JSON-RPC 2.0 spec, geth (-32000 for server-side refusals, 3
for reverts) and Besu (-32007 for a sender off the allowlist), because clients
branch on them.
"""

from __future__ import annotations

from typing import Any


class RpcError(Exception):
    """Base of every error the server answers with instead of a result."""

    code: int = -32603
    message: str = "Internal error"

    def __init__(self, message: str | None = None, data: Any = None) -> None:
        self.message = message or type(self).message
        self.data = data
        super().__init__(self.message)

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class ParseError(RpcError):
    code = -32700
    message = "Parse error"


class InvalidRequest(RpcError):
    code = -32600
    message = "Invalid request"


class MethodNotFound(RpcError):
    code = -32601
    message = "Method not found"

    def __init__(self, method: str) -> None:
        super().__init__(f"the method {method} does not exist/is not available")


class InvalidParams(RpcError):
    code = -32602
    message = "Invalid params"


class InternalError(RpcError):
    code = -32603
    message = "Internal error"


class ServerError(RpcError):
    """geth's catch-all for a well-formed request the node refuses (pool rules, ...)."""

    code = -32000
    message = "Server error"


class ExecutionReverted(RpcError):
    """A call or gas estimate reverted; ``data`` is the revert payload, as geth sends it."""

    code = 3
    message = "execution reverted"


class SenderNotAuthorized(RpcError):
    """Besu's answer to a transaction whose sender is not on the allowlist."""

    code = -32007
    message = "Sender account not authorized to send transactions"


class Unauthorized(RpcError):
    """An admin method called without the admin bearer token (Besu's code)."""

    code = -40100
    message = "Unauthorized"


class LimitExceeded(RpcError):
    """A request or batch larger than the server accepts."""

    code = -32005
    message = "Request exceeds defined limit"


class ResponseTooLarge(RpcError):
    """A batch whose answers grew past the server's limit (geth's code and message)."""

    code = -32003
    message = "response too large"


class FilterNotFound(ServerError):
    message = "filter not found"
