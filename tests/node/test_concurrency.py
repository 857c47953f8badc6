"""Blocks sealed on the producer thread while the event loop admits and serves reads:
every answer seen by concurrent clients is consistent with committed blocks only."""

import threading

from .conftest import NodeProcess

SENDERS = 4
TRANSFERS_EACH = 12
RECIPIENT = "0x" + "42" * 20


class Sender(threading.Thread):
    """Sends transfers one after another from one account, waiting for each receipt."""

    def __init__(self, node: NodeProcess, account, transfer) -> None:
        super().__init__(daemon=True)
        self.node, self.account, self.transfer = node, account, transfer
        self.receipts: list[dict] = []

    def run(self) -> None:
        start = int(self.node.rpc("eth_getTransactionCount", self.account.address, "pending")["result"], 16)
        for nonce in range(start, start + TRANSFERS_EACH):
            tx_hash = self.node.rpc("eth_sendRawTransaction", "0x" + self.transfer(self.account, nonce).hex())["result"]
            self.receipts.append(self.node.wait_for_receipt(tx_hash))


class Reader(threading.Thread):
    """Reads the head block and its receipts until told to stop; records what it saw."""

    def __init__(self, node: NodeProcess) -> None:
        super().__init__(daemon=True)
        self.node = _client(node)
        self.stop = threading.Event()
        self.heads: list[int] = []
        self.inconsistent: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            self.heads.append(int(self.node.rpc("eth_blockNumber")["result"], 16))
            block = self.node.rpc("eth_getBlockByNumber", "latest", False)["result"]
            receipts = self.node.rpc("eth_getBlockReceipts", block["hash"])["result"]
            if [r["transactionHash"] for r in receipts] != block["transactions"]:
                self.inconsistent.append(block["number"])
        self.node.client.close()


def test_concurrent_sends_reads_and_receipts_agree_with_the_committed_chain(dev_node, dev_accounts, transfer):
    before = int(dev_node.rpc("eth_getBalance", RECIPIENT, "latest")["result"], 16)
    senders = [Sender(_client(dev_node), account, transfer) for account in dev_accounts[5 : 5 + SENDERS]]
    readers = [Reader(dev_node) for _ in range(2)]
    for thread in senders + readers:
        thread.start()
    for sender in senders:
        sender.join(timeout=120)
    for reader in readers:
        reader.stop.set()
        reader.join(timeout=30)

    assert all(len(s.receipts) == TRANSFERS_EACH for s in senders)
    for reader in readers:
        assert reader.heads == sorted(reader.heads), "the head went backwards"
        assert reader.inconsistent == []
    for receipt in (r for s in senders for r in s.receipts):
        block = dev_node.rpc("eth_getBlockByHash", receipt["blockHash"], False)["result"]
        assert receipt["transactionHash"] in block["transactions"]
    after = int(dev_node.rpc("eth_getBalance", RECIPIENT, "latest")["result"], 16)
    assert after - before == SENDERS * TRANSFERS_EACH


def _client(node: NodeProcess) -> NodeProcess:
    """A handle on the same node with its own HTTP connection."""
    return node.own_connection()


def test_a_block_being_committed_on_another_thread_is_invisible_until_committed(chain_node, dev_accounts, transfer):
    """Stop the producer thread inside the store's commit: the loop's reads still see the old head."""
    store, ledger = chain_node.ledger.store, chain_node.ledger
    committing, release = threading.Event(), threading.Event()
    commit = store.commit

    def paused_commit() -> None:
        committing.set()
        release.wait(30)
        commit()

    store.commit = paused_commit
    tx_hash = chain_node.submit(transfer(dev_accounts[0], 0))
    head = ledger.head()
    producer = threading.Thread(target=chain_node.produce)
    producer.start()
    try:
        assert committing.wait(30)
        assert ledger.head() == head
        assert ledger.locate_transaction(tx_hash) is None
    finally:
        release.set()
        producer.join(30)
    assert ledger.head().block_number == head.block_number + 1
    assert ledger.locate_transaction(tx_hash) is not None
