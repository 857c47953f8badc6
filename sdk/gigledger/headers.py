"""The canonical header chain, verified from a trust anchor and kept in a local cache.

Headers are fetched in JSON-RPC batches, each rebuilt and hashed (it must hash
to the hash served with it), linked by parentHash from the anchor to the
audit's head, and each seal checked against the authorities of the genesis
the anchor pins. Verified headers go into a small SQLite file keyed by the
genesis hash, so a later audit fetches only what is new. What the cache holds
is also the auditor's memory: if the endpoint now serves another sealed header
at a height the cache already has, both headers are kept as evidence of
equivocation by the authority.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import rlp
from eth_utils import keccak

from gigledger.anchor import TrustAnchor
from gigledger.jsonrpc import RawRpc
from gigledger.report import (
    CHAIN_BROKEN,
    CHECKPOINT_MISMATCH,
    EQUIVOCATION,
    GENESIS_MISMATCH,
    HEADER_HASH_MISMATCH,
    HEADER_MISSING,
    NO_AUTHORITIES,
    SEAL_NOT_BY_AUTHORITY,
    UNSEALED_CHAIN,
    Mismatch,
)
from gigledger.seal import SealError, authorities_in_extra_data, checked_header, sealer_of

#: Where audits cache verified headers unless told otherwise.
CACHE_ENV = "GIGLEDGER_CACHE"


@dataclass(frozen=True)
class Header:
    """A block header as its RLP encoding; its hash is keccak of that."""

    raw: bytes

    @classmethod
    def from_rpc(cls, block: dict[str, Any]) -> Header:
        """The header of a JSON-RPC block; raises HeaderHashMismatch unless its fields hash to its hash."""
        return cls(rlp.encode(checked_header(block)))

    @cached_property
    def fields(self) -> list[bytes]:
        return list(rlp.decode(self.raw))

    @cached_property
    def hash(self) -> bytes:
        return keccak(self.raw)

    @property
    def number(self) -> int:
        return int.from_bytes(self.fields[8], "big")

    @property
    def parent_hash(self) -> bytes:
        return self.fields[0]

    @property
    def state_root(self) -> bytes:
        return self.fields[3]

    @property
    def transactions_root(self) -> bytes:
        return self.fields[4]

    @property
    def receipts_root(self) -> bytes:
        return self.fields[5]

    @property
    def bloom(self) -> bytes:
        return self.fields[6]

    @property
    def timestamp(self) -> int:
        return int.from_bytes(self.fields[11], "big")

    @property
    def extra_data(self) -> bytes:
        return self.fields[12]

    @property
    def hex_hash(self) -> str:
        return "0x" + self.hash.hex()

    def sealer(self) -> str:
        """Who sealed this header; raises SealError if nobody did."""
        return sealer_of(list(self.fields))

    def evidence(self) -> dict[str, Any]:
        """The header as evidence anyone can re-hash and re-check: number, hash, RLP."""
        return {"number": self.number, "hash": self.hex_hash, "rlp": "0x" + self.raw.hex()}


class HeaderCache:
    """Verified headers of one chain (named by its genesis hash), in an SQLite file or in memory."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS headers (number INTEGER PRIMARY KEY, rlp BLOB NOT NULL)")

    @classmethod
    def for_chain(cls, directory: Path | None, genesis_hash: str) -> HeaderCache:
        """The cache of the chain with ``genesis_hash`` under ``directory`` (None: memory only)."""
        return cls(directory / f"headers-{genesis_hash.lower()}.sqlite" if directory else None)

    def get(self, numbers: Iterable[int]) -> dict[int, Header]:
        wanted = sorted(numbers)
        if not wanted:
            return {}
        rows = self._db.execute(
            "SELECT number, rlp FROM headers WHERE number BETWEEN ? AND ?", (wanted[0], wanted[-1])
        )
        return {number: Header(bytes(raw)) for number, raw in rows}

    def put(self, headers: Iterable[Header]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO headers (number, rlp) VALUES (?, ?)", [(h.number, h.raw) for h in headers]
            )

    def close(self) -> None:
        self._db.close()


def default_cache_dir() -> Path:
    """$GIGLEDGER_CACHE, else $XDG_CACHE_HOME/gigledger, else ~/.cache/gigledger."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gigledger"


@dataclass
class VerifiedChain:
    """Headers first..head, checked against the anchor; ``problems`` says what failed."""

    anchor: TrustAnchor
    genesis: Header | None
    authorities: list[str]
    require_seals: bool
    headers: dict[int, Header] = field(default_factory=dict)
    problems: list[Mismatch] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        return not self.problems

    def seal_of(self, number: int) -> str:
        """What the report says about the seal of block ``number``."""
        if not self.authorities:
            return UNSEALED_CHAIN
        try:
            return f"sealed by {self.headers[number].sealer()}"
        except (SealError, KeyError) as error:
            return f"no valid seal: {error}"


class HeaderSource:
    """Fetches headers by number from an endpoint, in batches."""

    def __init__(self, rpc: RawRpc) -> None:
        self.rpc = rpc

    def fetch(self, numbers: list[int]) -> dict[int, dict[str, Any] | None]:
        blocks = self.rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        return dict(zip(numbers, blocks, strict=True))


def verify_chain(
    source: HeaderSource,
    anchor: TrustAnchor,
    *,
    first: int,
    head: int,
    cache: HeaderCache,
    require_seals: bool,
) -> VerifiedChain:
    """Verify headers from min(anchor, ``first``) to ``head``; what is cached is not fetched again."""
    chain = VerifiedChain(anchor, None, [], require_seals)
    genesis = _genesis(source, anchor, cache, chain.problems)
    if genesis is None:
        return chain
    chain.genesis = genesis
    chain.authorities = authorities_in_extra_data(genesis.extra_data)
    if require_seals and not chain.authorities:
        chain.problems.append(Mismatch(NO_AUTHORITIES, f"genesis {genesis.hex_hash} names nobody who may seal blocks"))
    start = min(anchor.number, first)
    numbers = range(start, head + 1)
    known = cache.get(numbers)
    fetched = _fetch(source, [n for n in numbers if n not in known], chain)
    chain.headers = {**known, **fetched}
    _check_seals(chain, fetched.values())
    _check_links(chain, start, head)
    _check_anchor(chain, anchor)
    _check_memory(source, chain, known, head)
    if chain.trusted:
        cache.put(fetched.values())
    return chain


def _genesis(source: HeaderSource, anchor: TrustAnchor, cache: HeaderCache, problems: list[Mismatch]) -> Header | None:
    cached = cache.get([0]).get(0)
    if cached is not None:
        return cached
    block = source.fetch([0])[0]
    try:
        genesis = Header.from_rpc(block) if block else None
    except SealError as error:
        problems.append(Mismatch(HEADER_HASH_MISMATCH, f"genesis: {error}"))
        return None
    if genesis is None or genesis.hex_hash != anchor.genesis_hash:
        served = genesis.hex_hash if genesis else "nothing"
        problems.append(Mismatch(GENESIS_MISMATCH, f"pinned {anchor.genesis_hash}, the endpoint served {served}"))
        return None
    cache.put([genesis])
    return genesis


def _fetch(source: HeaderSource, numbers: list[int], chain: VerifiedChain) -> dict[int, Header]:
    headers: dict[int, Header] = {}
    for number, block in source.fetch(numbers).items():
        if block is None:
            chain.problems.append(Mismatch(HEADER_MISSING, f"the endpoint has no block {number}"))
            continue
        try:
            header = Header.from_rpc(block)
        except SealError as error:
            chain.problems.append(Mismatch(HEADER_HASH_MISMATCH, str(error)))
            continue
        if header.number != number:
            chain.problems.append(Mismatch(HEADER_MISSING, f"asked for block {number}, got {header.number}"))
            continue
        headers[number] = header
    return headers


def _check_seals(chain: VerifiedChain, headers: Iterable[Header]) -> None:
    if not chain.authorities:
        return
    allowed = {a.lower() for a in chain.authorities}
    for header in headers:
        if header.number == 0:
            continue
        try:
            sealer = header.sealer()
        except SealError as error:
            chain.problems.append(Mismatch(SEAL_NOT_BY_AUTHORITY, f"block {header.number}: {error}"))
            continue
        if sealer.lower() not in allowed:
            chain.problems.append(Mismatch(SEAL_NOT_BY_AUTHORITY, f"block {header.number}: sealed by {sealer}"))


def _check_links(chain: VerifiedChain, start: int, head: int) -> None:
    for number in range(start + 1, head + 1):
        child, parent = chain.headers.get(number), chain.headers.get(number - 1)
        if child is not None and parent is not None and child.parent_hash != parent.hash:
            chain.problems.append(Mismatch(
                CHAIN_BROKEN,
                f"block {number}'s parent is 0x{child.parent_hash.hex()}, "
                f"but the header served at {number - 1} is {parent.hex_hash}",
                evidence={"child": child.evidence(), "parent": parent.evidence()},
            ))


def _check_anchor(chain: VerifiedChain, anchor: TrustAnchor) -> None:
    if anchor.checkpoint is None:
        return
    header = chain.headers.get(anchor.checkpoint.number)
    if header is None or header.hex_hash != anchor.checkpoint.hash:
        served = header.hex_hash if header else "nothing"
        chain.problems.append(Mismatch(
            CHECKPOINT_MISMATCH, f"block {anchor.checkpoint.number}: pinned {anchor.checkpoint.hash}, served {served}"
        ))


def _check_memory(source: HeaderSource, chain: VerifiedChain, known: dict[int, Header], head: int) -> None:
    """Ask the endpoint again for the newest header the cache holds: a different sealed one is equivocation."""
    remembered = [n for n in known if 0 < n <= head]
    if remembered:
        number = max(remembered)
        block = source.fetch([number])[number]
        if block is not None:
            chain.problems.extend(served_differs(chain, known[number], block))


def served_differs(chain: VerifiedChain, ours: Header, block: dict[str, Any]) -> list[Mismatch]:
    """Nothing if the endpoint's ``block`` is the verified header ``ours``; else what it is:
    equivocation when an authority sealed both, a foreign header otherwise."""
    try:
        served = Header.from_rpc(block)
    except SealError as error:
        return [Mismatch(HEADER_HASH_MISMATCH, str(error))]
    if served.hash == ours.hash:
        return []
    evidence = {"verified": ours.evidence(), "served": served.evidence()}
    try:
        sealers = {ours.sealer(), served.sealer()}
    except SealError:
        sealers = set()
    if chain.authorities and sealers <= set(chain.authorities):
        return [Mismatch(
            EQUIVOCATION,
            f"block {ours.number}: {ours.hex_hash} (verified) and {served.hex_hash} (served now), "
            f"both sealed by {', '.join(sorted(sealers))}",
            evidence=evidence,
        )]
    return [Mismatch(
        CHAIN_BROKEN, f"block {ours.number}: the endpoint serves {served.hex_hash}, not {ours.hex_hash}", evidence=evidence
    )]
