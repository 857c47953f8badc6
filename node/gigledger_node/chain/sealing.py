"""Clique-style proof-of-authority sealing: the signing half.

A sealed header's extraData is 32 bytes of vanity followed by a 65-byte
secp256k1 signature (r || s || v, v in {0, 1}) by an authority key over
keccak(rlp(header with the signature removed from extraData)), exactly as
Clique computes its seal hash. The genesis header carries the authority list
instead: vanity || addresses (20 bytes each) || 65 zero bytes.

Checking a seal is the SDK's (`gigledger.seal`): one implementation, used by
the auditor, the indexer and the tests alike; this module only signs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eth.abc import BlockHeaderAPI
from eth_keys.datatypes import PrivateKey
from eth_utils import to_canonical_address

from gigledger.seal import ADDRESS_LENGTH, SIGNATURE_LENGTH, VANITY_LENGTH, seal_hash

__all__ = ["ADDRESS_LENGTH", "SIGNATURE_LENGTH", "VANITY_LENGTH", "genesis_extra_data", "seal"]


def seal(header: BlockHeaderAPI, authority_key: PrivateKey) -> BlockHeaderAPI:
    """Return ``header`` with its signature slot filled in by ``authority_key``."""
    vanity = header.extra_data[:VANITY_LENGTH].ljust(VANITY_LENGTH, b"\0")
    # The header's RLP fields straight from its sedes (not an encode and a decode,
    # nor a copy of the header just to blank the slot: cProfile put a third of an
    # empty block's CPU in header copies and RLP round trips, sealing the most).
    sedes: Any = type(header)  # an rlp Serializable, which the header ABC does not say
    fields: list[int | bytes] = sedes.serialize(header)
    fields[sedes._meta.field_names.index("extra_data")] = vanity + b"\0" * SIGNATURE_LENGTH
    signature = authority_key.sign_msg_hash(seal_hash(fields))
    return header.copy(extra_data=vanity + signature.to_bytes())


def genesis_extra_data(authorities: Iterable[str]) -> bytes:
    """Clique's genesis extraData: vanity, the authority addresses, an empty seal."""
    addresses = b"".join(to_canonical_address(a) for a in authorities)
    return b"\0" * VANITY_LENGTH + addresses + b"\0" * SIGNATURE_LENGTH
