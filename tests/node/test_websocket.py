"""eth_subscribe over WebSocket on the dev node's port."""

import json

import pytest
from websockets.sync.client import connect

RECIPIENT = "0x" + "42" * 20


@pytest.fixture
def socket(dev_node):
    with connect(dev_node.url.replace("http", "ws"), open_timeout=10) as ws:
        yield ws


def call(ws, method, *params):
    ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}))
    return json.loads(ws.recv(timeout=10))


def test_plain_requests_are_answered_over_websocket(socket):
    assert call(socket, "eth_chainId")["result"] == hex(1337)


def test_new_heads_subscription_pushes_each_new_block(socket, w3, dev_accounts):
    subscription = call(socket, "eth_subscribe", "newHeads")["result"]
    tx_hash = w3.eth.send_transaction({"from": dev_accounts[1].address, "to": RECIPIENT, "value": 1})
    block = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20).blockNumber
    pushed = json.loads(socket.recv(timeout=10))["params"]
    assert pushed["subscription"] == subscription and int(pushed["result"]["number"], 16) == block


def test_logs_subscription_pushes_matching_logs(socket, pinger, dev_accounts):
    call(socket, "eth_subscribe", "logs", {"address": pinger.address})
    pinger.functions.ping(21, 3).transact({"from": dev_accounts[2].address})
    pushed = json.loads(socket.recv(timeout=10))["params"]["result"]
    assert pushed["address"] == pinger.address.lower() and int(pushed["topics"][2], 16) == 21


def test_unsubscribe_reports_whether_the_subscription_existed(socket):
    subscription = call(socket, "eth_subscribe", "newHeads")["result"]
    assert call(socket, "eth_unsubscribe", subscription)["result"] is True
    assert call(socket, "eth_unsubscribe", subscription)["result"] is False


def test_unknown_subscription_kind_is_invalid_params(socket):
    assert call(socket, "eth_subscribe", "syncing-of-doom")["error"]["code"] == -32602
