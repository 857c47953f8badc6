"""The explorer's token shelf looks again at a token it shows in raw units, so a token
whose metadata the indexer read again is shown in its own units without a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from index.synthetic import SyntheticChain, account

from gigledger_node.index.db import open_index
from gigledger_node.index.tokens import RETRY_BLOCKS
from gigledger_node.web.display import RECHECK_UNKNOWN, TokenShelf

USDC, CLIENT = account(0xC0), account(1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def flaky_usdc(tmp_path) -> Iterator[SyntheticChain]:
    """A chain whose USDC metadata call fails once, with a USDC gig indexed."""
    engine = open_index(f"sqlite:///{tmp_path / 'index.sqlite'}")
    chain = SyntheticChain(engine, tokens={USDC: (6, "USDC")})
    chain.endpoint.failing[USDC] = 1
    chain.created(CLIENT, 250_500_000, token=USDC)
    chain.mine()
    yield chain
    engine.dispose()


def test_a_token_shown_in_raw_units_is_looked_up_again_after_a_while(flaky_usdc):
    clock = Clock()
    shelf = TokenShelf(flaky_usdc.indexer.engine, clock=clock)
    before = shelf.info(USDC).decimals
    for _ in range(RETRY_BLOCKS):
        flaky_usdc.mine()
    clock.now += RECHECK_UNKNOWN

    assert (before, shelf.info(USDC).label) == (None, "USDC")
