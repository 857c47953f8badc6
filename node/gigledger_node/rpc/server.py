"""The JSON-RPC server: HTTP (single and batch) and WebSocket on one port, plus the
task that seals blocks.

Everything runs on one asyncio event loop, so the chain is only ever touched by
one thing at a time. Block production is group commit: a submitted transaction
wakes the producer, which lets the requests already in flight land in the pool
and then seals everything pending in one block; while it works, new requests
queue up for the next block.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from gigledger_node.rpc import dev, net, perm
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.dispatch import Dispatcher
from gigledger_node.rpc.errors import LimitExceeded, ParseError, RpcError
from gigledger_node.rpc.eth import EthNamespace
from gigledger_node.rpc.filters import FilterRegistry
from gigledger_node.rpc.subscriptions import Subscriptions

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024
# How long a woken producer waits for requests already on the wire (group commit).
GATHER_SECONDS = 0.002


class RpcServer:
    """Owns the dispatcher, the WebSocket connections and block production."""

    def __init__(
        self,
        ctx: RpcContext,
        admin_token: str,
        block_time: float | None = None,
        on_serving: Callable[[], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.admin_token = admin_token
        self.block_time = block_time
        self.on_serving = on_serving
        self._wake = asyncio.Event()
        self._connections: set[Subscriptions] = set()
        ctx.wake_producer = self._wake.set if block_time is None else (lambda: None)
        ctx.node.listeners.append(self._notify_connections)
        self.dispatcher = Dispatcher(_handlers(ctx))
        self.app = Starlette(
            routes=[Route("/", self.http, methods=["POST"]), WebSocketRoute("/", self.websocket)],
            lifespan=self._lifespan,
        )

    # -- transports -------------------------------------------------------------------

    async def http(self, request: Request) -> Response:
        try:
            body = await _read_capped(request)
            payload = json.loads(body)
        except RpcError as error:
            return _json_response(_error(error), status_code=413)
        except (ValueError, UnicodeDecodeError):
            return _json_response(_error(ParseError()))
        answer = self.dispatcher.handle_payload(payload, self._authorized(request.headers))
        return _json_response(answer) if answer is not None else Response(status_code=200)

    async def websocket(self, socket: WebSocket) -> None:
        await socket.accept()
        subscriptions = Subscriptions(self.ctx.ledger)
        dispatcher = self.dispatcher.extended(subscriptions.methods())
        authorized = self._authorized(socket.headers)
        self._connections.add(subscriptions)
        sender = asyncio.create_task(_drain(subscriptions.outbox, socket))
        try:
            while True:
                message = await socket.receive_text()
                if len(message) > MAX_BODY_BYTES:
                    answer = _error(LimitExceeded("request too large"))
                else:
                    answer = _answer_text(dispatcher, message, authorized)
                if answer is not None:
                    await socket.send_text(json.dumps(answer))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self._connections.discard(subscriptions)
            sender.cancel()

    def _authorized(self, headers: Any) -> bool:
        supplied = headers.get("authorization", "")
        expected = f"Bearer {self.admin_token}"
        return bool(self.admin_token) and hmac.compare_digest(supplied.encode(), expected.encode())

    def _notify_connections(self, produced) -> None:
        for subscriptions in self._connections:
            subscriptions.on_block(produced)

    # -- block production ---------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        producer = asyncio.create_task(
            self._produce_on_demand() if self.block_time is None else self._produce_every()
        )
        if self.on_serving is not None:
            asyncio.get_running_loop().run_in_executor(None, self.on_serving)
        try:
            yield
        finally:
            producer.cancel()

    async def _produce_on_demand(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(GATHER_SECONDS)
            while self.ctx.automine and self._produce_safely(allow_empty=False):
                await asyncio.sleep(0)

    async def _produce_every(self) -> None:
        while True:
            await asyncio.sleep(self.block_time)
            self._produce_safely(allow_empty=True)

    def _produce_safely(self, allow_empty: bool) -> bool:
        """Produce one block; a failure is logged, never fatal to the server."""
        try:
            return self.ctx.node.produce(allow_empty=allow_empty) is not None
        except Exception:
            logger.exception("block production failed")
            return False


def _handlers(ctx: RpcContext) -> dict[str, Callable[..., Any]]:
    handlers = {
        **EthNamespace(ctx).methods(),
        **FilterRegistry(ctx).methods(),
        **net.methods(ctx),
        **perm.methods(ctx),
    }
    if ctx.dev:
        handlers.update(dev.DevNamespace(ctx).methods())
    return handlers


async def _read_capped(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise LimitExceeded(f"request body larger than {MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise LimitExceeded(f"request body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _answer_text(dispatcher: Dispatcher, message: str, authorized: bool) -> Any:
    try:
        payload = json.loads(message)
    except ValueError:
        return _error(ParseError())
    return dispatcher.handle_payload(payload, authorized)


async def _drain(outbox: asyncio.Queue, socket: WebSocket) -> None:
    while True:
        message = await outbox.get()
        await socket.send_text(json.dumps(message))


def _error(error: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": None, "error": error.to_json()}


def _json_response(answer: Any, status_code: int = 200) -> Response:
    return Response(json.dumps(answer), status_code=status_code, media_type="application/json")
