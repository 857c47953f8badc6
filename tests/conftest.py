"""Hypothesis profiles for the whole suite.

`make test` runs the "ci" profile: derandomized, so every run draws the same
examples; a red run is reproducible and a green one means the same thing twice.
`GIGLEDGER_FUZZ=deep` draws fresh random examples on every run (and the contract
state machines run longer, see tests/contracts), for hunting new bugs.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("deep", derandomize=False)
settings.load_profile(os.environ.get("GIGLEDGER_FUZZ", "ci"))
