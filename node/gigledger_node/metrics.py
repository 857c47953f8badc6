"""The node's operational figures, rendered in the Prometheus text format.

Gauges are read when scraped (the head, the pool size, the indexer's lag);
counters are bumped as things happen (blocks sealed, API requests). Nothing
here knows the chain or the web app: `gigledger-node start` wires them up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

#: The content type Prometheus scrapes.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = tuple[tuple[str, str], ...]


@dataclass
class _Family:
    kind: str  # "gauge" or "counter"
    help: str
    read: Callable[[], float | None] | None = None  # a gauge read at scrape time
    values: dict[Labels, float] = field(default_factory=dict)


class Metrics:
    """A small registry of gauges and counters; thread-safe."""

    def __init__(self) -> None:
        self._families: dict[str, _Family] = {}
        self._lock = threading.Lock()

    def gauge(self, name: str, help: str, read: Callable[[], float | None]) -> None:
        """A gauge whose value `read()` gives at scrape time (None: not known yet, left out)."""
        self._families[name] = _Family("gauge", help, read)

    def counter(self, name: str, help: str) -> None:
        self._families[name] = _Family("counter", help)

    def set(self, name: str, value: float, **labels: str) -> None:
        """Sets a gauge without a reader (the last observed value)."""
        with self._lock:
            self._families[name].values[tuple(sorted(labels.items()))] = value

    def inc(self, name: str, by: float = 1, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            values = self._families[name].values
            values[key] = values.get(key, 0) + by

    def render(self) -> str:
        """Every family in the Prometheus text exposition format."""
        lines: list[str] = []
        with self._lock:
            families = {name: (f, dict(f.values)) for name, f in self._families.items()}
        for name, (family, values) in families.items():
            if family.read is not None:
                value = _safe_read(family.read)
                values = {} if value is None else {(): value}
            lines += [f"# HELP {name} {family.help}", f"# TYPE {name} {family.kind}"]
            lines += [f"{name}{_labels(key)} {_number(value)}" for key, value in sorted(values.items())]
        return "\n".join(lines) + "\n"


def _safe_read(read: Callable[[], float | None]) -> float | None:
    """A gauge that cannot be read right now (say the index is not started) is left out."""
    try:
        return read()
    except Exception:
        return None


def _labels(key: Labels) -> str:
    if not key:
        return ""
    escaped = (f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"' for k, v in key)
    return "{" + ",".join(escaped) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
