"""Log filters (eth_getLogs criteria) and polled filters (eth_newFilter and friends)."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from gigledger_node.chain.logindex import LogEntry, log_matches
from gigledger_node.rpc import params
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.errors import FilterNotFound, InvalidParams
from gigledger_node.rpc.serialize import hex_bytes, hex_int, log_json

MAX_FILTERS = 1000
MAX_TOPIC_POSITIONS = 4


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
        """Matching logs as JSON, from the ledger's log index."""
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
        return [log_json(e) for e in ctx.ledger.log_index.logs(start, stop, self.addresses, self.topics)]


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
    """A filter installed by eth_newFilter / eth_newBlockFilter, and its cursor."""

    criteria: LogCriteria | None  # None: a block filter
    next_block: int


class FilterRegistry:
    """Installed filters; each poll returns what happened since the previous one."""

    def __init__(self, ctx: RpcContext) -> None:
        self.ctx = ctx
        self._filters: OrderedDict[str, _Polled] = OrderedDict()
        self._ids = itertools.count(1)

    def methods(self) -> dict[str, Any]:
        return {
            "eth_newFilter": self.new_filter,
            "eth_newBlockFilter": self.new_block_filter,
            "eth_getFilterChanges": self.get_filter_changes,
            "eth_getFilterLogs": self.get_filter_logs,
            "eth_uninstallFilter": self.uninstall_filter,
        }

    def new_filter(self, criteria: Any) -> str:
        return self._install(LogCriteria.parse(criteria))

    def new_block_filter(self) -> str:
        return self._install(None)

    def get_filter_changes(self, filter_id: Any) -> list[Any]:
        polled = self._get(filter_id)
        head = self.ctx.ledger.head().block_number
        first = min(polled.next_block, head + 1)
        polled.next_block = head + 1
        if polled.criteria is None:
            return [hex_bytes(self.ctx.ledger.header_by_number(n).hash) for n in range(first, head + 1)]
        return polled.criteria.logs(self.ctx, first)

    def get_filter_logs(self, filter_id: Any) -> list[Any]:
        polled = self._get(filter_id)
        if polled.criteria is None:
            raise FilterNotFound()
        return polled.criteria.logs(self.ctx)

    def uninstall_filter(self, filter_id: Any) -> bool:
        return self._filters.pop(str(filter_id), None) is not None

    def _install(self, criteria: LogCriteria | None) -> str:
        if len(self._filters) >= MAX_FILTERS:
            self._filters.popitem(last=False)
        filter_id = hex_int(next(self._ids))
        self._filters[filter_id] = _Polled(criteria, self.ctx.ledger.head().block_number + 1)
        return filter_id

    def _get(self, filter_id: Any) -> _Polled:
        polled = self._filters.get(str(filter_id))
        if polled is None:
            raise FilterNotFound()
        return polled
