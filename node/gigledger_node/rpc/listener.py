"""The RPC port's listener: uvicorn with limits a slow or flooding client cannot exhaust.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``), request
heads (``h11_max_incomplete_event_size``), WebSocket messages (``ws_max_size``)
and unanswered WebSocket pings, but has no header timeout: a client that sends
half a request keeps its connection, and its file descriptor, forever
(slowloris). :class:`BoundedH11Protocol` adds the two missing limits, as Go's
``http.Server`` (geth's) has them:

- a read deadline: a request's head must arrive within ``header_timeout`` of the
  connection opening or the previous response, and its body within
  ``body_timeout`` after that; otherwise the connection is closed;
- a connection cap: past ``max_connections`` open connections (HTTP and
  WebSocket), a new one is closed at once instead of queuing behind the others.

It also writes each response with one ``send`` instead of two (uvicorn writes the
head and the body separately): cProfile of the event loop under the sequential
workload put 1.2 of 3.5 s in ``socket.send``, each call giving up the GIL to the
block producer and waiting to get it back.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from gigledger_node.rpc.server import MAX_BODY_BYTES


@dataclass(frozen=True)
class ServerLimits:
    """What one client may hold of the RPC port; the defaults follow geth and uvicorn."""

    header_timeout: float = 10.0  # request line and headers, from connect or the last response
    body_timeout: float = 30.0  # the body, once the head is in (geth's ReadTimeout)
    keep_alive_timeout: int = 5  # an idle keep-alive connection (uvicorn's default)
    max_connections: int = 512  # HTTP and WebSocket together, well below a 1024 fd limit
    max_header_bytes: int = 16 * 1024  # h11's default, stated
    max_ws_message_bytes: int = MAX_BODY_BYTES
    ws_ping_interval: float = 20.0
    ws_ping_timeout: float = 20.0  # a WebSocket peer that stops answering pings is dropped


class CoalescingTransport:
    """A transport whose writes within one turn of the event loop go out as one.

    The buffer is flushed by a callback scheduled on the first write, and before
    a close, so order is kept and nothing written is lost.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._buffer: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._buffer:
            self._loop.call_soon(self.flush)
        self._buffer.append(data)

    def flush(self) -> None:
        if self._buffer:
            data = b"".join(self._buffer)
            self._buffer.clear()
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a read deadline per request and a connection cap."""

    def __init__(self, *args: Any, limits: ServerLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self._refused = True
            transport.close()
            return
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        if not self._refused:
            super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._cancel_deadline()  # from here on the WebSocket protocol's pings apply
        super().handle_websocket_upgrade(event)

    def _await_head(self) -> None:
        self._set_deadline(self.limits.header_timeout, self._head_deadline_passed)

    def _head_deadline_passed(self) -> None:
        if self.conn.their_state is h11.IDLE:  # not a whole request line and headers yet
            self._drop()
        elif self.conn.their_state is h11.SEND_BODY:
            self._set_deadline(self.limits.body_timeout, self._body_deadline_passed)

    def _body_deadline_passed(self) -> None:
        if self.conn.their_state is h11.SEND_BODY:
            self._drop()

    def _set_deadline(self, seconds: float, callback: Any) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(seconds, callback)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _drop(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_config(app: Any, host: str, port: int, limits: ServerLimits = ServerLimits()) -> uvicorn.Config:
    """uvicorn's settings for the RPC port, every limit stated."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=functools.partial(BoundedH11Protocol, limits=limits),  # type: ignore[arg-type]
        ws="websockets-sansio",
        timeout_keep_alive=limits.keep_alive_timeout,
        # Counts connections and in-flight requests; the cap above already bounds the
        # connections, so this bounds requests (503 past it), e.g. pipelined floods.
        limit_concurrency=limits.max_connections + 1,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        ws_max_size=limits.max_ws_message_bytes,
        ws_ping_interval=limits.ws_ping_interval,
        ws_ping_timeout=limits.ws_ping_timeout,
    )


def serve(app: Any, host: str, port: int, limits: ServerLimits = ServerLimits()) -> None:
    """Serve ``app`` on the RPC port until interrupted."""
    uvicorn.Server(uvicorn_config(app, host, port, limits)).run()
