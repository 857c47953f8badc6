"""Clique-style proof-of-authority seals, and their pure verification.

A sealed header's extraData is 32 bytes of vanity followed by a 65-byte
secp256k1 signature (r || s || v, v in {0, 1}) by an authority key over
keccak(rlp(header with the signature removed from extraData)), exactly as
Clique computes its seal hash. The genesis header carries the authority list
instead: vanity || addresses (20 bytes each) || 65 zero bytes.

Everything here is a pure function of a header, so the indexer and auditors can
check who produced a block with nothing but the header and the authority list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import rlp
from eth.abc import BlockHeaderAPI
from eth_keys import keys
from eth_keys.exceptions import BadSignature
from eth_keys.exceptions import ValidationError as KeyValidationError
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_bytes, to_canonical_address, to_checksum_address, to_int

VANITY_LENGTH = 32
SIGNATURE_LENGTH = 65
ADDRESS_LENGTH = 20


class InvalidSeal(ValueError):
    """A header whose extraData does not hold a recoverable authority signature."""


def seal_hash(header: BlockHeaderAPI) -> bytes:
    """The hash an authority signs: the header with the signature stripped."""
    if len(header.extra_data) < VANITY_LENGTH + SIGNATURE_LENGTH:
        raise InvalidSeal(f"extraData is {len(header.extra_data)} bytes, too short for a seal")
    unsealed = header.copy(extra_data=header.extra_data[:-SIGNATURE_LENGTH])
    return keccak(rlp.encode(unsealed))


def seal(header: BlockHeaderAPI, authority_key: keys.PrivateKey) -> BlockHeaderAPI:
    """Return ``header`` with its signature slot filled in by ``authority_key``."""
    vanity = header.extra_data[:VANITY_LENGTH].ljust(VANITY_LENGTH, b"\0")
    unsigned = header.copy(extra_data=vanity + b"\0" * SIGNATURE_LENGTH)
    signature = authority_key.sign_msg_hash(seal_hash(unsigned))
    return unsigned.copy(extra_data=vanity + signature.to_bytes())


def recover_sealer(header: BlockHeaderAPI) -> ChecksumAddress:
    """The address whose key signed ``header``; raises InvalidSeal if none did."""
    signature_bytes = header.extra_data[-SIGNATURE_LENGTH:]
    try:
        signature = keys.Signature(signature_bytes)
        public_key = signature.recover_public_key_from_msg_hash(seal_hash(header))
    except (BadSignature, KeyValidationError) as error:
        raise InvalidSeal(f"block {header.block_number}: {error}") from error
    return public_key.to_checksum_address()


def verify_seal(header: BlockHeaderAPI, authorities: Iterable[str]) -> bool:
    """True when ``header`` is sealed by one of ``authorities``."""
    allowed = {to_canonical_address(a) for a in authorities}
    try:
        return to_canonical_address(recover_sealer(header)) in allowed
    except InvalidSeal:
        return False


def genesis_extra_data(authorities: Iterable[str]) -> bytes:
    """Clique's genesis extraData: vanity, the authority addresses, an empty seal."""
    addresses = b"".join(to_canonical_address(a) for a in authorities)
    return b"\0" * VANITY_LENGTH + addresses + b"\0" * SIGNATURE_LENGTH


def authorities_from_genesis(genesis: BlockHeaderAPI) -> list[ChecksumAddress]:
    """The authority list recorded in the genesis header's extraData."""
    body = genesis.extra_data[VANITY_LENGTH:-SIGNATURE_LENGTH]
    return [
        to_checksum_address(body[i : i + ADDRESS_LENGTH])
        for i in range(0, len(body), ADDRESS_LENGTH)
    ]


# JSON-RPC block field -> py-evm header field, for headers read over the wire.
_RPC_HEADER_FIELDS = {
    "parentHash": "parent_hash",
    "sha3Uncles": "uncles_hash",
    "miner": "coinbase",
    "stateRoot": "state_root",
    "transactionsRoot": "transaction_root",
    "receiptsRoot": "receipt_root",
    "logsBloom": "bloom",
    "difficulty": "difficulty",
    "number": "block_number",
    "gasLimit": "gas_limit",
    "gasUsed": "gas_used",
    "timestamp": "timestamp",
    "extraData": "extra_data",
    "mixHash": "mix_hash",
    "nonce": "nonce",
    "baseFeePerGas": "base_fee_per_gas",
    "withdrawalsRoot": "withdrawals_root",
    "blobGasUsed": "blob_gas_used",
    "excessBlobGas": "excess_blob_gas",
    "parentBeaconBlockRoot": "parent_beacon_block_root",
    "requestsHash": "requests_hash",
}
_INT_FIELDS = {"bloom", "difficulty", "block_number", "gas_limit", "gas_used", "timestamp",
               "base_fee_per_gas", "blob_gas_used", "excess_blob_gas"}


def header_from_rpc(block: Mapping[str, Any]) -> BlockHeaderAPI:
    """Rebuild the py-evm header of a JSON-RPC block (hex strings or bytes).

    GigLedger nodes serve the full sealed extraData as ``sealedExtraData`` (and
    only its vanity as ``extraData``, for web3.py); other Clique nodes serve it
    whole as ``extraData``. Both work here.

    Raises InvalidSeal when the rebuilt header does not hash to the block's
    ``hash``, so a seal is never checked against a header the server made up.
    """
    from eth.vm.forks.prague.blocks import PragueBlockHeader

    fields: dict[str, Any] = {}
    for rpc_name, field in _RPC_HEADER_FIELDS.items():
        value = block.get("sealedExtraData", block["extraData"]) if rpc_name == "extraData" else block[rpc_name]
        if field in _INT_FIELDS:
            fields[field] = value if isinstance(value, int) else to_int(hexstr=value)
        elif field == "coinbase":
            fields[field] = to_canonical_address(value)
        else:
            fields[field] = value if isinstance(value, bytes) else to_bytes(hexstr=value)
    header = PragueBlockHeader(**fields)
    expected = block["hash"]
    expected = expected if isinstance(expected, bytes) else to_bytes(hexstr=expected)
    if header.hash != expected:
        raise InvalidSeal(f"block {header.block_number}: fields do not hash to its hash")
    return header
