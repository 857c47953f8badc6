"""A JSON-RPC proxy on loopback that can refuse or rewrite answers: a misbehaving node.

Tests use it to play an endpoint that caps eth_getLogs ranges, fails with HTTP
5xx, or lies in front of an honest node. Each lie below is one attack on an
auditor, and is combined freely: ``rpc_proxy(url, forged_log(...), flaky(3))``.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import rlp
from eth_account import Account
from eth_keys import keys
from eth_utils import keccak

from gigledger.seal import SIGNATURE_LENGTH, VANITY_LENGTH, header_fields, seal_hash

#: Given one request, return a JSON-RPC answer to send instead, or None to forward it.
Refusal = Callable[[dict], dict | None]
#: Given one request and the upstream's answer, return the answer to send.
Rewrite = Callable[[dict, dict], dict]


@dataclass
class Lie:
    """One way the proxy misbehaves: refuse some calls, rewrite some answers, or fail over HTTP."""

    refuse: Refusal = lambda request: None
    rewrite: Rewrite = lambda request, answer: answer
    http_status: Callable[[], int | None] = lambda: None


def _forward(client: httpx.Client, upstream: str, request: dict, lies: list[Lie]) -> dict:
    for lie in lies:
        refused = lie.refuse(request)
        if refused is not None:
            return {"jsonrpc": "2.0", "id": request["id"], **refused}
    answer = client.post(upstream, json=request).json()
    for lie in lies:
        answer = lie.rewrite(request, answer)
    return answer


@contextmanager
def rpc_proxy(
    upstream: str,
    *lies: Lie,
    refuse: Refusal = lambda request: None,
    rewrite: Rewrite = lambda request, answer: answer,
) -> Iterator[str]:
    """Serve a proxy of ``upstream`` on a free loopback port telling ``lies``; yields its URL."""
    client = httpx.Client(timeout=60)  # one client: building one per request costs an SSL context
    told = [Lie(refuse, rewrite), *lies]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = next((s for s in (lie.http_status() for lie in told) if s), None)
            if status:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if isinstance(body, list):
                answer: Any = [_forward(client, upstream, r, told) for r in body]
            else:
                answer = _forward(client, upstream, body, told)
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        client.close()


# ---------------------------------------------------------------- the attacks


def _logs_in(method: str, result: Any) -> list[dict]:
    """The log objects inside an answer to ``method``."""
    if not result:
        return []
    if method == "eth_getLogs":
        return result
    if method == "eth_getTransactionReceipt":
        return result["logs"]
    if method == "eth_getBlockReceipts":
        return [log for receipt in result for log in receipt["logs"]]
    return []


def forged_log(transaction_hash: str, log_index: int, *, topics: list[str] | None = None, data: str | None = None) -> Lie:
    """A real log re-addressed (other topics) or re-amounted (other data), wherever the endpoint serves it."""

    def rewrite(request: dict, answer: dict) -> dict:
        for log in _logs_in(request["method"], answer.get("result")):
            if log["transactionHash"].lower() == transaction_hash.lower() and int(log["logIndex"], 16) == log_index:
                log["topics"] = topics or log["topics"]
                log["data"] = data or log["data"]
        return answer

    return Lie(rewrite=rewrite)


def dropped_log(transaction_hash: str, log_index: int) -> Lie:
    """eth_getLogs leaves out one log."""

    def rewrite(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getLogs" and answer.get("result"):
            answer["result"] = [
                log for log in answer["result"]
                if not (log["transactionHash"].lower() == transaction_hash.lower() and int(log["logIndex"], 16) == log_index)
            ]
        return answer

    return Lie(rewrite=rewrite)


def resealed(block: dict, key: keys.PrivateKey | None, **changes: Any) -> dict:
    """``block`` with header ``changes`` (JSON-RPC names, hex values), sealed again by ``key``
    (None: left unsealed), its hash recomputed: a self-consistent header the real chain never had."""
    forged = copy.deepcopy(block) | changes
    values = header_fields(forged)
    if key is not None:
        extra = bytes(values[12])[:VANITY_LENGTH].ljust(VANITY_LENGTH, b"\0") + b"\0" * SIGNATURE_LENGTH
        values[12] = extra
        values[12] = extra[:VANITY_LENGTH] + key.sign_msg_hash(seal_hash(values)).to_bytes()
    forged["extraData"] = "0x" + bytes(values[12])[:VANITY_LENGTH].hex() if key else "0x" + bytes(values[12]).hex()
    forged["sealedExtraData"] = "0x" + bytes(values[12]).hex()
    forged["hash"] = "0x" + keccak(rlp.encode(values)).hex()
    return forged


def rewritten_genesis(extra_data: bytes) -> Lie:
    """Block 0 served with another extraData (an attacker's authority list, or none), rehashed."""

    def rewrite(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getBlockByNumber" and request["params"][0] in ("0x0", "earliest") and answer.get("result"):
            genesis = answer["result"] | {"extraData": "0x" + extra_data.hex(), "sealedExtraData": "0x" + extra_data.hex()}
            answer["result"] = resealed(genesis, None)
        return answer

    return Lie(rewrite=rewrite)


def forked_block(number: int, block: dict, receipts: list[dict] | None = None) -> Lie:
    """Serve ``block`` (and its ``receipts``) at height ``number`` instead of the canonical one."""

    def rewrite(request: dict, answer: dict) -> dict:
        method, params = request["method"], request["params"]
        if method == "eth_getBlockByNumber" and params[0] == hex(number) and answer.get("result"):
            full = params[1]
            answer["result"] = block | {"transactions": answer["result"]["transactions"] if full else block["transactions"]}
        if method == "eth_getBlockReceipts" and params[0] == hex(number) and receipts is not None:
            answer["result"] = receipts
        return answer

    return Lie(rewrite=rewrite)


def wrong_balance(address: str, balance: int) -> Lie:
    """eth_getBalance and eth_getProof claim ``balance`` for ``address``."""

    def rewrite(request: dict, answer: dict) -> dict:
        method, params = request["method"], request["params"]
        if method in ("eth_getBalance", "eth_getProof") and params[0].lower() == address.lower() and "result" in answer:
            if method == "eth_getBalance":
                answer["result"] = hex(balance)
            else:
                answer["result"]["balance"] = hex(balance)
        return answer

    return Lie(rewrite=rewrite)


def flaky(every: int, status: int = 502) -> Lie:
    """Every ``every``-th HTTP request fails with ``status`` (a 5xx from a load balancer)."""
    counter = itertools.count(1)
    lock = threading.Lock()

    def http_status() -> int | None:
        with lock:
            return status if next(counter) % every == 0 else None

    return Lie(http_status=http_status)


def outage(down: threading.Event, status: int = 502) -> Lie:
    """Every request fails with ``status`` while ``down`` is set."""
    return Lie(http_status=lambda: status if down.is_set() else None)


def slow_first(calls: int, seconds: float) -> Lie:
    """The first ``calls`` requests answer only after ``seconds`` (longer than a client's timeout)."""
    counter = itertools.count()

    def refuse(request: dict) -> None:
        if next(counter) < calls:
            time.sleep(seconds)
        return None

    return Lie(refuse=refuse)


def server_error_first(calls: int) -> Lie:
    """The first ``calls`` requests get JSON-RPC error -32000, as a busy geth answers."""
    counter = itertools.count()

    def refuse(request: dict) -> dict | None:
        return {"error": {"code": -32000, "message": "busy"}} if next(counter) < calls else None

    return Lie(refuse=refuse)


#: Besu's answer to a sender outside its local permissioning allowlist.
NOT_ALLOWED = {"code": -32007, "message": "Sender account not authorized to send transactions"}


def refused_senders(refused: set[str]) -> Lie:
    """Transactions from ``refused`` senders are answered as Besu's local permissioning does (-32007)."""
    refused_lower = {a.lower() for a in refused}

    def refuse(request: dict) -> dict | None:
        if request.get("method") == "eth_sendRawTransaction":
            sender = Account.recover_transaction(request["params"][0])
            if sender.lower() in refused_lower:
                return {"error": NOT_ALLOWED}
        return None

    return Lie(refuse=refuse)
