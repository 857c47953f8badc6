"""Contract logs as the models write events: (name, fields), addresses as checksummed
strings, and the fields a model does not track left out."""

from __future__ import annotations

from typing import Any

Event = tuple[str, dict]

# Log fields the models do not track: where a log came from, and the hashes and
# tags passed through untouched (the Ape suite checks those).
UNMODELLED_FIELDS = frozenset({"address", "terms_hash", "skills", "deliverable_hash"})


def logs_of(contract: Any, source: Any = None) -> list[Event]:
    """`contract`'s logs in the last call made through `source` (itself by default)."""
    return [
        (type(log).__name__, {k: plain(v) for k, v in log._asdict().items() if k not in UNMODELLED_FIELDS})
        for log in (source or contract).get_logs()
        if log.address == contract.address
    ]


def plain(value: Any) -> Any:
    """A log value as the models write it: addresses as checksummed strings."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
