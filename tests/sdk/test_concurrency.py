"""One account sending from several threads at once, against a real node (Anvil)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from gigledger import GigOutOfDate


@pytest.fixture
def client_on_anvil(anvil_chain, anvil_ledger_for):
    return anvil_ledger_for(anvil_chain.accounts[1])


def wait_for_pending(w3, address: str, count: int) -> None:
    """Waits until `count` transactions from `address` sit in the node's pool."""
    mined = w3.eth.get_transaction_count(address)
    deadline = time.monotonic() + 30
    while w3.eth.get_transaction_count(address, "pending") < mined + count:
        assert time.monotonic() < deadline, "transactions never reached the pool"
        time.sleep(0.05)


def test_concurrent_calls_from_one_account_get_distinct_nonces(anvil_chain, client_on_anvil):
    arbiter = anvil_chain.accounts[3].address
    with ThreadPoolExecutor(4) as pool:
        futures = [
            pool.submit(client_on_anvil.create_gig, 1_000, arbiter=arbiter, deadline=timedelta(days=1))
            for _ in range(4)
        ]
        ids = sorted(f.result().gig_id for f in futures)
    assert ids == [1, 2, 3, 4]


def test_a_call_that_fails_once_mined_reports_the_reason_and_transaction(anvil_chain, client_on_anvil,
                                                                         anvil_delivered_gig):
    anvil_chain.set_automine(False)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(client_on_anvil.approve, anvil_delivered_gig) for _ in range(2)]
        wait_for_pending(anvil_chain.w3, client_on_anvil.address, 2)
        anvil_chain.advance(1)
        outcomes = [f.exception() or f.result() for f in futures]
    [failure] = [o for o in outcomes if isinstance(o, Exception)]
    assert isinstance(failure, GigOutOfDate)
    assert failure.transaction_hash.startswith("0x")
