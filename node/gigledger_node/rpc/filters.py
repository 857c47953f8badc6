"""Log filters (eth_getLogs criteria) and polled filters (eth_newFilter and friends)."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from gigledger_node.chain.logindex import LogEntry, log_matches
from gigledger_node.rpc import params
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.errors import FilterNotFound, InvalidParams, LimitExceeded
from gigledger_node.rpc.serialize import hex_bytes, log_json, logs_json

MAX_FILTERS = 1000
FILTER_TIMEOUT_SECONDS = 5 * 60.0  # geth's filter deadline
MAX_PENDING_HASHES = 10_000  # per pending-transaction filter, between two polls
MAX_TOPIC_POSITIONS = 4


def random_id() -> str:
    """A fresh 128-bit filter or subscription id, as a quantity (no leading zero digit),
    which is the form the execution-apis schema gives for eth_newFilter's result."""
    return hex(secrets.randbits(128) | 1 << 127)


@dataclass(frozen=True)
class LogCriteria:
    """Which logs a filter selects, with block bounds still unresolved ("latest")."""

    from_block: Any = "latest"
    to_block: Any = "latest"
    block_hash: bytes | None = None
    addresses: tuple[bytes, ...] = ()
    topics: tuple[tuple[bytes, ...] | None, ...] = ()

    @classmethod
    def parse(cls, value: Any) -> LogCriteria:
        fields = params.obj(value, "filter")
        block_hash = fields.get("blockHash")
        if block_hash is not None and ("fromBlock" in fields or "toBlock" in fields):
            raise InvalidParams("invalid argument: blockHash excludes fromBlock/toBlock")
        for bound in ("fromBlock", "toBlock"):
            if fields.get(bound) is not None:
                params.block_id(fields[bound])
        return cls(
            from_block=fields.get("fromBlock") or "latest",
            to_block=fields.get("toBlock") or "latest",
            block_hash=params.fixed_data(block_hash, 32, "blockHash") if block_hash else None,
            addresses=_addresses(fields.get("address")),
            topics=_topics(fields.get("topics")),
        )

    def matches(self, entry: LogEntry) -> bool:
        """Address/topic match for one log (used for pushed logs)."""
        return log_matches(entry, self.addresses, self.topics)

    def logs(self, ctx: RpcContext, first: int | None = None) -> list[dict[str, Any]]:
        """Matching logs as JSON objects, from the ledger's log index."""
        return [log_json(e) for e in self.entries(ctx, first)]

    def logs_json(self, ctx: RpcContext) -> orjson.Fragment:
        """Matching logs as encoded JSON (eth_getLogs: encoded once per block, see serialize.logs_json)."""
        return logs_json(self.entries(ctx))

    def entries(self, ctx: RpcContext, first: int | None = None) -> list[LogEntry]:
        """Matching logs, from the ledger's log index."""
        start: int
        stop: int
        if self.block_hash is not None:
            header = ctx.ledger.header_by_hash(self.block_hash)
            if header is None:
                raise InvalidParams("unknown block")
            start = stop = header.block_number
        else:
            start = ctx.block_number(self.from_block, "fromBlock")
            stop = ctx.block_number(self.to_block, "toBlock")
        if first is not None:
            start = max(start, first)
        stop = min(stop, ctx.ledger.head().block_number)
        if start > stop:
            return []
        return ctx.ledger.log_index.logs(start, stop, self.addresses, self.topics)


def _addresses(value: Any) -> tuple[bytes, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(params.address(a) for a in value)
    return (params.address(value),)


def _topics(value: Any) -> tuple[tuple[bytes, ...] | None, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_TOPIC_POSITIONS:
        raise InvalidParams("invalid argument: topics must be a list of at most 4 positions")
    slots: list[tuple[bytes, ...] | None] = []
    for slot in value:
        if slot is None:
            slots.append(None)
        elif isinstance(slot, list):
            slots.append(tuple(params.fixed_data(t, 32, "topic") for t in slot) or None)
        else:
            slots.append((params.fixed_data(slot, 32, "topic"),))
    return tuple(slots)


@dataclass
class _Polled:
    """An installed filter, its cursor and when it was last polled.

    ``criteria`` None with ``hashes`` None is a block filter; ``hashes`` set is a
    pending-transaction filter, holding the hashes admitted since the last poll.
    """

    criteria: LogCriteria | None
    next_block: int
    last_poll: float
    hashes: deque[bytes] | None = None


class FilterRegistry:
    """Installed filters; each poll returns what happened since the previous one.

    Ids are random 128-bit values (as geth), so only the client that installed a
    filter can poll or uninstall it. A filter not polled for ``timeout`` seconds
    expires (geth: 5 minutes). At ``max_filters`` new filters are refused rather
    than older ones evicted: over HTTP a client has no identity a per-client
    quota could key on (addresses are shared behind NAT and trivially spread),
    so a refusal is the only limit that never destroys another client's filter;
    expiry frees the slots of abandoned ones.
    """

    def __init__(
        self,
        ctx: RpcContext,
        timeout: float = FILTER_TIMEOUT_SECONDS,
        max_filters: int = MAX_FILTERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx = ctx
        self.timeout = timeout
        self.max_filters = max_filters
        self.clock = clock
        self._filters: OrderedDict[str, _Polled] = OrderedDict()  # least recently polled first
        ctx.pending_listeners.append(self._on_pending)

    def methods(self) -> dict[str, Any]:
        return {
            "eth_newFilter": self.new_filter,
            "eth_newBlockFilter": self.new_block_filter,
            "eth_newPendingTransactionFilter": self.new_pending_transaction_filter,
            "eth_getFilterChanges": self.get_filter_changes,
            "eth_getFilterLogs": self.get_filter_logs,
            "eth_uninstallFilter": self.uninstall_filter,
        }

    def new_filter(self, criteria: Any) -> str:
        return self._install(LogCriteria.parse(criteria))

    def new_block_filter(self) -> str:
        return self._install(None)

    def new_pending_transaction_filter(self) -> str:
        return self._install(None, hashes=deque(maxlen=MAX_PENDING_HASHES))

    def get_filter_changes(self, filter_id: Any) -> list[Any]:
        polled = self._poll(filter_id)
        if polled.hashes is not None:
            return [hex_bytes(polled.hashes.popleft()) for _ in range(len(polled.hashes))]
        head = self.ctx.ledger.head().block_number
        first = min(polled.next_block, head + 1)
        polled.next_block = head + 1
        if polled.criteria is None:
            return [hex_bytes(self.ctx.ledger.canonical_header(n).hash) for n in range(first, head + 1)]
        return polled.criteria.logs(self.ctx, first)

    def get_filter_logs(self, filter_id: Any) -> list[Any]:
        polled = self._poll(filter_id)
        if polled.criteria is None:
            raise FilterNotFound()
        return polled.criteria.logs(self.ctx)

    def uninstall_filter(self, filter_id: Any) -> bool:
        self._expire()
        return isinstance(filter_id, str) and self._filters.pop(filter_id, None) is not None

    def _install(self, criteria: LogCriteria | None, hashes: deque[bytes] | None = None) -> str:
        self._expire()
        if len(self._filters) >= self.max_filters:
            raise LimitExceeded(f"too many installed filters (max {self.max_filters}); uninstall unused ones")
        filter_id = random_id()
        head = self.ctx.ledger.head().block_number
        self._filters[filter_id] = _Polled(criteria, head + 1, self.clock(), hashes)
        return filter_id

    def _poll(self, filter_id: Any) -> _Polled:
        self._expire()
        polled = self._filters.get(filter_id) if isinstance(filter_id, str) else None
        if polled is None:
            raise FilterNotFound()
        polled.last_poll = self.clock()
        self._filters.move_to_end(filter_id)
        return polled

    def _expire(self) -> None:
        """Forget filters not polled within the timeout (the oldest-polled come first)."""
        cutoff = self.clock() - self.timeout
        while self._filters:
            oldest_id, oldest = next(iter(self._filters.items()))
            if oldest.last_poll > cutoff:
                return
            del self._filters[oldest_id]

    def _on_pending(self, tx_hash: bytes) -> None:
        """May run on a call worker (eth_sendTransaction): a snapshot of the filters, and
        deque appends, are safe beside the loop installing and polling."""
        for polled in list(self._filters.values()):
            if polled.hashes is not None:
                polled.hashes.append(tx_hash)
