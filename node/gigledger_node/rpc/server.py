"""The JSON-RPC server: HTTP (single and batch) and WebSocket on one port, plus the
thread that seals blocks and the workers that run calls.

Requests are answered on one asyncio event loop. Blocks are sealed on a producer
thread, as group commit: a submitted transaction wakes it, it seals everything
pending in one block, and whatever arrives while block N is being built and
committed goes into block N+1. If anything did arrive during block N and no
client is waiting for a receipt, the producer first lets the submissions
gather (see :class:`Gathering`), so that a stream of transactions is sealed in
a few large blocks rather than many of one or two. eth_call, eth_estimateGas
and eth_sendTransaction (which estimates) run on call workers, so a slow call
holds neither the loop nor the producer; see chain/calls.py for how long one
may run.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.routing import WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from gigledger_node.chain.producer import ProducedBlock
from gigledger_node.rpc import clique, dev, net, params, perm
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.dispatch import Dispatcher
from gigledger_node.rpc.errors import LimitExceeded, RpcError
from gigledger_node.rpc.eth import EthNamespace
from gigledger_node.rpc.filters import FilterRegistry
from gigledger_node.rpc.serialize import remember_block
from gigledger_node.rpc.subscriptions import Subscriptions
from gigledger_node.rpc.transport import decode, encode, error_response
from gigledger_node.rpc.txpool import TxPoolNamespace

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024
# Methods that execute EVM code for a caller, or mine many blocks at once; they run
# on CALL_WORKERS threads.
CALL_METHODS = frozenset(
    {"eth_call", "eth_estimateGas", "eth_createAccessList", "eth_sendTransaction", "anvil_mine", "hardhat_mine"}
)
CALL_WORKERS = 2
# A receipt asked for while its transaction is pooled is answered once the next
# block is committed (or after this long): one answer per block instead of a
# null per poll, each of which would take CPU from the block being sealed.
RECEIPT_WAIT_SECONDS = 0.5


@dataclass(frozen=True)
class Gathering:
    """How long the producer lets transactions gather when they arrive faster than it seals.

    Only after a block during whose building a transaction was submitted, and
    only while no client waits for the receipt of a pooled transaction: a lone
    transaction (a client that sends, then polls) and clients that each wait for
    their receipt are sealed at once. Under a stream that nobody waits on yet,
    the producer waits until no transaction has arrived for ``quiet`` seconds,
    ``most`` seconds have passed, or a receipt poll comes in.

    Why: in process, a block of transfers costs about 1.8 ms of CPU for the
    block itself (Prague's system-contract writes, state root, sealing,
    persisting, the next VM) and 0.3 ms per transfer; under the burst workload
    (one client sending 200 transactions back to back) blocks held 1.8-2.5
    transactions, each paying most of a block, and the producer held the GIL
    that the event loop needed to admit the next ones.
    """

    quiet: float = 0.01
    most: float = 0.05


GATHERING = Gathering()


class RpcServer:
    """Owns the dispatcher, the WebSocket connections and block production."""

    def __init__(
        self,
        ctx: RpcContext,
        admin_token: str,
        block_time: float | None = None,
        on_serving: Callable[[], None] | None = None,
        gathering: Gathering = GATHERING,
    ) -> None:
        self.ctx = ctx
        self.admin_token = admin_token
        self.block_time = block_time
        self.on_serving = on_serving
        self.gathering = gathering
        self._wake = threading.Event()
        self._submitted_at = 0.0  # time.monotonic() of the last wake-up by a submission
        self._receipt_waiters = 0  # held receipt polls (changed on the loop, read by the producer)
        self._hurry = threading.Event()  # a receipt poll started waiting, or the server stops
        self._stopping = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sealed: asyncio.Event | None = None  # set when the next block is committed
        self._calls = ThreadPoolExecutor(CALL_WORKERS, thread_name_prefix="rpc-call")
        self._connections: set[Subscriptions] = set()
        ctx.wake_producer = self._submitted if block_time is None else (lambda: None)
        ctx.node.listeners.append(self._remember_block)
        ctx.node.listeners.append(self._notify_connections)
        ctx.pending_listeners.append(self._notify_pending)
        self.dispatcher = Dispatcher(_handlers(ctx))
        # Starlette serves the WebSocket, the lifespan and any other path (404); HTTP
        # requests to "/" take the short path in :meth:`__call__`. cProfile: Starlette's
        # middleware, routing and Request objects were half of the event loop's time
        # per request under the sequential workload (0.75 of 1.5 ms).
        self.starlette = Starlette(routes=[WebSocketRoute("/", self.websocket)], lifespan=self._lifespan)
        self.app: ASGIApp = self  # the ASGI application is this object's __call__

    # -- transports -------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI application: JSON-RPC over HTTP POST straight to the dispatcher."""
        if scope["type"] != "http" or scope["path"] != "/":
            await self.starlette(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _send(send, 405, b"Method Not Allowed", [(b"allow", b"POST"), (b"content-type", b"text/plain; charset=utf-8")])
            return
        headers = Headers(scope=scope)
        try:
            payload = decode(await _read_body(headers, receive))
        except ClientDisconnect:  # hung up, or dropped by the listener's body deadline
            return  # nobody to answer
        except LimitExceeded as error:
            await _send_json(send, encode(error_response(None, error)), 413)
            return
        except RpcError as error:
            await _send_json(send, encode(error_response(None, error)))
            return
        answer = await self._dispatch(self.dispatcher, payload, self._authorized(headers))
        await _send_json(send, encode(answer) if answer is not None else b"", content_type=answer is not None)

    async def websocket(self, socket: WebSocket) -> None:
        await socket.accept()
        subscriptions = Subscriptions(self.ctx.ledger)
        dispatcher = self.dispatcher.extended(subscriptions.methods())
        authorized = self._authorized(socket.headers)
        self._connections.add(subscriptions)
        sender = asyncio.create_task(_drain(subscriptions.outbox, socket))
        try:
            while True:
                message = await socket.receive_text()  # at most ws_max_size (rpc/listener.py)
                answer = await self._answer_text(dispatcher, message, authorized)
                if answer is not None:
                    await socket.send_text(encode(answer).decode())
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self._connections.discard(subscriptions)
            sender.cancel()

    def _authorized(self, headers: Any) -> bool:
        supplied = headers.get("authorization", "")
        expected = f"Bearer {self.admin_token}"
        return bool(self.admin_token) and hmac.compare_digest(supplied.encode(), expected.encode())

    async def _dispatch(self, dispatcher: Dispatcher, payload: Any, authorized: bool) -> Any:
        """Answer on the loop, or on a call worker if the payload executes EVM code."""
        if _calls_evm(payload):
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._calls, dispatcher.handle_payload, payload, authorized)
        answer = dispatcher.handle_payload(payload, authorized)
        coming = self._receipt_coming(payload, answer) if self._sealed is not None else None
        if coming is not None:
            self._receipt_waiters += 1
            self._hurry.set()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._left_pool(coming), RECEIPT_WAIT_SECONDS)
            finally:
                self._receipt_waiters -= 1
            answer = dispatcher.handle_payload(payload, authorized)
        return answer

    def _receipt_coming(self, payload: Any, answer: Any) -> bytes | None:
        """The hash of a pooled transaction that automine will seal, if ``answer`` is its null receipt."""
        if self.block_time is not None or not self.ctx.automine:
            return None
        if not (isinstance(payload, dict) and payload.get("method") == "eth_getTransactionReceipt"):
            return None
        if not isinstance(answer, dict) or answer.get("result", False) is not None:
            return None
        try:
            tx_hash = params.fixed_data(payload["params"][0], 32, "transaction hash")
        except (RpcError, LookupError, TypeError):
            return None
        return tx_hash if self.ctx.node.pool.get(tx_hash) is not None else None

    async def _left_pool(self, tx_hash: bytes) -> None:
        """Until a committed block has taken ``tx_hash`` out of the pool (or dropped it).

        Not just the next block: one that was already being built when the
        transaction arrived does not hold it, and answering null then costs the
        client another poll (cProfile, 4 concurrent web3.py clients: 2,156
        receipt look-ups for 601 transfers, 1,101 with this). The pool loses a
        transaction only after its block commits.
        """
        while self.ctx.node.pool.get(tx_hash) is not None:
            assert self._sealed is not None
            await self._sealed.wait()  # replaced by a fresh event after every block

    async def _answer_text(self, dispatcher: Dispatcher, message: str, authorized: bool) -> Any:
        try:
            payload = decode(message)
        except RpcError as error:
            return error_response(None, error)
        return await self._dispatch(dispatcher, payload, authorized)

    def _remember_block(self, produced: ProducedBlock) -> None:
        """On the producer thread, before anyone is told of the block: cache its contents."""
        remember_block(self.ctx.ledger, produced.block, produced.receipts)

    def _notify_connections(self, produced: ProducedBlock) -> None:
        """Runs on whichever thread sealed the block; subscriptions live on the loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._notify_on_loop, produced)

    def _notify_on_loop(self, produced: ProducedBlock) -> None:
        if self._sealed is not None:
            self._sealed.set()
            self._sealed = asyncio.Event()
        for subscriptions in self._connections:
            subscriptions.on_block(produced)

    def _notify_pending(self, tx_hash: bytes) -> None:
        for subscriptions in list(self._connections):  # may run on a call worker
            subscriptions.on_pending(tx_hash)

    # -- block production ---------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._sealed = asyncio.Event()
        producer = threading.Thread(
            target=self._produce_on_demand if self.block_time is None else self._produce_every,
            name="block-producer",
            daemon=True,
        )
        producer.start()
        if self.on_serving is not None:
            self._loop.run_in_executor(None, self.on_serving)
        try:
            yield
        finally:
            self._stopping.set()
            self._wake.set()
            self._hurry.set()
            producer.join()
            self._calls.shutdown(wait=False, cancel_futures=True)

    def _submitted(self) -> None:
        self._submitted_at = time.monotonic()
        self._wake.set()

    def _produce_on_demand(self) -> None:
        while True:
            self._wake.wait()
            if self._stopping.is_set():
                return
            self._wake.clear()
            contended = False  # a submission arrived while the last block was being built
            while self.ctx.automine and not self._stopping.is_set():
                if contended:
                    self._gather()
                started = time.monotonic()
                if not self._produce_safely(allow_empty=False):
                    break
                contended = self._submitted_at >= started

    def _gather(self) -> None:
        """Wait until submissions pause for ``gathering.quiet``, ``gathering.most`` passes,
        or someone waits for a receipt."""
        deadline = time.monotonic() + self.gathering.most
        self._hurry.clear()
        while not self._stopping.is_set() and not self._receipt_waiters:
            now = time.monotonic()
            until = min(self._submitted_at + self.gathering.quiet, deadline)
            if now >= until:
                return
            self._hurry.wait(until - now)

    def _produce_every(self) -> None:
        while not self._stopping.wait(self.block_time):
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
        **TxPoolNamespace(ctx).methods(),
        **clique.methods(ctx),
    }
    if ctx.dev:
        handlers.update(dev.DevNamespace(ctx).methods())
    return handlers


async def _read_body(headers: Headers, receive: Receive) -> bytes:
    """The request body from ASGI messages, refused past MAX_BODY_BYTES."""
    declared = headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise LimitExceeded(f"request body larger than {MAX_BODY_BYTES} bytes")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise LimitExceeded(f"request body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send_json(send: Send, body: bytes, status: int = 200, content_type: bool = True) -> None:
    await _send(send, status, body, [(b"content-type", b"application/json")] if content_type else [])


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _calls_evm(payload: Any) -> bool:
    requests = payload if isinstance(payload, list) else [payload]
    return any(isinstance(r, dict) and r.get("method") in CALL_METHODS for r in requests)


async def _drain(outbox: asyncio.Queue, socket: WebSocket) -> None:
    while True:
        message = await outbox.get()
        await socket.send_text(encode(message).decode())
