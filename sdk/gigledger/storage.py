"""Where a Vyper contract keeps a value: storage slots from the compiler's storage layout.

Slots are never hard-coded here: a layout (`vyper -f layout`, or the "layout"
output of `vyper.compiler`) names each variable's slot, and a HashMap entry
lives at keccak256(slot || key) (Vyper's order; Solidity's is the reverse),
applied once per key for nested maps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from eth_utils import keccak

from gigledger.proofs import hex_bytes


class UnknownLayout(KeyError):
    """The layout has no such variable."""


def variable_slot(layout: Mapping[str, Any], name: str) -> int:
    """The slot of storage variable ``name`` in ``layout`` (with or without its "storage_layout" key)."""
    variables = layout.get("storage_layout", layout)
    if name not in variables:
        raise UnknownLayout(f"the storage layout has no variable {name!r}")
    return int(variables[name]["slot"])


def hashmap_slot(base: int, *keys: str | int) -> int:
    """The slot of ``map[keys[0]][keys[1]]...`` for a HashMap at slot ``base``; keys are
    addresses (0x hex) or integers, each as a 32-byte word."""
    slot = base
    for key in keys:
        word = hex_bytes(key).rjust(32, b"\0") if isinstance(key, str) else key.to_bytes(32, "big")
        slot = int.from_bytes(keccak(slot.to_bytes(32, "big") + word), "big")
    return slot


def slot_key(slot: int) -> str:
    """A slot as eth_getProof takes it: a 32-byte hex word (Anvil refuses an odd number of digits)."""
    return "0x" + format(slot, "064x")


def erc20_balance_slot(layout: Mapping[str, Any], holder: str) -> int:
    """The slot of ``balanceOf[holder]`` in a Vyper ERC-20 with this layout."""
    return hashmap_slot(variable_slot(layout, "balanceOf"), holder)


@cache
def _shipped_layout_text(name: str) -> str:
    return resources.files("gigledger").joinpath("artifacts", f"{name}.layout.json").read_text()


def shipped_layout(name: str) -> dict[str, Any]:
    """The storage layout of one contract the SDK ships (written by `make artifacts` beside its ABI)."""
    try:
        return dict(json.loads(_shipped_layout_text(name)))
    except FileNotFoundError:
        raise UnknownLayout(f"no storage layout ships for {name!r}") from None
