"""One process-wide switch: keccak-256 through pysha3's C code instead of pycryptodome's.

Every hash py-evm, trie, rlp and eth-utils compute goes through the one
``eth_hash.auto.keccak`` object, which picks pycryptodome when both backends are
installed; its per-call overhead is about 3.6 us against pysha3's 0.5 us, and a
block hashes thousands of trie nodes, so cProfile put 5-10% of a block in it.
Without pysha3 this does nothing: the hashes are the same either way.
"""

from __future__ import annotations

from eth_hash.auto import keccak


def use_native_keccak() -> bool:
    """Point ``eth_hash.auto.keccak`` at pysha3 if it is installed; returns whether it is."""
    try:
        from eth_hash.backends.pysha3 import keccak256, preimage
    except ImportError:
        return False
    keccak.hasher = keccak256  # type: ignore[assignment]
    keccak.preimage = preimage  # type: ignore[assignment]
    return True
