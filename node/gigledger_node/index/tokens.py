"""Tokens as people read them: symbol and decimals, read once from the chain.

When a gig in a new ERC-20 appears, the indexer asks the token contract for
`decimals()` and `symbol()` over JSON-RPC (`eth_call`) and keeps the answers in
the `tokens` table. A token that does not answer (the call reverts or returns
nothing), or answers something no honest token would (see
`gigledger.amounts.believable_decimals` and `believable_symbol`), is shown in raw
units with its address rather than in units it might be lying about. ETH is built in.

A call that fails for another reason (the endpoint's error, not the token's
answer) says nothing about the token: what answered is kept, the row is marked
`retry`, and the indexer reads the token again once the chain has moved
RETRY_BLOCKS past that read (at most RETRIES_PER_RANGE tokens per indexed range),
until a read goes through. Meanwhile its amounts show in raw units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import eth_abi
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from gigledger.amounts import ETH_DECIMALS, believable_decimals, believable_symbol, format_units
from gigledger.events import Event, GigCreated, OfferPosted, PaymentCredited
from gigledger.gigs import ZERO_ADDRESS as ETH
from gigledger_node.index import db
from gigledger_node.index.endpoint import Endpoint, EndpointUnreachable, RangeTooLarge, RpcError

DECIMALS_SELECTOR = "0x313ce567"
SYMBOL_SELECTOR = "0x95d89b41"
#: Blocks after a failed read before the token is read again.
RETRY_BLOCKS = 10
#: Most failed reads tried again per indexed range (each costs two eth_calls).
RETRIES_PER_RANGE = 4


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


@dataclass(frozen=True)
class TokenRead:
    """What one read of a token's metadata found."""

    info: TokenInfo
    failed: bool  # a call failed for another reason than the token's answer: read again later


def _reverted(error: RpcError) -> bool:
    """Whether the error is the token's own answer (its call reverted), not the endpoint's failure."""
    return error.code == 3 or "revert" in error.message.lower()


def read_token(endpoint: Endpoint, address: str) -> TokenRead:
    """The token's decimals and symbol from its contract; None for what it does not answer."""
    calls: list[tuple[str, list[Any]]] = [
        ("eth_call", [{"to": address, "data": selector}, "latest"]) for selector in (DECIMALS_SELECTOR, SYMBOL_SELECTOR)
    ]
    answers: list[str | None] = []
    failed = False
    for method, params in calls:
        try:
            answers.append(endpoint.call(method, params))
        except RangeTooLarge as error:  # the endpoint timed out: ask again later, remember nothing
            raise EndpointUnreachable(f"{address}'s {params[0]['data']} call timed out: {error}") from error
        except RpcError as error:  # reverted: the token does not say; else the endpoint failed
            failed = failed or not _reverted(error)
            answers.append(None)
    decimals_hex, symbol_hex = answers
    decimals = _decoded_decimals(decimals_hex) if decimals_hex and len(decimals_hex) > 2 else None
    symbol = _decoded_symbol(symbol_hex, address) if symbol_hex and len(symbol_hex) > 2 else None
    return TokenRead(TokenInfo(address, symbol, decimals), failed)


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


def due_for_retry(engine: Engine, at_block: int) -> list[str]:
    """Tokens whose last read failed at least RETRY_BLOCKS before ``at_block``, oldest read first."""
    tokens = db.tokens
    query = (
        select(tokens.c.address)
        .where(tokens.c.retry, tokens.c.read_block <= at_block - RETRY_BLOCKS)
        .order_by(tokens.c.read_block, tokens.c.address)
        .limit(RETRIES_PER_RANGE)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def read_new_tokens(engine: Engine, endpoint: Endpoint, logs: Sequence[tuple[Event, dict]], at_block: int) -> dict[str, TokenRead]:
    """Metadata of the tokens among ``logs`` never read before, and of those due for another
    read (JSON-RPC, outside any transaction), for a range ending at block ``at_block``."""
    addresses = sorted(unread_tokens(engine, logs) | set(due_for_retry(engine, at_block)))
    return {address: read_token(endpoint, address) for address in addresses}


def store_tokens(conn: Connection, reads: Mapping[str, TokenRead], at_block: int) -> None:
    """Keep read metadata. A token already stored is left as it is (a concurrent writer),
    unless its stored read failed: then a read that went through replaces it, and one
    that failed again only moves the time of the next try."""
    if not reads:
        return
    tokens = db.tokens
    stored = {r.address: r for r in conn.execute(select(tokens).where(tokens.c.address.in_(list(reads))))}
    for address, read in reads.items():
        row = {"decimals": read.info.decimals, "symbol": read.info.symbol, "retry": read.failed, "read_block": at_block}
        if address not in stored:
            conn.execute(tokens.insert().values(address=address, **row))
        elif stored[address].retry:
            changes = {"read_block": at_block} if read.failed else row
            conn.execute(update(tokens).where(tokens.c.address == address).values(**changes))


# ---------------------------------------------------------------- reads


def token_book(source: Engine | Connection) -> dict[str, TokenInfo]:
    """Every token the index has read, by address, with ETH (read on ``source``'s
    connection when it is one: a query that already holds one saves a round trip)."""
    if isinstance(source, Engine):
        with source.connect() as conn:
            return token_book(conn)
    rows = source.execute(select(db.tokens)).all()
    book = {r.address: TokenInfo(r.address, r.symbol, r.decimals) for r in rows}
    book[ETH] = ETH_INFO
    return book
