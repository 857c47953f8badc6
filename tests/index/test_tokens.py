"""Token metadata: read once over JSON-RPC, cached in the index, never believed when absurd."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gigledger.client import GigLedger
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries
from gigledger_node.index.tokens import RETRY_BLOCKS, token_book

from .named_tokens import deploy_named_token, deploy_nameless_token
from .story import deploy_contracts, dev_account, web3_of
from .synthetic import SyntheticChain, account

USDC, WEIRD, FAKE_ETH, LONG = account(0xC0), account(0xC1), account(0xC2), account(0xC3)
CLIENT, FREELANCER = account(1), account(2)


def test_amounts_of_real_tokens_are_shown_in_their_own_units(anvil, engine):
    w3 = web3_of(anvil)
    deployment = deploy_contracts(anvil)
    client, freelancer = dev_account(1), dev_account(2)
    usdc = deploy_named_token(w3, dev_account(0), "USDC", 6, [client.address])
    dai = deploy_named_token(w3, dev_account(0), "DAI", 18, [client.address])
    plain = deploy_nameless_token(w3, dev_account(0), [client.address])
    ledger = GigLedger(w3, deployment, client)
    for token, amount in ((usdc, 250_500_000), (dai, 3 * 10**17), (plain, 42)):
        ledger.create_gig(amount, token=token, freelancer=freelancer.address, arbiter=dev_account(3).address, deadline=timedelta(days=7))
    Indexer(engine, Endpoint(anvil), deployment).sync()

    shown = {g.token: (g.amount_formatted, g.token_label) for g in Queries(engine).gigs().items}

    assert shown == {usdc: ("250.5", "USDC"), dai: ("0.3", "DAI"), plain: ("42", f"units of {plain}")}


@pytest.fixture
def tokens_chain(engine) -> SyntheticChain:
    """A pretend chain whose token contracts answer: USDC honestly, the others absurdly."""
    return SyntheticChain(engine, tokens={USDC: (6, "USDC"), WEIRD: (255, "WEIRD"), FAKE_ETH: (18, "ETH"), LONG: (18, "X" * 40)})


def test_token_metadata_is_read_once(tokens_chain, engine):
    tokens_chain.created(CLIENT, 10, token=USDC)
    tokens_chain.mine()
    tokens_chain.created(CLIENT, 10, token=USDC)
    tokens_chain.mine()

    assert len(tokens_chain.endpoint.calls) == 2 and token_book(engine)[USDC].decimals == 6


def test_absurd_decimals_leave_amounts_in_raw_units(tokens_chain, engine):
    tokens_chain.created(CLIENT, 10**20, token=WEIRD)
    tokens_chain.mine()

    gig = Queries(engine).gigs().items[0]

    assert (gig.amount_formatted, gig.token_label) == (str(10**20), f"units of {WEIRD}")


@pytest.mark.parametrize("token", [FAKE_ETH, LONG])
def test_a_token_cannot_pass_itself_off_with_a_misleading_symbol(tokens_chain, engine, token):
    tokens_chain.created(CLIENT, 10**18, token=token)
    tokens_chain.mine()

    gig = Queries(engine).gigs().items[0]

    assert (gig.amount_formatted, gig.token_label) == ("1", token)


def test_a_token_without_metadata_is_shown_in_raw_units_with_its_address(tokens_chain, engine):
    nameless = account(0xC4)
    tokens_chain.created(CLIENT, 123, token=nameless)
    tokens_chain.mine()

    gig = Queries(engine).gigs().items[0]

    assert (gig.amount_formatted, gig.token_symbol, gig.token_label) == ("123", None, f"units of {nameless}")


def test_a_timed_out_metadata_call_stores_nothing_and_indexes_nothing_of_that_range(engine):
    from gigledger_node.index.endpoint import EndpointUnreachable

    slow = account(0xC5)
    chain = SyntheticChain(engine, tokens={slow: "timeout"})
    chain.created(CLIENT, 10, token=slow)

    with pytest.raises(EndpointUnreachable):
        chain.mine()

    assert token_book(engine).get(slow) is None and Queries(engine).gigs().total == 0


# ---------------------------------------------------------------- a read that failed is read again


@pytest.fixture
def flaky_usdc(tokens_chain) -> SyntheticChain:
    """USDC's first metadata call fails with an endpoint error (not the token's answer)."""
    tokens_chain.endpoint.failing[USDC] = 1
    tokens_chain.created(CLIENT, 250_500_000, token=USDC)
    tokens_chain.mine()
    return tokens_chain


def _mine_empty_blocks(chain: SyntheticChain, count: int) -> None:
    for _ in range(count):
        chain.mine()


def test_a_failed_metadata_read_leaves_the_amount_in_raw_units_meanwhile(flaky_usdc, engine):
    gig = Queries(engine).gigs().items[0]

    assert (gig.amount_formatted, gig.token_label) == ("250500000", f"units of {USDC}")


def test_a_failed_metadata_read_is_read_again_once_the_chain_moves_on(flaky_usdc, engine):
    _mine_empty_blocks(flaky_usdc, RETRY_BLOCKS)

    gig = Queries(engine).gigs().items[0]

    assert (gig.amount_formatted, gig.token_label) == ("250.5", "USDC")


def test_a_failed_metadata_read_is_not_read_again_on_every_block(flaky_usdc):
    calls = len(flaky_usdc.endpoint.calls)
    _mine_empty_blocks(flaky_usdc, RETRY_BLOCKS - 1)

    assert len(flaky_usdc.endpoint.calls) == calls


def test_a_read_that_succeeded_after_failing_is_not_read_again(flaky_usdc):
    _mine_empty_blocks(flaky_usdc, RETRY_BLOCKS)
    calls = len(flaky_usdc.endpoint.calls)
    _mine_empty_blocks(flaky_usdc, 2 * RETRY_BLOCKS)

    assert len(flaky_usdc.endpoint.calls) == calls


def test_a_token_that_reverts_is_believed_and_not_read_again(tokens_chain):
    nameless = account(0xC6)
    tokens_chain.created(CLIENT, 1, token=nameless)
    tokens_chain.mine()
    calls = len(tokens_chain.endpoint.calls)
    _mine_empty_blocks(tokens_chain, 2 * RETRY_BLOCKS)

    assert len(tokens_chain.endpoint.calls) == calls
