"""The registry's record of an audited account, proved by a storage proof of its slots.

`ReputationRegistry` keeps an account's eight counters packed in one slot,
``counters[account]`` (32 bits each, in `Summary` order), and what it earned and
paid per token in another, ``volumes[account][token]`` (earned in the high 128
bits, paid in the low). The slots come from the registry's compiler storage
layout, shipped with the SDK (`gigledger.storage.shipped_layout`); the values
from one eth_getProof checked against the verified head's stateRoot, so they are
the registry's own record at that head, whichever writers wrote it.

What the endpoint answers to ``summary()`` and ``volume()`` (what apps read
through it) is then compared with the proven record: an endpoint that tells
apps another record is named too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address

from gigledger.jsonrpc import RawRpc, RpcFailed
from gigledger.proofs import ProofInvalid, hex_bytes, verify_account_proof
from gigledger.report import REGISTRY_ANSWER_DIFFERS, REGISTRY_PROOF_INVALID, Mismatch, RegistryRecord
from gigledger.storage import hashmap_slot, shipped_layout, slot_key, variable_slot

__all__ = ["COUNTERS", "prove_record", "record_slots", "unpack_counters", "unpack_volume"]

#: The registry's counters, in the order `Summary` (and the packed slot) keeps them.
COUNTERS = (
    "completed", "on_time", "missed_deadlines", "disputes_opened", "disputes_won", "disputes_lost", "attestations",
    "score_sum",
)
FIELD_BITS = 32
HALF_BITS = 128
_SUMMARY = "0x" + keccak(b"summary(address)")[:4].hex()
_VOLUME = "0x" + keccak(b"volume(address,address)")[:4].hex()


def unpack_counters(word: int) -> dict[str, int]:
    """The eight counters packed in ``counters[account]``."""
    mask = (1 << FIELD_BITS) - 1
    return {name: (word >> (FIELD_BITS * i)) & mask for i, name in enumerate(COUNTERS)}


def unpack_volume(word: int) -> tuple[int, int]:
    """(earned, paid) packed in ``volumes[account][token]``."""
    return word >> HALF_BITS, word & ((1 << HALF_BITS) - 1)


def record_slots(layout: Mapping[str, Any], account: str, tokens: Iterable[str]) -> tuple[int, dict[str, int]]:
    """The slot of the account's counters, and of its volume in each token."""
    counters = hashmap_slot(variable_slot(layout, "counters"), account)
    volumes = variable_slot(layout, "volumes")
    return counters, {token: hashmap_slot(volumes, account, token) for token in tokens}


def prove_record(
    rpc: RawRpc,
    state_root: bytes,
    registry: str,
    account: str,
    tokens: Iterable[str],
    head: int,
    layout: Mapping[str, Any] | None = None,
) -> tuple[RegistryRecord | None, list[Mismatch]]:
    """The registry's record of ``account`` at ``head`` (counters, and volume in each of
    ``tokens``) proved against ``state_root``, and what the endpoint got wrong about it.

    None when the proof fails (a REGISTRY_PROOF_INVALID mismatch says why); an
    endpoint without eth_getProof gives the record as its ``summary()`` and
    ``volume()`` answer it, marked unproven."""
    tokens = sorted({to_checksum_address(t) for t in tokens})
    counters_slot, volume_slots = record_slots(layout or shipped_layout("ReputationRegistry"), account, tokens)
    slots = [counters_slot, *volume_slots.values()]
    try:
        answer = rpc.call("eth_getProof", [registry, [slot_key(s) for s in slots], hex(head)])
    except RpcFailed:
        return _answered_record(rpc, registry, account, tokens, head), []
    try:
        storage = verify_account_proof(state_root, answer, address=registry).storage
        words = [storage[slot] for slot in slots]
    except (ProofInvalid, KeyError, TypeError) as error:
        detail = f"registry record of {account} at block {head}: {error or type(error).__name__}"
        return None, [Mismatch(REGISTRY_PROOF_INVALID, detail)]
    record = RegistryRecord(
        unpack_counters(words[0]), {t: unpack_volume(w) for t, w in zip(tokens, words[1:], strict=True)}, True
    )
    return record, _answers_differ(rpc, registry, account, head, record)


def _record_calls(registry: str, account: str, tokens: list[str], head: int) -> list[tuple[str, list[Any]]]:
    def call(selector: str, types: list[str], values: list[Any]) -> tuple[str, list[Any]]:
        return "eth_call", [{"to": registry, "data": selector + encode(types, values).hex()}, hex(head)]

    return [
        call(_SUMMARY, ["address"], [account]),
        *(call(_VOLUME, ["address", "address"], [account, token]) for token in tokens),
    ]


def _decoded_answers(answers: list[Any], tokens: list[str]) -> RegistryRecord:
    counters = decode(["uint256"] * len(COUNTERS), hex_bytes(answers[0]))
    volumes = {t: tuple(decode(["uint256", "uint256"], hex_bytes(a))) for t, a in zip(tokens, answers[1:], strict=True)}
    return RegistryRecord(dict(zip(COUNTERS, counters, strict=True)), volumes, False)


def _answered_record(rpc: RawRpc, registry: str, account: str, tokens: list[str], head: int) -> RegistryRecord:
    """The record as the endpoint's ``summary()`` and ``volume()`` answer it (unproven)."""
    return _decoded_answers(rpc.batch(_record_calls(registry, account, tokens, head)), tokens)


def _answers_differ(rpc: RawRpc, registry: str, account: str, head: int, proven: RegistryRecord) -> list[Mismatch]:
    """Where the endpoint's ``summary()`` and ``volume()`` answers differ from the proven record."""
    tokens = list(proven.volumes)
    try:
        answered = _answered_record(rpc, registry, account, tokens, head)
    except (RpcFailed, DecodingError, ValueError) as error:  # no answer, or one that does not decode: a lie too
        return [Mismatch(REGISTRY_ANSWER_DIFFERS, f"summary() or volume() of {account}: {error}")]
    differences = [
        f"{name}: served {answered.counters[name]}, proven {value}"
        for name, value in proven.counters.items() if answered.counters[name] != value
    ] + [
        f"volume in {token}: served {answered.volumes[token]}, proven {value}"
        for token, value in proven.volumes.items() if answered.volumes[token] != value
    ]
    return [Mismatch(REGISTRY_ANSWER_DIFFERS, "; ".join(differences))] if differences else []
