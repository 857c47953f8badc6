"""eth_subscribe over WebSocket on the dev node's port."""

import asyncio
import json
import threading

from gigledger_node.rpc.subscriptions import Subscriptions

from .conftest import ws_call as call

RECIPIENT = "0x" + "42" * 20


def test_plain_requests_are_answered_over_websocket(dev_socket):
    assert call(dev_socket, "eth_chainId")["result"] == hex(1337)


def test_new_heads_subscription_pushes_each_new_block(dev_socket, w3, dev_accounts):
    subscription = call(dev_socket, "eth_subscribe", "newHeads")["result"]
    tx_hash = w3.eth.send_transaction({"from": dev_accounts[1].address, "to": RECIPIENT, "value": 1})
    block = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20).blockNumber
    pushed = json.loads(dev_socket.recv(timeout=10))["params"]
    assert pushed["subscription"] == subscription and int(pushed["result"]["number"], 16) == block


def test_logs_subscription_pushes_matching_logs(dev_socket, pinger, dev_accounts):
    call(dev_socket, "eth_subscribe", "logs", {"address": pinger.address})
    pinger.functions.ping(21, 3).transact({"from": dev_accounts[2].address})
    pushed = json.loads(dev_socket.recv(timeout=10))["params"]["result"]
    assert pushed["address"] == pinger.address.lower() and int(pushed["topics"][2], 16) == 21


def test_unsubscribe_reports_whether_the_subscription_existed(dev_socket):
    subscription = call(dev_socket, "eth_subscribe", "newHeads")["result"]
    assert call(dev_socket, "eth_unsubscribe", subscription)["result"] is True
    assert call(dev_socket, "eth_unsubscribe", subscription)["result"] is False


def test_unknown_subscription_kind_is_invalid_params(dev_socket):
    assert call(dev_socket, "eth_subscribe", "syncing-of-doom")["error"]["code"] == -32602


def test_new_pending_transactions_subscription_pushes_each_admitted_hash(dev_socket, w3, dev_accounts):
    subscription = call(dev_socket, "eth_subscribe", "newPendingTransactions")["result"]
    tx_hash = w3.eth.send_transaction({"from": dev_accounts[3].address, "to": RECIPIENT, "value": 1})
    pushed = json.loads(dev_socket.recv(timeout=10))["params"]
    assert pushed == {"subscription": subscription, "result": tx_hash.to_0x_hex()}


def test_a_pending_hash_announced_from_another_thread_reaches_the_subscriber(chain_node):
    async def announce_from_a_worker() -> bool:
        subscriptions = Subscriptions(chain_node.ledger)
        subscription = subscriptions.subscribe("newPendingTransactions")
        worker = threading.Thread(target=subscriptions.on_pending, args=(b"\x11" * 32,))
        worker.start()
        worker.join()
        pushed = await asyncio.wait_for(subscriptions.outbox.get(), 5)
        return pushed["params"] == {"subscription": subscription, "result": "0x" + "11" * 32}

    assert asyncio.run(announce_from_a_worker())
