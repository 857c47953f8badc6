"""Index-keyed Merkle-Patricia tries (transactions, receipts) built in one pass.

py-evm builds a block's transaction and receipt tries by inserting items one at
a time into a HexaryTrie, re-hashing the path each time; for blocks of hundreds
of transactions that costs more than executing them. Here the whole trie is
built bottom-up from the sorted keys, each node encoded and hashed once. The
result (root and node dict) is byte-for-byte what py-evm computes; a test
compares the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import rlp
from eth.constants import BLANK_ROOT_HASH
from eth_utils import keccak

Nibbles = bytes  # one nibble (0-15) per byte
EMBED_LIMIT = 32  # nodes whose RLP is shorter than this are inlined in their parent


def ordered_trie_root(items: Iterable[bytes]) -> tuple[bytes, dict[bytes, bytes]]:
    """Root hash and hash->node map of the trie {rlp(i): item_i}."""
    leaves = sorted((_nibbles(rlp.encode(i)), item) for i, item in enumerate(items))
    if not leaves:
        return BLANK_ROOT_HASH, {}
    nodes: dict[bytes, bytes] = {}
    encoded = rlp.encode(_build(leaves, 0, nodes))
    root = keccak(encoded)
    nodes[root] = encoded
    return root, nodes


def _build(leaves: Sequence[tuple[Nibbles, bytes]], depth: int, nodes: dict[bytes, bytes]) -> list:
    """The node holding ``leaves`` (all sharing their first ``depth`` nibbles)."""
    if len(leaves) == 1:
        key, value = leaves[0]
        return [_hex_prefix(key[depth:], leaf=True), value]
    shared = _common_prefix_length(leaves[0][0], leaves[-1][0], depth)
    if shared > depth:
        child = _build(leaves, shared, nodes)
        return [_hex_prefix(leaves[0][0][depth:shared], leaf=False), _reference(child, nodes)]
    branch: list = [b""] * 17
    start = 0
    while start < len(leaves):
        nibble = leaves[start][0][depth]
        end = start
        while end < len(leaves) and leaves[end][0][depth] == nibble:
            end += 1
        branch[nibble] = _reference(_build(leaves[start:end], depth + 1, nodes), nodes)
        start = end
    return branch


def _reference(node: list, nodes: dict[bytes, bytes]) -> list | bytes:
    encoded = rlp.encode(node)
    if len(encoded) < EMBED_LIMIT:
        return node
    digest = keccak(encoded)
    nodes[digest] = encoded
    return digest


def _common_prefix_length(first: Nibbles, last: Nibbles, start: int) -> int:
    """Sorted keys: the prefix shared by the first and last is shared by all."""
    end = start
    while end < min(len(first), len(last)) and first[end] == last[end]:
        end += 1
    return end


def _nibbles(key: bytes) -> Nibbles:
    return bytes(n for byte in key for n in (byte >> 4, byte & 0x0F))


def _hex_prefix(path: Nibbles, leaf: bool) -> bytes:
    """The yellow paper's hex-prefix encoding of a nibble path."""
    flag = 2 if leaf else 0
    if len(path) % 2:
        path = bytes([flag + 1]) + path
    else:
        path = bytes([flag, 0]) + path
    return bytes(path[i] << 4 | path[i + 1] for i in range(0, len(path), 2))
