"""A loopback JSON-RPC proxy that plays a permissioned node in front of another node.

The proxy itself is the test suite's one lying proxy (`index.proxy.rpc_proxy`);
this keeps it running between `PermissioningProxy(...)` and `stop()` for the SDK
tests, refusing transactions from the senders in ``refused`` with error -32007.
"""

from __future__ import annotations

from contextlib import ExitStack

from index.proxy import NOT_ALLOWED, refused_senders, rpc_proxy

__all__ = ["NOT_ALLOWED", "PermissioningProxy"]


class PermissioningProxy:
    """Serves on a free loopback port until `stop`; refuses senders in `refused`."""

    def __init__(self, upstream: str, refused: set[str]) -> None:
        self._stack = ExitStack()
        self.url = self._stack.enter_context(rpc_proxy(upstream, refused_senders(refused)))

    def stop(self) -> None:
        self._stack.close()
