"""Who sealed a block: pure checks of a JSON-RPC block header (the one seal check).

The node seals Clique-style (the node's `chain/sealing.py` signs; checking is
only here, and the node's tests use it too): a sealed header's extraData is 32 bytes of vanity then a 65-byte
secp256k1 signature (r || s || v, v in {0, 1}) by an authority over
keccak(rlp(header with the signature removed from extraData)). The genesis
header lists the authorities instead: vanity || 20-byte addresses || 65 zeros.

Everything here works from the block as `eth_getBlockByHash` returns it, with
nothing but `rlp` and `eth_keys`: the header is rebuilt field by field and must
hash to the block's own hash before its seal is believed. GigLedger nodes serve
the 32-byte vanity as `extraData` (so web3.py and Ape need no PoA middleware)
and the whole sealed value as `sealedExtraData`; the header holds the latter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import rlp
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from eth_utils import keccak, to_checksum_address

VANITY_LENGTH = 32
SIGNATURE_LENGTH = 65
ADDRESS_LENGTH = 20

# Header fields in RLP order, as JSON-RPC names them; True for integers. Forks
# append fields, so a header holds a prefix of this list from baseFeePerGas on.
HEADER_FIELDS: tuple[tuple[str, bool], ...] = (
    ("parentHash", False),
    ("sha3Uncles", False),
    ("miner", False),
    ("stateRoot", False),
    ("transactionsRoot", False),
    ("receiptsRoot", False),
    ("logsBloom", False),
    ("difficulty", True),
    ("number", True),
    ("gasLimit", True),
    ("gasUsed", True),
    ("timestamp", True),
    ("extraData", False),
    ("mixHash", False),
    ("nonce", False),
    ("baseFeePerGas", True),
    ("withdrawalsRoot", False),
    ("blobGasUsed", True),
    ("excessBlobGas", True),
    ("parentBeaconBlockRoot", False),
    ("requestsHash", False),
)
_FIRST_OPTIONAL = 15


class SealError(ValueError):
    """A header that cannot be checked: it does not hash to its hash, or holds no seal."""


class HeaderHashMismatch(SealError):
    """The header fields served do not hash to the block hash served with them."""


class UnsealedHeader(SealError):
    """extraData too short to hold a seal, or a signature nothing can be recovered from."""


def _bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def extra_data(block: Mapping[str, Any]) -> bytes:
    """The header's extraData: `sealedExtraData` where the node serves one."""
    return _bytes(block.get("sealedExtraData") or block["extraData"])


def header_fields(block: Mapping[str, Any]) -> list[int | bytes]:
    """The header's RLP fields, in order, from a JSON-RPC block (hex or bytes values)."""
    values: list[int | bytes] = []
    for position, (name, is_int) in enumerate(HEADER_FIELDS):
        if block.get(name) is None:
            if position < _FIRST_OPTIONAL:
                raise SealError(f"block has no {name}")
            break
        if name == "extraData":
            values.append(extra_data(block))
        else:
            values.append(_int(block[name]) if is_int else _bytes(block[name]))
    return values


def checked_header(block: Mapping[str, Any]) -> list[int | bytes]:
    """The header fields, after proving they hash to the block's hash."""
    values = header_fields(block)
    if keccak(rlp.encode(values)) != _bytes(block["hash"]):
        raise HeaderHashMismatch(f"block {_int(block['number'])}: header fields do not hash to {block['hash']}")
    return values


_EXTRA_DATA = 12


def seal_hash(values: list[int | bytes]) -> bytes:
    """What the authority signed: the header with the signature cut from extraData."""
    extra = _bytes(values[_EXTRA_DATA])
    if len(extra) < VANITY_LENGTH + SIGNATURE_LENGTH:
        raise UnsealedHeader(f"extraData is {len(extra)} bytes, too short for a seal")
    unsealed = list(values)
    unsealed[_EXTRA_DATA] = extra[:-SIGNATURE_LENGTH]
    return keccak(rlp.encode(unsealed))


def sealer_of(values: list[int | bytes]) -> str:
    """The checksummed address whose key signed the header with these RLP fields.

    Raises UnsealedHeader if extraData carries no recoverable seal.
    """
    digest = seal_hash(values)
    try:
        signature = keys.Signature(_bytes(values[_EXTRA_DATA])[-SIGNATURE_LENGTH:])
        public_key = signature.recover_public_key_from_msg_hash(digest)
    except (BadSignature, ValidationError) as error:
        raise UnsealedHeader(f"block {_int_field(values[8])}: {error}") from error
    return public_key.to_checksum_address()


def recover_sealer(block: Mapping[str, Any]) -> str:
    """The checksummed address whose key sealed ``block`` (a JSON-RPC block).

    Raises HeaderHashMismatch if the fields served are not the block's, and
    UnsealedHeader if it carries no recoverable seal.
    """
    return sealer_of(checked_header(block))


def is_sealed_by(block: Mapping[str, Any], authorities: Iterable[str]) -> bool:
    """True when ``block`` hashes to its hash and one of ``authorities`` sealed it."""
    try:
        sealer = recover_sealer(block)
    except SealError:
        return False
    return sealer.lower() in {a.lower() for a in authorities}


def _int_field(value: int | bytes) -> int:
    return value if isinstance(value, int) else int.from_bytes(value, "big")


def authorities_from_genesis(genesis: Mapping[str, Any]) -> list[str]:
    """The authority list in a Clique-style genesis extraData; empty for an unsealed chain."""
    return authorities_in_extra_data(extra_data(genesis))


def authorities_in_extra_data(extra: bytes) -> list[str]:
    """The authorities a genesis extraData lists (vanity || addresses || 65 zeros); empty if none."""
    body = extra[VANITY_LENGTH:-SIGNATURE_LENGTH] if len(extra) >= VANITY_LENGTH + SIGNATURE_LENGTH else b""
    if len(body) % ADDRESS_LENGTH:
        return []
    return [to_checksum_address(body[i : i + ADDRESS_LENGTH]) for i in range(0, len(body), ADDRESS_LENGTH)]
