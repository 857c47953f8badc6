"""Parsing JSON-RPC parameters; anything malformed becomes InvalidParams (-32602)."""

from __future__ import annotations

import re
from typing import Any

from eth_utils import to_canonical_address

from gigledger_node.chain.calls import CallRequest
from gigledger_node.rpc.errors import InvalidParams

_QUANTITY = re.compile(r"^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$")
_DATA = re.compile(r"^0x([0-9a-fA-F]{2})*$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
BLOCK_TAGS = ("earliest", "latest", "pending", "safe", "finalized")
MAX_QUANTITY = 2**256 - 1


def quantity(value: Any, name: str = "quantity") -> int:
    """A hex quantity ("0x1a"); a JSON integer is accepted too, as geth does."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_QUANTITY:
        return value
    if isinstance(value, str) and len(value) <= 66 and _QUANTITY.fullmatch(value):
        return int(value, 16)
    raise InvalidParams(f"invalid argument: {name} must be a hex quantity, got {value!r:.80}")


def data(value: Any, name: str = "data") -> bytes:
    """Hex-encoded bytes ("0x" + an even number of hex digits)."""
    if isinstance(value, str) and _DATA.fullmatch(value):
        return bytes.fromhex(value[2:])
    raise InvalidParams(f"invalid argument: {name} must be hex data, got {value!r:.80}")


def storage_slot(value: Any) -> int:
    """A storage slot: up to 32 bytes of hex, leading zeros allowed (execution-apis' bytesMax32)."""
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]{1,64}", value):
        return int(value, 16)
    raise InvalidParams(f"invalid argument: slot must be at most 32 bytes of hex, got {value!r:.80}")


def fixed_data(value: Any, length: int, name: str) -> bytes:
    raw = data(value, name)
    if len(raw) != length:
        raise InvalidParams(f"invalid argument: {name} must be {length} bytes")
    return raw


def address(value: Any, name: str = "address") -> bytes:
    if isinstance(value, str) and _ADDRESS.fullmatch(value):
        return to_canonical_address(value)
    raise InvalidParams(f"invalid argument: {name} must be a 20-byte hex address, got {value!r:.80}")


def boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InvalidParams(f"invalid argument: {name} must be a boolean")


def block_id(value: Any) -> int | str | bytes:
    """A block number, a tag, a 32-byte hash, or an EIP-1898 object."""
    if isinstance(value, dict):
        if "blockHash" in value:
            return fixed_data(value["blockHash"], 32, "blockHash")
        if "blockNumber" in value:
            return block_id(value["blockNumber"])
        raise InvalidParams("invalid argument: block object needs blockHash or blockNumber")
    if value in BLOCK_TAGS:
        return value
    if isinstance(value, str) and len(value) == 66:
        return fixed_data(value, 32, "block hash")
    return quantity(value, "block number")


def obj(value: Any, name: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise InvalidParams(f"invalid argument: {name} must be an object")


def call_request(value: Any) -> CallRequest:
    """A transaction-call object (eth_call / eth_estimateGas)."""
    fields = obj(value, "transaction")
    payload = fields.get("input", fields.get("data"))
    price = fields.get("gasPrice", fields.get("maxFeePerGas"))
    return CallRequest(
        sender=address(fields["from"], "from") if fields.get("from") else b"\0" * 20,
        to=address(fields["to"], "to") if fields.get("to") else b"",
        gas=quantity(fields["gas"], "gas") if fields.get("gas") is not None else None,
        gas_price=quantity(price, "gasPrice") if price is not None else 0,
        value=quantity(fields["value"], "value") if fields.get("value") is not None else 0,
        data=data(payload, "input") if payload is not None else b"",
    )
