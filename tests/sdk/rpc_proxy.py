"""A loopback JSON-RPC proxy that plays a permissioned node in front of another node.

It forwards every request upstream, except transactions from refused senders,
which it answers as Besu's local permissioning does (error -32007).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from eth_account import Account

NOT_ALLOWED = {"code": -32007, "message": "Sender account not authorized to send transactions"}


class PermissioningProxy:
    """Serves on a free loopback port until `stop`; refuses senders in `refused`."""

    def __init__(self, upstream: str, refused: set[str]) -> None:
        self.upstream = upstream
        self.refused = {a.lower() for a in refused}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, request: dict) -> dict | None:
        if request.get("method") == "eth_sendRawTransaction":
            sender = Account.recover_transaction(request["params"][0])
            if sender.lower() in self.refused:
                return {"jsonrpc": "2.0", "id": request.get("id"), "error": NOT_ALLOWED}
        return None

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = proxy._answer(json.loads(body))
                payload = json.dumps(answer).encode() if answer else httpx.post(
                    proxy.upstream, content=body, headers={"Content-Type": "application/json"}
                ).content
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        return Handler
