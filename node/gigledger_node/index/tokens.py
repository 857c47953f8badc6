"""Tokens as people read them: symbol and decimals, read once from the chain.

When a gig in a new ERC-20 appears, the indexer asks the token contract for
`decimals()` and `symbol()` over JSON-RPC (`eth_call`) and keeps the answers in
the `tokens` table. A token that does not answer, or answers something no
honest token would (see `gigledger.amounts.believable_decimals` and
`believable_symbol`), is shown in raw units with its
address rather than in units it might be lying about. ETH is built in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import eth_abi
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from gigledger.amounts import ETH_DECIMALS, believable_decimals, believable_symbol, format_units
from gigledger.events import Event, GigCreated, OfferPosted, PaymentCredited
from gigledger.gigs import ZERO_ADDRESS as ETH
from gigledger_node.index import db
from gigledger_node.index.endpoint import Endpoint, EndpointUnreachable, RangeTooLarge, RpcError

DECIMALS_SELECTOR = "0x313ce567"
SYMBOL_SELECTOR = "0x95d89b41"


@dataclass(frozen=True)
class TokenInfo:
    """How to show amounts of one token."""

    address: str  # the zero address for ETH
    symbol: str | None
    decimals: int | None  # None: the token did not say, amounts are raw units

    @property
    def label(self) -> str:
        """What follows an amount: the symbol; the address when there is none ("units of
        0x…" when the decimals are unknown too, as the amount is then raw)."""
        if self.decimals is None:
            return f"units of {self.address}"
        return self.symbol if self.symbol is not None else self.address

    def format(self, raw: int) -> str:
        """``raw`` in whole tokens when the decimals are known, else as raw units."""
        return format_units(raw, self.decimals) if self.decimals is not None else str(raw)


ETH_INFO = TokenInfo(ETH, "ETH", ETH_DECIMALS)


def unknown(address: str) -> TokenInfo:
    """A token whose metadata has not been read: raw units with its address."""
    return ETH_INFO if address == ETH else TokenInfo(address, None, None)


# ---------------------------------------------------------------- reading from the chain


def _decoded_decimals(result: str) -> int | None:
    try:
        (value,) = eth_abi.decode(["uint256"], bytes.fromhex(result[2:]))
    except Exception:  # noqa: BLE001 - any malformed answer means "no usable decimals"
        return None
    return believable_decimals(value)


def _decoded_symbol(result: str, token: str) -> str | None:
    raw = bytes.fromhex(result[2:])
    try:
        (text,) = eth_abi.decode(["string"], raw)
    except Exception:  # noqa: BLE001 - older tokens (MKR) return bytes32
        text = raw[:32].rstrip(b"\0").decode("utf-8", "replace") if len(raw) == 32 else ""
    return believable_symbol(text, token)


def read_token(endpoint: Endpoint, address: str) -> TokenInfo:
    """The token's decimals and symbol from its contract; None for what it does not answer."""
    calls: list[tuple[str, list[Any]]] = [
        ("eth_call", [{"to": address, "data": selector}, "latest"]) for selector in (DECIMALS_SELECTOR, SYMBOL_SELECTOR)
    ]
    answers: list[str | None] = []
    for method, params in calls:
        try:
            answers.append(endpoint.call(method, params))
        except RangeTooLarge as error:  # the endpoint timed out: ask again later, remember nothing
            raise EndpointUnreachable(f"{address}'s {params[0]['data']} call timed out: {error}") from error
        except RpcError:  # reverted or absent: the token does not say
            answers.append(None)
    decimals_hex, symbol_hex = answers
    decimals = _decoded_decimals(decimals_hex) if decimals_hex and len(decimals_hex) > 2 else None
    symbol = _decoded_symbol(symbol_hex, address) if symbol_hex and len(symbol_hex) > 2 else None
    return TokenInfo(address, symbol, decimals)


def tokens_in(logs: Iterable[tuple[Event, dict]]) -> set[str]:
    """The ERC-20 tokens the given logs move or price an offer in."""
    found = {event.token for event, _ in logs if isinstance(event, (GigCreated, PaymentCredited, OfferPosted))}
    return found - {ETH}


def unread_tokens(engine: Engine, logs: Sequence[tuple[Event, dict]]) -> set[str]:
    """Tokens among ``logs`` whose metadata the index does not hold yet."""
    candidates = tokens_in(logs)
    if not candidates:
        return set()
    with engine.connect() as conn:
        known = set(conn.execute(select(db.tokens.c.address).where(db.tokens.c.address.in_(candidates))).scalars())
    return candidates - known


def read_new_tokens(engine: Engine, endpoint: Endpoint, logs: Sequence[tuple[Event, dict]]) -> list[TokenInfo]:
    """Metadata of the tokens among ``logs`` never read before (JSON-RPC, outside any transaction)."""
    return [read_token(endpoint, address) for address in sorted(unread_tokens(engine, logs))]


def store_tokens(conn: Connection, infos: Sequence[TokenInfo]) -> None:
    """Keep read metadata; a token already stored (a concurrent writer) is left as it is."""
    if not infos:
        return
    known = set(conn.execute(select(db.tokens.c.address).where(db.tokens.c.address.in_([i.address for i in infos]))).scalars())
    rows = [{"address": i.address, "decimals": i.decimals, "symbol": i.symbol} for i in infos if i.address not in known]
    if rows:
        conn.execute(db.tokens.insert(), rows)


# ---------------------------------------------------------------- reads


def token_book(engine: Engine) -> dict[str, TokenInfo]:
    """Every token the index has read, by address, with ETH."""
    with engine.connect() as conn:
        rows = conn.execute(select(db.tokens)).all()
    book = {r.address: TokenInfo(r.address, r.symbol, r.decimals) for r in rows}
    book[ETH] = ETH_INFO
    return book
