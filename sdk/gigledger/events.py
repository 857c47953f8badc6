"""Typed models of the contracts' events, and a fast decoder for raw logs.

The indexer decodes every log of the chain with `decode_log`, so the hot path does
no ABI lookups and builds no web3 contract objects: each event's topic0 maps to a
precomputed plan (which fields come from topics, which from the data, in what
order), the data is decoded with one `eth_abi.decode` call, and addresses are
checksummed through a cache (the same few parties appear in many logs).

Conventions of the models: addresses are checksummed strings, `bytes32` values
and hashes are 0x-prefixed lowercase hex strings, arrays are tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Callable, ClassVar, Iterable, Mapping

import eth_abi
from eth_utils import keccak, to_checksum_address

from gigledger.contracts import abi


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Where a log sits on the chain; every event model carries these.

    `block_timestamp` is filled only when the log carries one (Anvil, Geth and
    reth add `blockTimestamp` to logs); callers that need it otherwise look the
    block up.
    """

    contract: ClassVar[str]
    block_number: int
    block_hash: str
    transaction_hash: str
    log_index: int
    address: str
    block_timestamp: int | None = None

    @property
    def name(self) -> str:
        """The event's name in the contract."""
        return type(self).__name__


# ---------------------------------------------------------------- GigEscrow


@dataclass(frozen=True, slots=True)
class GigCreated(Event):
    """A gig was created and funded."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    arbiter: str
    token: str
    amount: int
    milestones: tuple[int, ...]
    deadline: int
    review_period: int
    fee_bps: int
    terms_hash: str
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GigAccepted(Event):
    """A freelancer accepted a gig."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str


@dataclass(frozen=True, slots=True)
class GigCancelled(Event):
    """The client cancelled a gig nobody had accepted; `refund` went back to them."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    refund: int


@dataclass(frozen=True, slots=True)
class GigDelivered(Event):
    """The freelancer delivered; the review period started at `delivered_at`."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    deliverable_hash: str
    delivered_at: int


@dataclass(frozen=True, slots=True)
class MilestoneReleased(Event):
    """Milestone `index` was released: `amount` before the fee, `fee` to the treasury."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    index: int
    amount: int
    fee: int


@dataclass(frozen=True, slots=True)
class GigReleased(Event):
    """The gig was paid out in full: approved, claimed after review, or last milestone."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    amount: int
    fee: int
    on_time: bool
    claimed: bool


@dataclass(frozen=True, slots=True)
class GigRefunded(Event):
    """The deadline passed with nothing delivered; `amount` went back to the client."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    amount: int


@dataclass(frozen=True, slots=True)
class GigDisputed(Event):
    """A party disputed the gig at `disputed_at`."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    opened_by: str
    disputed_at: int


@dataclass(frozen=True, slots=True)
class GigResolved(Event):
    """A dispute was settled: by the arbiter, or evenly after the arbitration period."""

    contract: ClassVar[str] = "GigEscrow"
    gig_id: int
    client: str
    freelancer: str
    to_client: int
    to_freelancer: int
    fee: int
    timed_out: bool


@dataclass(frozen=True, slots=True)
class PaymentCredited(Event):
    """A payout was rejected by its recipient and credited instead."""

    contract: ClassVar[str] = "GigEscrow"
    account: str
    token: str
    amount: int


@dataclass(frozen=True, slots=True)
class CreditWithdrawn(Event):
    """A credited payout was withdrawn."""

    contract: ClassVar[str] = "GigEscrow"
    account: str
    token: str
    recipient: str
    amount: int


@dataclass(frozen=True, slots=True)
class FeeChanged(Event):
    """The fee for new gigs changed."""

    contract: ClassVar[str] = "GigEscrow"
    fee_bps: int


@dataclass(frozen=True, slots=True)
class TreasuryChanged(Event):
    """The fee recipient changed."""

    contract: ClassVar[str] = "GigEscrow"
    treasury: str


@dataclass(frozen=True, slots=True)
class MinAmountChanged(Event):
    """The smallest gig amount in `token` changed; 0: no minimum."""

    contract: ClassVar[str] = "GigEscrow"
    token: str
    min_amount: int


@dataclass(frozen=True, slots=True)
class OwnershipTransferStarted(Event):
    """The owner of either contract offered it to `new_owner`, who must accept it."""

    contract: ClassVar[str] = "GigEscrow"
    previous_owner: str
    new_owner: str


@dataclass(frozen=True, slots=True)
class OwnershipTransferred(Event):
    """The owner of either contract changed (both emit the same event; see `address`)."""

    contract: ClassVar[str] = "GigEscrow"
    previous_owner: str
    new_owner: str


# ---------------------------------------------------------------- ReputationRegistry


@dataclass(frozen=True, slots=True)
class WriterAnnounced(Event):
    """The registry's owner announced a writer (an escrow); it takes effect at `effective_at`."""

    contract: ClassVar[str] = "ReputationRegistry"
    writer: str
    effective_at: int


@dataclass(frozen=True, slots=True)
class WriterRetired(Event):
    """The registry's owner retired a writer: it settles its gigs but takes no new ones."""

    contract: ClassVar[str] = "ReputationRegistry"
    writer: str


@dataclass(frozen=True, slots=True)
class CompletionRecorded(Event):
    """`writer` recorded a gig paid out in full to `freelancer`."""

    contract: ClassVar[str] = "ReputationRegistry"
    writer: str
    freelancer: str
    client: str
    token: str
    paid: int
    on_time: bool


@dataclass(frozen=True, slots=True)
class MissedDeadlineRecorded(Event):
    """`writer` recorded an accepted gig refunded because nothing was delivered in time."""

    contract: ClassVar[str] = "ReputationRegistry"
    writer: str
    freelancer: str
    client: str
    token: str
    earned: int


@dataclass(frozen=True, slots=True)
class DisputeOpenedRecorded(Event):
    """`writer` recorded that `opener` disputed a gig."""

    contract: ClassVar[str] = "ReputationRegistry"
    writer: str
    opener: str


@dataclass(frozen=True, slots=True)
class ResolutionRecorded(Event):
    """`writer` recorded a settled dispute; `earned` is all the freelancer got on the gig."""

    contract: ClassVar[str] = "ReputationRegistry"
    writer: str
    client: str
    freelancer: str
    token: str
    to_client: int
    to_freelancer: int
    earned: int


@dataclass(frozen=True, slots=True)
class NonceInvalidated(Event):
    """`attester` gave up its signed-attestation nonce `nonce` unused."""

    contract: ClassVar[str] = "ReputationRegistry"
    attester: str
    nonce: int


@dataclass(frozen=True, slots=True)
class Attested(Event):
    """`attester` attested about `subject` for gig `gig_id` of `escrow`."""

    contract: ClassVar[str] = "ReputationRegistry"
    attester: str
    subject: str
    gig_id: int
    escrow: str
    score: int
    skill: str
    evidence_hash: str


@dataclass(frozen=True, slots=True)
class AttestationRevoked(Event):
    """`attester` revoked its attestation about `subject` for gig `gig_id`."""

    contract: ClassVar[str] = "ReputationRegistry"
    attester: str
    subject: str
    gig_id: int
    escrow: str
    score: int


# ---------------------------------------------------------------- TalentMarket


@dataclass(frozen=True, slots=True)
class ProfileUpdated(Event):
    """`account` published a profile (UTF-8 JSON); `content_hash` is keccak256 of its bytes."""

    contract: ClassVar[str] = "TalentMarket"
    account: str
    content_hash: str
    profile: str


@dataclass(frozen=True, slots=True)
class AccountsLinked(Event):
    """Two accounts, both having agreed, became one identity (`first` < `second`)."""

    contract: ClassVar[str] = "TalentMarket"
    first: str
    second: str


@dataclass(frozen=True, slots=True)
class AccountsUnlinked(Event):
    """`by`, one of the two, ended their link (`first` < `second`)."""

    contract: ClassVar[str] = "TalentMarket"
    first: str
    second: str
    by: str


@dataclass(frozen=True, slots=True)
class OfferPosted(Event):
    """`freelancer` offered a service on these terms."""

    contract: ClassVar[str] = "TalentMarket"
    offer_id: int
    freelancer: str
    token: str
    price: int
    delivery_time: int
    review_period: int
    arbiter: str
    terms_hash: str
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OfferWithdrawn(Event):
    """The freelancer took the offer down."""

    contract: ClassVar[str] = "TalentMarket"
    offer_id: int
    freelancer: str


@dataclass(frozen=True, slots=True)
class OfferHired(Event):
    """`client` hired from the offer; the escrow's gig `gig_id` holds the payment."""

    contract: ClassVar[str] = "TalentMarket"
    offer_id: int
    gig_id: int
    client: str


#: The market's event models, in the order the contract declares them.
MARKET_EVENT_TYPES: tuple[type[Event], ...] = (
    ProfileUpdated,
    AccountsLinked,
    AccountsUnlinked,
    OfferPosted,
    OfferWithdrawn,
    OfferHired,
)


#: The events that change a gig, in the escrow's terms.
GIG_EVENTS = (
    GigCreated,
    GigAccepted,
    GigCancelled,
    GigDelivered,
    MilestoneReleased,
    GigReleased,
    GigRefunded,
    GigDisputed,
    GigResolved,
)

#: Every event model, in the order the contracts declare them.
EVENT_TYPES: tuple[type[Event], ...] = (
    *GIG_EVENTS,
    PaymentCredited,
    CreditWithdrawn,
    FeeChanged,
    TreasuryChanged,
    MinAmountChanged,
    OwnershipTransferStarted,
    OwnershipTransferred,
    WriterAnnounced,
    WriterRetired,
    CompletionRecorded,
    MissedDeadlineRecorded,
    DisputeOpenedRecorded,
    ResolutionRecorded,
    Attested,
    AttestationRevoked,
    NonceInvalidated,
    *MARKET_EVENT_TYPES,
)

#: The registry's record of an account's settled gigs, one event per write.
RECORD_EVENTS = (CompletionRecorded, MissedDeadlineRecorded, DisputeOpenedRecorded, ResolutionRecorded)


# ---------------------------------------------------------------- decoding


@lru_cache(maxsize=65536)
def checksum(address: str) -> str:
    """The checksummed form of a hex address; cached, as the same parties recur."""
    return to_checksum_address(address)


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _convert_value(abi_type: str) -> Callable[[Any], Any]:
    """How to turn one eth_abi-decoded value of `abi_type` into the model's form."""
    if abi_type == "address":
        return checksum
    if abi_type == "bytes32":
        return _hex
    if abi_type == "bytes32[]":
        return lambda values: tuple(_hex(v) for v in values)
    if abi_type == "string":
        # Contracts log any bytes as a string; a log must never stop a decoder.
        return lambda raw: raw.decode("utf-8", errors="replace")
    if abi_type.endswith("[]"):
        return tuple
    return lambda value: value


def _convert_topic(abi_type: str) -> Callable[[str], Any]:
    """How to turn one indexed topic (0x-prefixed hex) into the model's form."""
    if abi_type == "address":
        return lambda topic: checksum("0x" + topic[-40:])
    if abi_type == "bytes32":
        return str.lower
    if abi_type.startswith("uint"):
        return lambda topic: int(topic, 16)
    raise NotImplementedError(f"indexed {abi_type} does not occur in these contracts")


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to decode one event: which positional field comes from where."""

    model: type[Event]
    topic_converters: tuple[Callable[[str], Any], ...]
    data_types: tuple[str, ...]
    data_converters: tuple[Callable[[Any], Any], ...]
    # Per model field, in order: (from_topics, index into topics[1:] or data values).
    sources: tuple[tuple[bool, int], ...]


def _signature(entry: Mapping[str, Any]) -> str:
    return f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"


def _abi_events() -> dict[str, Mapping[str, Any]]:
    """Each contract event's ABI entry by name (the ownership events are shared)."""
    entries: dict[str, Mapping[str, Any]] = {}
    for contract in ("GigEscrow", "ReputationRegistry", "TalentMarket"):
        for entry in abi(contract):
            if entry["type"] == "event":
                entries.setdefault(entry["name"], entry)
    return entries


def _plan(model: type[Event], entry: Mapping[str, Any]) -> _Plan:
    inputs = entry["inputs"]
    own_fields = [f.name for f in fields(model) if f.name not in _EVENT_FIELDS]
    if own_fields != [i["name"] for i in inputs]:
        raise RuntimeError(f"{model.__name__} fields {own_fields} do not match the ABI; rebuild the artifacts")
    indexed = [i for i in inputs if i["indexed"]]
    unindexed = [i for i in inputs if not i["indexed"]]
    sources = tuple(
        (True, indexed.index(i)) if i["indexed"] else (False, unindexed.index(i)) for i in inputs
    )
    return _Plan(
        model=model,
        topic_converters=tuple(_convert_topic(i["type"]) for i in indexed),
        data_types=tuple("bytes" if i["type"] == "string" else i["type"] for i in unindexed),
        data_converters=tuple(_convert_value(i["type"]) for i in unindexed),
        sources=sources,
    )


_EVENT_FIELDS = frozenset(f.name for f in fields(Event))


def _build_plans() -> dict[str, _Plan]:
    entries = _abi_events()
    plans = {}
    for model in EVENT_TYPES:
        entry = entries[model.__name__]
        plans[_hex(keccak(text=_signature(entry)))] = _plan(model, entry)
    return plans


_PLANS: dict[str, _Plan] = _build_plans()


def event_topics() -> dict[str, str]:
    """Each event's name -> its topic0 (0x-prefixed lowercase hex)."""
    return {plan.model.__name__: topic for topic, plan in _PLANS.items()}


def _as_hex(value: Any) -> str:
    """A log field as lowercase 0x-hex, from web3's HexBytes/bytes or JSON-RPC's str."""
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value)
    return bytes(value)


def _as_int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else _as_int(value)


def decode_log(log: Mapping[str, Any]) -> Event | None:
    """The typed event of one log, or None when it is not one of the contracts' events.

    Accepts a web3 log (AttributeDict with HexBytes) or a raw JSON-RPC log (hex
    strings). It does not check the emitting address: filter by address first.
    """
    topics = log["topics"]
    if not topics:
        return None
    hex_topics = [_as_hex(t) for t in topics]
    plan = _PLANS.get(hex_topics[0])
    if plan is None or len(hex_topics) != len(plan.topic_converters) + 1:
        return None
    indexed = [convert(topic) for convert, topic in zip(plan.topic_converters, hex_topics[1:], strict=False)]
    # Non-strict: the escrow and registry emit well-formed data, and strict mode's
    # pointer and padding checks cost more than the rest of the decode.
    raw = eth_abi.decode(plan.data_types, _as_bytes(log["data"]), strict=False) if plan.data_types else ()
    values = [convert(value) for convert, value in zip(plan.data_converters, raw, strict=False)]
    args = [indexed[i] if from_topic else values[i] for from_topic, i in plan.sources]
    return plan.model(
        *args,
        block_number=_as_int(log["blockNumber"]),
        block_hash=_as_hex(log["blockHash"]),
        transaction_hash=_as_hex(log["transactionHash"]),
        log_index=_as_int(log["logIndex"]),
        address=checksum(log["address"]),
        block_timestamp=_optional_int(log.get("blockTimestamp")),
    )


def decode_logs(logs: Iterable[Mapping[str, Any]]) -> list[Event]:
    """The typed events among `logs`, in order, skipping logs of other events."""
    return [event for event in map(decode_log, logs) if event is not None]
