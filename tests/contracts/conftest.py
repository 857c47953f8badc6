"""Fixtures for the titanoboa contract tests: the cast of accounts and the
contracts, deployed once per session (see `deployed`)."""

from __future__ import annotations

import pytest
from deployed import Cast, Contracts, assemble_cast, deploy_contracts


@pytest.fixture(scope="session")
def cast() -> Cast:
    return assemble_cast()


@pytest.fixture(scope="session")
def contracts(cast: Cast) -> Contracts:
    return deploy_contracts(cast)
