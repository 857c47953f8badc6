"""SIGKILL at random moments loses nothing the node has confirmed."""

import random
import threading

import httpx
import pytest

from .conftest import NodeProcess

CHAIN_ID = 4242  # the operator_dir genesis config
ROUNDS = 4


class Traffic(threading.Thread):
    """Sends transfers and polls receipts until the node dies; remembers confirmed ones."""

    def __init__(self, node: NodeProcess, senders, transfer) -> None:
        super().__init__(daemon=True)
        self.node, self.senders, self.transfer = node, senders, transfer
        self.confirmed: dict[str, str] = {}  # tx hash -> block hash of its served receipt

    def run(self) -> None:
        unconfirmed: list[str] = []
        try:
            while True:
                for sender in self.senders:
                    nonce = int(self.node.rpc("eth_getTransactionCount", sender.address, "pending")["result"], 16)
                    raw = self.transfer(sender, nonce, chain_id=CHAIN_ID)
                    unconfirmed.append(self.node.rpc("eth_sendRawTransaction", "0x" + raw.hex())["result"])
                for tx_hash in list(unconfirmed):
                    receipt = self.node.rpc("eth_getTransactionReceipt", tx_hash)["result"]
                    if receipt:
                        self.confirmed[tx_hash] = receipt["blockHash"]
                        unconfirmed.remove(tx_hash)
        except (httpx.HTTPError, KeyError, TypeError):
            return  # the node was killed mid-request


@pytest.mark.slow
def test_every_served_receipt_survives_sigkill_and_restart(operator_dir, dev_accounts, transfer, tmp_path):
    chance = random.Random(20261126)
    confirmed: dict[str, str] = {}
    for round_number in range(ROUNDS):
        node = NodeProcess([str(operator_dir)], tmp_path / f"round-{round_number}.log").start()
        for tx_hash, block_hash in confirmed.items():
            receipt = node.rpc("eth_getTransactionReceipt", tx_hash)["result"]
            assert receipt is not None and receipt["blockHash"] == block_hash, tx_hash
        traffic = Traffic(node, dev_accounts[:3], transfer)
        traffic.start()
        threading.Event().wait(chance.uniform(0.5, 2.0))
        node.kill()
        traffic.join(timeout=30)
        confirmed.update(traffic.confirmed)
    assert len(confirmed) > 10  # the test did exercise the node
