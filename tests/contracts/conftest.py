"""Fixtures for the titanoboa contract tests: the cast of accounts, the contracts
and the contract wallets, deployed once per session (see `deployed`)."""

from __future__ import annotations

import pytest
from deployed import Cast, Contracts, Wallet, assemble_cast, deploy_contracts, deploy_wallets


@pytest.fixture(scope="session")
def cast() -> Cast:
    return assemble_cast()


@pytest.fixture(scope="session")
def contracts(cast: Cast) -> Contracts:
    return deploy_contracts(cast)


@pytest.fixture(scope="session")
def wallets() -> tuple[Wallet, ...]:
    return deploy_wallets()
