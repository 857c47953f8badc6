"""The compiled contract artifacts the SDK ships (ABI and bytecode).

They are generated from `contracts/` by `scripts/build_artifacts.py`; the SDK never
compiles at run time, so it works without a Vyper compiler.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

#: The contracts the SDK deploys and talks to.
SHIPPED = ("GigEscrow", "ReputationRegistry", "TalentMarket")


class UnknownArtifact(LookupError):
    """No artifact of that name ships with the SDK."""


@cache
def _read_artifact(name: str) -> str:
    if name not in SHIPPED:
        raise UnknownArtifact(f"no artifact named {name!r}; the SDK ships {', '.join(SHIPPED)}")
    return resources.files("gigledger").joinpath("artifacts", f"{name}.json").read_text()


def load_artifact(name: str) -> dict:
    """One shipped artifact: keys abi, bytecode, deployedBytecode, sourceDigest (and more).

    Returns a fresh dict each call, so callers may change it freely.
    """
    return json.loads(_read_artifact(name))


def abi(name: str) -> list[dict]:
    """The ABI of one shipped contract."""
    return load_artifact(name)["abi"]
