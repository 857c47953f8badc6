"""A JSON-RPC proxy on loopback that can refuse or rewrite answers: a misbehaving node.

Tests use it to play an endpoint that caps eth_getLogs ranges, or one that lies
about receipts and headers, in front of a real Anvil.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

#: Given one request, return a JSON-RPC answer to send instead, or None to forward it.
Refusal = Callable[[dict], dict | None]
#: Given one request and the upstream's answer, return the answer to send.
Rewrite = Callable[[dict, dict], dict]


def _forward(client: httpx.Client, upstream: str, request: dict, refuse: Refusal, rewrite: Rewrite) -> dict:
    refused = refuse(request)
    if refused is not None:
        return {"jsonrpc": "2.0", "id": request["id"], **refused}
    return rewrite(request, client.post(upstream, json=request).json())


@contextmanager
def rpc_proxy(
    upstream: str,
    *,
    refuse: Refusal = lambda request: None,
    rewrite: Rewrite = lambda request, answer: answer,
) -> Iterator[str]:
    """Serve a proxy of ``upstream`` on a free loopback port; yields its URL."""
    client = httpx.Client(timeout=60)  # one client: building one per request costs an SSL context

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if isinstance(body, list):
                answer = [_forward(client, upstream, r, refuse, rewrite) for r in body]
            else:
                answer = _forward(client, upstream, body, refuse, rewrite)
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
