"""How the explorer shows amounts, tokens and times: in each token's units, with "3 days ago".

Amounts are shown with the token's own decimals and symbol, read from the index's
`tokens` table (see `gigledger_node.index.tokens`); a token the index knows
nothing about is shown in raw units with its address, never with 18 decimals
guessed. The shelf is per app (on `app.state`), since one process may serve
several indexes.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from jinja2 import pass_context
from sqlalchemy import Engine

from gigledger_node.index.tokens import TokenInfo, token_book, unknown

ETH = "0x" + "00" * 20


#: Seconds before a token on the shelf in raw units (decimals unknown) is looked up again,
#: as the indexer reads again a token whose metadata read failed (see index/tokens.py).
RECHECK_UNKNOWN = 30.0


class TokenShelf:
    """The index's token metadata, cached; reread when a token not yet on it is asked for,
    and at most every RECHECK_UNKNOWN seconds when one whose decimals are unknown is."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._book: dict[str, TokenInfo] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._read_at = clock()

    def info(self, token: str | None) -> TokenInfo:
        """How to show amounts of ``token`` (the zero address or None for ETH)."""
        address = token or ETH
        with self._lock:
            cached = self._book.get(address)
            stale = cached is not None and cached.decimals is None and self._clock() - self._read_at >= RECHECK_UNKNOWN
            if cached is None or stale:
                self._book, self._read_at = token_book(self._engine), self._clock()
            return self._book.get(address) or unknown(address)


def _shelf(context: Any) -> TokenShelf | None:
    request = context.get("request")
    return getattr(request.app.state, "token_shelf", None) if request is not None else None


def _short(value: str) -> str:
    return value if len(value) <= 14 else f"{value[:6]}…{value[-4:]}"


@pass_context
def token_amount(context: Any, amount: int | str | None, token: str | None = None) -> str:
    """An amount of ``token``'s smallest unit as whole tokens (raw units when its decimals are unknown)."""
    shelf = _shelf(context)
    info = shelf.info(token) if shelf else unknown(token or ETH)
    return info.format(int(amount or 0))


@pass_context
def token_symbol(context: Any, token: str | None) -> str:
    """What follows an amount: the symbol, else the shortened address ("units of 0x12…ab" when raw)."""
    shelf = _shelf(context)
    info = shelf.info(token) if shelf else unknown(token or ETH)
    if info.decimals is None:
        return f"units of {_short(info.address)}"
    return info.symbol if info.symbol is not None else _short(info.address)


_AGO_UNITS = (("year", 365 * 86_400), ("month", 30 * 86_400), ("day", 86_400), ("hour", 3_600), ("minute", 60))


def ago(timestamp: int | str | None, now: float | None = None) -> str:
    """A unix time relative to now: "3 days ago", "in 2 hours", "just now"."""
    if not timestamp:
        return ""
    delta = int(timestamp) - int(time.time() if now is None else now)
    seconds = abs(delta)
    for unit, size in _AGO_UNITS:
        if seconds >= size:
            count = seconds // size
            text = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {text}" if delta > 0 else f"{text} ago"
    return "just now"


FILTERS = {"token_amount": token_amount, "token_symbol": token_symbol, "ago": ago}
