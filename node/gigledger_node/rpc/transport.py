"""The JSON-RPC wire format: bounded-depth decoding, encoding, and what an id may be.

Bodies are decoded with orjson, which refuses nesting deeper than
:data:`MAX_DEPTH` without recursing on the C stack (the standard library's
decoder recurses, and with py_ecc's raised recursion limit a 100,000-deep body
overflows the stack and kills the process). orjson also refuses what is not
JSON (``NaN``, ``Infinity``) and numbers a double cannot hold (``1e400``), so
every value that reaches the dispatcher can be written back as valid JSON.
Integers beyond 64 bits decode to floats, as in JavaScript.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import orjson

from gigledger_node.rpc.errors import InternalError, ParseError, RpcError

logger = logging.getLogger(__name__)

MAX_DEPTH = 1024  # orjson's fixed limit; deeper bodies are a parse error
MAX_ERROR_DETAIL = 120


def decode(body: bytes | str) -> Any:
    """The JSON value of a request body, or ParseError (too deep, not JSON, out of range)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise ParseError(f"Parse error: {str(error)[:MAX_ERROR_DETAIL]}") from error


def encode(answer: Any) -> bytes:
    """The JSON text of an answer; an answer that cannot be written is an internal error."""
    try:
        return orjson.dumps(answer)
    except TypeError:
        logger.exception("unencodable JSON-RPC answer")
        return orjson.dumps(error_response(None, InternalError("internal error: unencodable result")))


def valid_id(request_id: Any) -> bool:
    """JSON-RPC 2.0: an id is a string, a number or null (never a bool, object or array)."""
    if isinstance(request_id, float):
        return math.isfinite(request_id)
    return request_id is None or (isinstance(request_id, (str, int)) and not isinstance(request_id, bool))


def error_response(request_id: Any, error: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}
