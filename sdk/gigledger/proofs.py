"""Merkle-Patricia proofs of what a verified header commits to.

A header's receiptsRoot, transactionsRoot and stateRoot commit to everything a
block holds; with them, an untrusted endpoint's answers can be checked:

- receipts and transactions: the trie keyed by rlp(index) holding each one's
  EIP-2718 encoding is rebuilt and its root compared with the header's;
- accounts and storage: an `eth_getProof` answer (EIP-1186) is walked from the
  stateRoot (and the account's storageRoot) down to the value it claims;
- logsBloom: a 2048-bit filter with no false negatives, so a block whose bloom
  lacks an address or topic holds no log with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rlp
from eth_utils import keccak
from trie import HexaryTrie
from trie.exceptions import BadTrieProof

#: The root of an empty trie (keccak of rlp(b"")).
EMPTY_ROOT = keccak(rlp.encode(b""))


class ProofInvalid(ValueError):
    """A proof that does not lead from the verified root to the value claimed."""


def hex_bytes(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _int(value: str | None) -> int:
    return int(value, 16) if value else 0


def _address(value: str | None) -> bytes:
    return hex_bytes(value) if value else b""


# ---------------------------------------------------------------- receipts


def encode_log(log: Mapping[str, Any]) -> list[Any]:
    return [hex_bytes(log["address"]), [hex_bytes(t) for t in log["topics"]], hex_bytes(log["data"])]


def encode_receipt(receipt: Mapping[str, Any]) -> bytes:
    """A JSON-RPC receipt as the receipts trie holds it (EIP-2718 typed envelope)."""
    body = rlp.encode(
        [
            _int(receipt["status"]),
            _int(receipt["cumulativeGasUsed"]),
            hex_bytes(receipt["logsBloom"]),
            [encode_log(log) for log in receipt["logs"]],
        ]
    )
    kind = _int(receipt.get("type"))
    return body if kind == 0 else bytes([kind]) + body


def ordered_trie_root(items: Sequence[bytes]) -> bytes:
    """The root of the trie keyed by rlp(index) holding ``items`` in order."""
    trie = HexaryTrie({})
    for index, item in enumerate(items):
        trie[rlp.encode(index)] = item
    return trie.root_hash


def receipts_root(receipts: Sequence[Mapping[str, Any]]) -> bytes:
    """The receipts root of a block's receipts, in transaction-index order."""
    ordered = sorted(receipts, key=lambda r: _int(r["transactionIndex"]))
    return ordered_trie_root([encode_receipt(r) for r in ordered])


# ---------------------------------------------------------------- transactions


def _access_list(tx: Mapping[str, Any]) -> list[Any]:
    return [[hex_bytes(e["address"]), [hex_bytes(k) for k in e["storageKeys"]]] for e in tx.get("accessList") or []]


def _authorizations(tx: Mapping[str, Any]) -> list[Any]:
    return [
        [_int(a["chainId"]), hex_bytes(a["address"]), _int(a["nonce"]), _int(a["yParity"]), _int(a["r"]), _int(a["s"])]
        for a in tx.get("authorizationList") or []
    ]


def _signature(tx: Mapping[str, Any]) -> list[int]:
    parity = tx.get("yParity", tx.get("v"))
    return [_int(parity), _int(tx["r"]), _int(tx["s"])]


def encode_transaction(tx: Mapping[str, Any]) -> bytes:
    """A JSON-RPC transaction as the transactions trie holds it (and as its hash covers)."""
    kind = _int(tx.get("type"))
    to, value, data = _address(tx.get("to")), _int(tx["value"]), hex_bytes(tx["input"])
    nonce, gas = _int(tx["nonce"]), _int(tx["gas"])
    if kind == 0:
        return rlp.encode([nonce, _int(tx["gasPrice"]), gas, to, value, data, _int(tx["v"]), _int(tx["r"]), _int(tx["s"])])
    chain = _int(tx["chainId"])
    if kind == 1:
        fields = [chain, nonce, _int(tx["gasPrice"]), gas, to, value, data, _access_list(tx)]
    else:
        fees = [_int(tx["maxPriorityFeePerGas"]), _int(tx["maxFeePerGas"])]
        fields = [chain, nonce, *fees, gas, to, value, data, _access_list(tx)]
        if kind == 3:
            fields += [_int(tx["maxFeePerBlobGas"]), [hex_bytes(h) for h in tx["blobVersionedHashes"]]]
        elif kind == 4:
            fields += [_authorizations(tx)]
        elif kind != 2:
            raise ProofInvalid(f"transaction type {kind} is not known to this auditor")
    return bytes([kind]) + rlp.encode(fields + _signature(tx))


def transactions_root(transactions: Sequence[Mapping[str, Any]]) -> bytes:
    """The transactions root of a block's transactions; each must hash to its own hash."""
    encoded = []
    for tx in sorted(transactions, key=lambda t: _int(t["transactionIndex"])):
        raw = encode_transaction(tx)
        if keccak(raw) != hex_bytes(tx["hash"]):
            raise ProofInvalid(f"transaction {tx['hash']} does not hash to its hash")
        encoded.append(raw)
    return ordered_trie_root(encoded)


# ---------------------------------------------------------------- bloom


@lru_cache(maxsize=1024)
def _bloom_bits(item: bytes) -> tuple[int, ...]:
    digest = keccak(item)
    return tuple(((digest[i] << 8) | digest[i + 1]) & 2047 for i in (0, 2, 4))


def bloom_may_contain(bloom: bytes, item: bytes) -> bool:
    """False only if no log in the block has ``item`` (an address or a topic)."""
    return all(bloom[255 - bit // 8] & (1 << (bit % 8)) for bit in _bloom_bits(item))


# ---------------------------------------------------------------- state


@dataclass(frozen=True)
class ProvenAccount:
    """An account as a verified stateRoot holds it."""

    address: str
    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes
    storage: dict[int, int]


def _walk(root: bytes, key: bytes, proof: Sequence[str], what: str) -> bytes:
    try:
        return HexaryTrie.get_from_proof(root, key, [rlp.decode(hex_bytes(node)) for node in proof])
    except (BadTrieProof, rlp.exceptions.DecodingError, KeyError, IndexError, ValueError) as error:
        raise ProofInvalid(f"{what}: {error or type(error).__name__}") from error


def verify_account_proof(state_root: bytes, answer: Mapping[str, Any], *, address: str | None = None) -> ProvenAccount:
    """The account (and storage slots) an eth_getProof answer proves under ``state_root``.

    Raises ProofInvalid if a proof does not lead to the values the answer claims,
    or (given ``address``) if the answer proves another account than the one asked about.
    """
    if address is not None and str(answer["address"]).lower() != address.lower():
        raise ProofInvalid(f"asked for account {address}, the answer proves {answer['address']}")
    address = answer["address"]
    leaf = _walk(state_root, keccak(hex_bytes(address)), answer["accountProof"], f"account {address}")
    nonce, balance, storage_root, code_hash = (
        rlp.decode(leaf) if leaf else (b"", b"", EMPTY_ROOT, keccak(b""))
    )
    account = ProvenAccount(
        address, int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), storage_root, code_hash, {}
    )
    if (account.balance, account.nonce) != (_int(answer["balance"]), _int(answer["nonce"])):
        raise ProofInvalid(f"account {address}: the proof holds balance {account.balance}, the answer {answer['balance']}")
    for entry in answer.get("storageProof", []):
        slot = _int(entry["key"])
        value = _walk(storage_root, keccak(slot.to_bytes(32, "big")), entry["proof"], f"slot {slot} of {address}")
        proven = int.from_bytes(rlp.decode(value), "big") if value else 0
        if proven != _int(entry["value"]):
            raise ProofInvalid(f"slot {slot} of {address}: the proof holds {proven}, the answer {entry['value']}")
        account.storage[slot] = proven
    return account
