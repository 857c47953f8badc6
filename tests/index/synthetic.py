"""Many gigs indexed fast: events encoded as real logs and committed by the real indexer.

Ranking tests need more gigs (a sybil ring of a hundred) than a chain plays in a
test's time. `SyntheticChain` writes the escrow's and registry's events as the
logs the contracts would emit (ABI-encoded from the contracts' own ABI, so the
index decodes them like any other log) and hands them to `Indexer.commit`, the
path every indexed range takes. The endpoint behind it answers only what
`commit` asks: the chain id and token contracts' `decimals()` / `symbol()`.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import fields

import eth_abi
from eth_utils import keccak
from sqlalchemy import Engine

from gigledger.deployment import Deployment
from gigledger.events import (
    Attested,
    CompletionRecorded,
    Event,
    GigAccepted,
    GigCreated,
    GigDelivered,
    GigRefunded,
    GigReleased,
    MissedDeadlineRecorded,
    ProfileUpdated,
    _abi_events,
    _signature,
)
from gigledger.profiles import content_hash
from gigledger.skills import skill_tag
from gigledger_node.index.endpoint import RangeTooLarge, RpcError
from gigledger_node.index.indexer import FetchedRange, Indexer

ETH = "0x" + "00" * 20
ESCROW = "0x" + "e5" * 20
REGISTRY = "0x" + "7e" * 20
MARKET = "0x" + "3a" * 20
ARBITER = "0x" + "a7" * 20
CHAIN_ID = 31337
DAY = 86_400
START = 1_800_000_000
_EVENT_FIELDS = {f.name for f in fields(Event)}


def account(n: int) -> str:
    """A distinct checksummed-looking address for party ``n`` (lower case hex is fine for the index)."""
    from eth_utils import to_checksum_address

    return to_checksum_address(f"0x{n:040x}")


def _topic(abi_type: str, value) -> str:
    if abi_type == "address":
        return "0x" + "00" * 12 + value[2:].lower()
    if abi_type == "bytes32":
        return value
    return "0x" + value.to_bytes(32, "big").hex()


def _data_value(abi_type: str, value):
    if abi_type == "bytes32":
        return bytes.fromhex(value[2:])
    if abi_type == "bytes32[]":
        return [bytes.fromhex(v[2:]) for v in value]
    if abi_type.endswith("[]"):
        return list(value)
    return value


def encode(event: Event) -> dict:
    """The JSON-RPC log a contract emits for ``event``."""
    entry = _abi_events()[event.name]
    indexed = [i for i in entry["inputs"] if i["indexed"]]
    plain = [i for i in entry["inputs"] if not i["indexed"]]
    topics = ["0x" + keccak(text=_signature(entry)).hex()]
    topics += [_topic(i["type"], getattr(event, i["name"])) for i in indexed]
    data = eth_abi.encode([i["type"] for i in plain], [_data_value(i["type"], getattr(event, i["name"])) for i in plain])
    return {
        "address": event.address,
        "topics": topics,
        "data": "0x" + data.hex(),
        "blockNumber": hex(event.block_number),
        "blockHash": event.block_hash,
        "transactionHash": event.transaction_hash,
        "transactionIndex": "0x0",
        "logIndex": hex(event.log_index),
    }


class TokenContracts:
    """The endpoint `Indexer` talks to: a chain id and ERC-20 metadata by address."""

    def __init__(self, tokens: dict | None = None) -> None:
        self.tokens = tokens or {}  # address -> (decimals, symbol), or "timeout"
        self.failing: dict[str, int] = {}  # address -> how many more calls fail with an endpoint error
        self.calls: list[tuple[str, str]] = []

    def chain_id(self) -> int:
        return CHAIN_ID

    def call(self, method: str, params: list):
        to, selector = params[0]["to"], params[0]["data"]
        self.calls.append((to, selector))
        if self.tokens.get(to) == "timeout":
            raise RangeTooLarge(method, None, "timed out")
        if self.failing.get(to):
            self.failing[to] -= 1
            raise RpcError(method, -32603, "internal error")
        decimals, symbol = self.tokens.get(to, (None, None))
        if selector == "0x313ce567" and decimals is not None:
            return "0x" + eth_abi.encode(["uint8"], [decimals]).hex()
        if selector == "0x95d89b41" and symbol is not None:
            return "0x" + eth_abi.encode(["string"], [symbol]).hex()
        raise RpcError(method, 3, "execution reverted")


class SyntheticChain:
    """Gigs settled on a pretend chain, indexed block by block into ``engine``."""

    def __init__(self, engine: Engine, tokens: dict[str, tuple[int | None, str | None]] | None = None) -> None:
        self.endpoint = TokenContracts(tokens)
        self.indexer = Indexer(engine, self.endpoint, Deployment(CHAIN_ID, ESCROW, REGISTRY, 1, market=MARKET))  # type: ignore[arg-type]
        self.number = 0
        self.time = START
        self.gig_ids = itertools.count(1)
        self.pending: list[tuple[type[Event], str, dict]] = []

    # ------------------------------------------------------------ gigs

    def settled(
        self,
        client: str,
        freelancer: str,
        amount: int,
        *,
        token: str = ETH,
        skills: tuple[str, ...] = (),
        late: bool = False,
        delivered: bool = True,
        scores: tuple[int, int] | None = (5, 5),
        fee_bps: int = 100,
        fee: int | None = None,
    ) -> int:
        """A gig created, accepted, delivered (on time unless ``late``) and paid out
        (``fee`` to the treasury, by default the escrow's rounded-down share);
        then each party attests ``scores`` (client's about the freelancer first)."""
        gig_id = self.created(client, amount, freelancer=freelancer, token=token, skills=skills, fee_bps=fee_bps)
        deadline = self.time + DAY
        self.emit(GigAccepted, gig_id=gig_id, client=client, freelancer=freelancer)
        if delivered:
            when = deadline + DAY if late else self.time
            self.emit(GigDelivered, gig_id=gig_id, client=client, freelancer=freelancer, deliverable_hash="0x" + "11" * 32, delivered_at=when)
        fee = amount * fee_bps // 10_000 if fee is None else fee
        self.emit(GigReleased, gig_id=gig_id, client=client, freelancer=freelancer, amount=amount, fee=fee, on_time=not late, claimed=False)
        self.emit(CompletionRecorded, writer=ESCROW, freelancer=freelancer, client=client, token=token, paid=amount, on_time=not late)
        if scores is not None:
            tag = skill_tag(skills[0]) if skills else "0x" + "00" * 32
            self.attest(client, freelancer, gig_id, scores[0], tag)
            self.attest(freelancer, client, gig_id, scores[1], "0x" + "00" * 32)
        return gig_id

    def missed(self, client: str, freelancer: str, amount: int, *, skills: tuple[str, ...] = ()) -> int:
        """A gig accepted and refunded after its deadline with nothing delivered."""
        gig_id = self.created(client, amount, freelancer=freelancer, skills=skills)
        self.emit(GigAccepted, gig_id=gig_id, client=client, freelancer=freelancer)
        self.emit(GigRefunded, gig_id=gig_id, client=client, freelancer=freelancer, amount=amount)
        self.emit(MissedDeadlineRecorded, writer=ESCROW, freelancer=freelancer, client=client, token=ETH, earned=0)
        return gig_id

    def created(
        self,
        client: str,
        amount: int,
        *,
        freelancer: str = ETH,
        token: str = ETH,
        skills: tuple[str, ...] = (),
        fee_bps: int = 100,
    ) -> int:
        """A funded gig; open (anyone may accept) unless a freelancer is named."""
        gig_id = next(self.gig_ids)
        self.emit(
            GigCreated,
            gig_id=gig_id,
            client=client,
            freelancer=freelancer,
            arbiter=ARBITER,
            token=token,
            amount=amount,
            milestones=(amount,),
            deadline=self.time + DAY,
            review_period=DAY,
            fee_bps=fee_bps,
            terms_hash="0x" + "22" * 32,
            skills=tuple(skill_tag(s) for s in skills),
        )
        return gig_id

    def attest(self, attester: str, subject: str, gig_id: int, score: int, skill: str) -> None:
        self.emit(
            Attested, attester=attester, subject=subject, gig_id=gig_id, escrow=ESCROW, score=score, skill=skill, evidence_hash="0x" + "33" * 32
        )

    # ------------------------------------------------------------ the market

    def profile(self, account: str, name: str, headline: str = "") -> None:
        """``account`` publishes a profile with that name (and headline)."""
        document = json.dumps({"name": name, "headline": headline})
        self.emit(ProfileUpdated, account=account, content_hash=content_hash(document), profile=document)

    # ------------------------------------------------------------ blocks

    def emit(self, model: type[Event], **args) -> None:
        address = {"ReputationRegistry": REGISTRY, "TalentMarket": MARKET}.get(model.contract, ESCROW)
        self.pending.append((model, address, args))

    def mine(self) -> None:
        """Seal what was emitted into one block and index it."""
        self.number += 1
        self.time += 60
        block_hash = "0x" + keccak(text=f"block {self.number}").hex()
        decoded = []
        for index, (model, address, args) in enumerate(self.pending):
            event = model(
                **args,
                block_number=self.number,
                block_hash=block_hash,
                transaction_hash="0x" + keccak(text=f"tx {self.number} {index}").hex(),
                log_index=index,
                address=address,
            )
            decoded.append((event, encode(event)))
        self.pending = []
        end = {"number": hex(self.number), "hash": block_hash, "timestamp": hex(self.time)}
        parent = "0x" + keccak(text=f"block {self.number - 1}").hex() if self.number > 1 else None
        fetched = FetchedRange(self.number, self.number, parent, end, decoded, {self.number: self.time})
        self.indexer.commit(fetched, self.number)
