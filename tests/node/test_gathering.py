"""The producer thread's group commit under a stream of submissions: what arrives
while a block is built waits for the stream to pause and is sealed in one block;
a lone transaction is sealed at once."""

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
from eth_utils import keccak

from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.server import Gathering, RpcServer


@pytest.fixture
def producing(chain_node) -> Iterator:
    """producing(gathering) -> an RpcServer over ``chain_node`` whose producer thread runs."""
    started: list[tuple[RpcServer, threading.Thread]] = []

    def start(gathering: Gathering) -> RpcServer:
        server = RpcServer(RpcContext(node=chain_node), admin_token="local-admin-token", gathering=gathering)
        thread = threading.Thread(target=server._produce_on_demand, name="test-producer", daemon=True)
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server._stopping.set()
        server._wake.set()
        server._hurry.set()
        thread.join(timeout=30)


@pytest.fixture
def first_commit_paused(chain_node, monkeypatch) -> tuple[threading.Event, threading.Event]:
    """(committing, release): the first block's commit sets ``committing`` and then
    waits for ``release``, so a test can submit while a block is being committed."""
    store = chain_node.ledger.store
    committing, release = threading.Event(), threading.Event()
    commit, paused = store.commit, []

    def commit_pausing_the_first_block() -> None:
        if not paused:
            paused.append(True)
            committing.set()
            release.wait(30)
        commit()

    monkeypatch.setattr(store, "commit", commit_pausing_the_first_block)
    return committing, release


def submit(server: RpcServer, raw: bytes) -> None:
    """What eth_sendRawTransaction does: admit, then wake the producer."""
    server.ctx.node.submit(raw)
    server.ctx.wake_producer()


def wait_for_head(server: RpcServer, number: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while server.ctx.ledger.head().block_number < number:
        assert time.monotonic() < deadline, f"no block {number} within {timeout} s"
        time.sleep(0.01)


def block_sizes(server: RpcServer, numbers: range) -> list[int]:
    ledger = server.ctx.ledger
    return [len(ledger.transactions(ledger.canonical_header(n))) for n in numbers]


def test_transactions_streaming_in_while_a_block_is_built_are_sealed_in_one_block(
    producing, first_commit_paused, dev_accounts, transfer
):
    server = producing(Gathering(quiet=0.5, most=10))
    sender = dev_accounts[0]
    committing, release = first_commit_paused
    submit(server, transfer(sender, 0))
    assert committing.wait(10)
    submit(server, transfer(sender, 1))  # arrives while block 1 is being committed
    release.set()
    for nonce in (2, 3):
        time.sleep(0.05)
        submit(server, transfer(sender, nonce))
    wait_for_head(server, 2)

    assert block_sizes(server, range(1, 3)) == [1, 3]


def test_a_lone_transaction_is_sealed_without_gathering(producing, dev_accounts, transfer):
    server = producing(Gathering(quiet=30, most=30))
    submit(server, transfer(dev_accounts[0], 0))
    wait_for_head(server, 1, timeout=5)

    assert block_sizes(server, range(1, 2)) == [1]


def test_a_transaction_whose_receipt_is_awaited_is_sealed_without_gathering(
    producing, first_commit_paused, dev_accounts, transfer
):
    """Block 1 is being committed when the next transaction arrives (a stream), but
    its receipt is polled at once: block 2 is sealed without waiting for the stream."""
    server = producing(Gathering(quiet=30, most=30))
    sender = dev_accounts[0]
    committing, release = first_commit_paused

    async def poll_the_second_transaction() -> dict:
        server._loop, server._sealed = asyncio.get_running_loop(), asyncio.Event()
        submit(server, transfer(sender, 0))
        assert await asyncio.get_running_loop().run_in_executor(None, committing.wait, 10)
        submit(server, transfer(sender, 1))  # arrives while block 1 is being committed
        poll = {"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt",
                "params": ["0x" + keccak(transfer(sender, 1)).hex()]}
        answer = asyncio.create_task(server._dispatch(server.dispatcher, poll, False))
        await asyncio.sleep(0.05)  # the poll is held: the transaction is pooled
        release.set()
        return await asyncio.wait_for(answer, 5)

    receipt = asyncio.run(poll_the_second_transaction())["result"]
    assert receipt is not None and int(receipt["blockNumber"], 16) == 2
