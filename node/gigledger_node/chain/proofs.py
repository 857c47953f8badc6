"""EIP-1186 Merkle proofs: an account and some of its storage slots, against a state root.

The account proof is the path of trie nodes from the block's stateRoot to the
leaf at keccak(address); each storage proof is the path from the account's
storageRoot to the leaf at keccak(slot). As geth does, a proof lists only the
nodes stored by hash (plus the root): a node shorter than 32 bytes is embedded
in its parent and travels inside it. Anyone holding the header can check the
values with nothing but the proof (``HexaryTrie.get_from_proof``); an absent
account or slot is proven by the path that shows it is not there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.rlp.accounts import Account
from eth_utils import keccak
from rlp.sedes import big_endian_int
from trie import HexaryTrie

EMBED_LIMIT = 32  # nodes whose RLP is shorter than this are inlined in their parent


@dataclass(frozen=True)
class StorageProof:
    slot: int
    value: int
    proof: list[bytes]  # RLP-encoded trie nodes, root first


@dataclass(frozen=True)
class AccountProof:
    address: bytes
    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes
    proof: list[bytes]  # RLP-encoded trie nodes, stateRoot's node first
    storage: list[StorageProof]


def prove_account(db: Mapping[bytes, bytes], state_root: bytes, address: bytes, slots: Sequence[int]) -> AccountProof:
    """The proof of ``address`` and its ``slots`` in the state with root ``state_root``."""
    state = HexaryTrie(db, state_root)
    path = keccak(address)
    encoded = state.get(path)
    account = rlp.decode(encoded, sedes=Account) if encoded else Account(0, 0, BLANK_ROOT_HASH, EMPTY_SHA3)
    storage = HexaryTrie(db, account.storage_root)
    return AccountProof(
        address=address,
        nonce=account.nonce,
        balance=account.balance,
        storage_root=account.storage_root,
        code_hash=account.code_hash,
        proof=_proof(state, path),
        storage=[_prove_slot(storage, slot) for slot in slots],
    )


def _prove_slot(storage: HexaryTrie, slot: int) -> StorageProof:
    path = keccak(slot.to_bytes(32, "big"))
    encoded = storage.get(path)
    value = rlp.decode(encoded, sedes=big_endian_int) if encoded else 0
    return StorageProof(slot, value, _proof(storage, path))


def _proof(trie: HexaryTrie, path: bytes) -> list[bytes]:
    if trie.root_hash == BLANK_ROOT_HASH:
        return []
    nodes = [rlp.encode(node) for node in trie.get_proof(path)]
    return nodes[:1] + [node for node in nodes[1:] if len(node) >= EMBED_LIMIT]
