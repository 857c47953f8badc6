"""The one-pass trie builder agrees with py-evm's, node for node."""

import pytest
from eth.db.trie import make_trie_root_and_nodes
from hypothesis import given, settings
from hypothesis import strategies as st

from gigledger_node.chain.trie import ordered_trie_root


class Encoded:
    """What py-evm's builder expects: something with .encode()."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def encode(self) -> bytes:
        return self.payload


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=80), max_size=300))
def test_root_and_nodes_match_py_evm(items):
    assert ordered_trie_root(items) == make_trie_root_and_nodes([Encoded(i) for i in items])


@pytest.mark.parametrize("count", [0, 1, 16, 17, 128, 129, 1000])
def test_root_matches_py_evm_at_rlp_key_boundaries(count):
    items = [bytes([i % 251]) * (1 + i % 40) for i in range(count)]
    assert ordered_trie_root(items) == make_trie_root_and_nodes([Encoded(i) for i in items])
