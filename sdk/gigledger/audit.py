"""Auditing an account's escrow payments against a chain trusted only through a pinned genesis.

The auditor believes nothing the endpoint says unless it hashes up to its
anchor (`gigledger.anchor`):

1. the header chain from the anchor to one pinned head, each header rebuilt and
   hashed, linked by parentHash and sealed by an authority of the verified
   genesis (`gigledger.headers`);
2. completeness: every verified header's logsBloom from the deployment block to
   the head is tested for the escrow's address and the account's topic, and every
   matching block's receipts and transactions are rebuilt into the header's
   receiptsRoot and transactionsRoot; the payments are the escrow logs of those
   verified receipts (a bloom has no false negatives, so nothing can be hidden);
3. the endpoint's own eth_getLogs is compared with them in full (address,
   topics, data): a hidden or altered log is named;
4. the escrow's ETH balance at the head comes from an eth_getProof checked
   against the head's stateRoot, and so does the registry's record of the
   account (its counters and volumes, `gigledger.audit_registry`);
5. the account's gigs are folded from the verified logs, as the index folds them;

then reconciles what an index claims (its payment rows, what it says the escrow
holds per token, and its record of the account: reputation counters and volumes)
with the verified chain, naming every mismatch. An index read directly is also
reconciled row by row (gigs, timestamps, holdings) by `gigledger_node.index.audit`;
one behind a query API, through what the API answers (`claims_from_api`,
`record_from_api`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_abi.exceptions import DecodingError
from eth_utils import to_checksum_address
from web3 import Web3

from gigledger.anchor import TrustAnchor
from gigledger.audit_registry import COUNTERS, prove_record
from gigledger.deployment import Deployment
from gigledger.events import Event, GigAccepted, GigCreated, decode_log, event_topics
from gigledger.gigs import GIG_EVENTS, Gig, GigHistoryError
from gigledger.headers import HeaderCache, HeaderSource, VerifiedChain, served_differs, verify_chain
from gigledger.jsonrpc import RawRpc, RpcFailed
from gigledger.payments import Payment, api_payments, payments_given_tokens
from gigledger.proofs import ProofInvalid, bloom_may_contain, hex_bytes, receipts_root, transactions_root, verify_account_proof
from gigledger.report import (
    DIFFERS_FROM_CHAIN,
    ESCROW_BALANCE_MISMATCH,
    GIG_NOT_ON_CHAIN,
    LOG_FORGED,
    LOG_HIDDEN,
    MISSING_FROM_INDEX,
    NOT_ON_CHAIN,
    RECEIPTS_ROOT_MISMATCH,
    REPUTATION_DIFFERS_FROM_CHAIN,
    STATE_PROOF_INVALID,
    TRANSACTIONS_ROOT_MISMATCH,
    VOLUME_DIFFERS_FROM_CHAIN,
    AuditReport,
    AuditRow,
    BalanceCheck,
    Coverage,
    Mismatch,
    RegistryRecord,
)
from gigledger.storage import erc20_balance_slot, slot_key

__all__ = [
    "ChainAudit", "ClaimedRecord", "RpcFailed", "VerifiedGig", "api_checkpoint", "audit_account", "chain_payments",
    "claims_from_api", "reconcile", "record_differences", "record_from_api", "verify_account",
]

ETH = "0x" + "00" * 20
#: What an index counts of an account beside the registry's counters: its gigs on each side.
PARTICIPATION = ("gigs_as_client", "gigs_as_freelancer")
_BALANCE_OF = "0x70a08231"  # balanceOf(address)


def _topic(address: str) -> str:
    return "0x" + address.lower().removeprefix("0x").rjust(64, "0")


def _int(value: str) -> int:
    return int(value, 16)


# ---------------------------------------------------------------- what the endpoint says


def _account_filters(deployment: Deployment, account: str) -> list[list[Any]]:
    """The eth_getLogs topic filters that find an account's escrow payments."""
    topics = event_topics()
    gig_topics = [topics[e.__name__] for e in GIG_EVENTS]
    credit_topics = [topics["PaymentCredited"], topics["CreditWithdrawn"]]
    mine = _topic(account)
    return [[gig_topics, None, mine], [gig_topics, None, None, mine], [credit_topics, mine]]


def endpoint_logs(rpc: RawRpc, deployment: Deployment, account: str, head: int | str = "latest") -> list[dict]:
    """The account's escrow logs as the endpoint's eth_getLogs answers (believed by nobody here)."""
    to_block = head if isinstance(head, str) else hex(head)
    calls = [
        ("eth_getLogs", [{"address": deployment.escrow, "fromBlock": hex(deployment.block), "toBlock": to_block, "topics": t}])
        for t in _account_filters(deployment, account)
    ]
    unique = {(log["transactionHash"].lower(), _int(log["logIndex"])): log for answer in rpc.batch(calls) for log in answer}
    return sorted(unique.values(), key=lambda log: (_int(log["blockNumber"]), _int(log["logIndex"])))


def chain_payments(w3: Web3, deployment: Deployment, account: str) -> list[Payment]:
    """Every escrow payment of ``account`` as the endpoint's logs tell it (unverified)."""
    rpc, account = RawRpc(w3), to_checksum_address(account)
    events = [e for e in map(decode_log, endpoint_logs(rpc, deployment, account)) if e is not None]
    gig_ids = {e.gig_id for e in events if hasattr(e, "gig_id")}
    created_topic = event_topics()["GigCreated"]
    calls = [
        ("eth_getLogs", [{"address": deployment.escrow, "fromBlock": hex(deployment.block), "toBlock": "latest",
                          "topics": [created_topic, _topic_of_int(gig_id)]}])
        for gig_id in sorted(gig_ids)
    ]
    created = [decode_log(log) for answer in rpc.batch(calls) for log in answer]
    tokens = {e.gig_id: e.token for e in created if isinstance(e, GigCreated)}
    return [p for e in events for p in payments_given_tokens(e, tokens) if p.account == account]


def _decoded(log: Mapping[str, Any]) -> Any:
    """The event a log records, or None for a log that does not decode (a forged one: its
    block's roots name the forgery)."""
    try:
        return decode_log(log)
    except (DecodingError, ValueError, IndexError):
        return None


def _topic_of_int(value: int) -> str:
    return "0x" + format(value, "064x")


# ---------------------------------------------------------------- what the verified headers commit to


@dataclass
class VerifiedBlock:
    """A block's logs, taken from receipts rebuilt into its verified header's roots."""

    number: int
    hash: str
    logs: list[dict]
    receipts_root: bool
    problems: list[Mismatch] = field(default_factory=list)


class BlockVerifier:
    """Reads blocks' receipts and transactions and checks them against the verified headers."""

    def __init__(self, rpc: RawRpc, chain: VerifiedChain) -> None:
        self.rpc = rpc
        self.chain = chain
        self.blocks: dict[int, VerifiedBlock] = {}
        self.per_transaction = False  # the endpoint has no eth_getBlockReceipts (Hardhat)

    def verify(self, numbers: Iterable[int]) -> list[VerifiedBlock]:
        wanted = sorted(set(numbers))
        missing = [n for n in wanted if n not in self.blocks]
        blocks = self.rpc.batch([("eth_getBlockByNumber", [hex(n), True]) for n in missing])
        receipts = self._receipts(missing, blocks)
        for number, block, block_receipts in zip(missing, blocks, receipts, strict=True):
            self.blocks[number] = self._check(number, block_receipts or [], block)
        return [self.blocks[n] for n in wanted]

    def _receipts(self, numbers: list[int], blocks: list[dict | None]) -> list[list[dict] | None]:
        """Each block's receipts: by eth_getBlockReceipts, or where the endpoint lacks it, by
        eth_getTransactionReceipt of each transaction the block lists (checked alike either way)."""
        if not self.per_transaction:
            try:
                return self.rpc.batch([("eth_getBlockReceipts", [hex(n)]) for n in numbers])
            except RpcFailed:
                self.per_transaction = True
        hashes = [[tx["hash"] for tx in (block or {}).get("transactions", []) if isinstance(tx, dict)] for block in blocks]
        answers = iter(self.rpc.batch([("eth_getTransactionReceipt", [h]) for block in hashes for h in block]))
        return [[r for r in (next(answers) for _ in block) if r is not None] for block in hashes]

    def _check(self, number: int, receipts: list[dict], block: dict | None) -> VerifiedBlock:
        header = self.chain.headers[number]
        problems = served_differs(self.chain, header, block) if block else []
        transactions = (block or {}).get("transactions", [])
        rebuilt = receipts_root(receipts)
        receipts_ok = rebuilt == header.receipts_root
        if not receipts_ok:
            problems.append(Mismatch(
                RECEIPTS_ROOT_MISMATCH, f"block {number}: rebuilt 0x{rebuilt.hex()}, header 0x{header.receipts_root.hex()}"
            ))
        try:
            transactions_ok = transactions_root(transactions) == header.transactions_root
            detail = "the transactions served do not rebuild to the header's transactionsRoot"
        except ProofInvalid as error:
            transactions_ok, detail = False, str(error)
        if not transactions_ok or len(transactions) != len(receipts):
            problems.append(Mismatch(TRANSACTIONS_ROOT_MISMATCH, f"block {number}: {detail}"))
        logs = _logs_of(number, header.hex_hash, receipts, transactions)
        return VerifiedBlock(number, header.hex_hash, logs, receipts_ok, problems)


def _logs_of(number: int, block_hash: str, receipts: list[dict], transactions: list[dict]) -> list[dict]:
    """Every log of the block as JSON-RPC shows logs, named by the proved transactions' hashes."""
    hashes = {_int(tx["transactionIndex"]): tx["hash"] for tx in transactions if isinstance(tx, dict)}
    logs, log_index = [], 0
    for receipt in sorted(receipts, key=lambda r: _int(r["transactionIndex"])):
        position = _int(receipt["transactionIndex"])
        for log in receipt["logs"]:
            logs.append({
                "address": log["address"], "topics": log["topics"], "data": log["data"],
                "blockNumber": hex(number), "blockHash": block_hash, "transactionIndex": hex(position),
                "transactionHash": hashes.get(position, receipt.get("transactionHash", "")), "logIndex": hex(log_index),
                "removed": False,
            })
            log_index += 1
    return logs


def _matching(chain: VerifiedChain, first: int, head: int, items: list[bytes], any_of: Iterable[bytes] = ()) -> list[int]:
    """The blocks first..head whose verified bloom may hold every one of ``items`` and,
    when ``any_of`` is given, at least one of those."""
    others = list(any_of)
    return [
        n for n in range(first, head + 1)
        if n in chain.headers and all(bloom_may_contain(chain.headers[n].bloom, item) for item in items)
        and (not others or any(bloom_may_contain(chain.headers[n].bloom, item) for item in others))
    ]


def _is_about(log: Mapping[str, Any], escrow: str, topics: set[str]) -> bool:
    return log["address"].lower() == escrow.lower() and any(t.lower() in topics for t in log["topics"][1:])


# ---------------------------------------------------------------- the audit


@dataclass
class _Evidence:
    """The verified escrow logs of an account, and the blocks they came from."""

    logs: list[dict]
    blocks: dict[int, VerifiedBlock]
    scanned: int
    matched: int


def _account_evidence(verifier: BlockVerifier, deployment: Deployment, account: str, head: int) -> _Evidence:
    chain, escrow = verifier.chain, deployment.escrow
    escrow_bytes, mine = hex_bytes(escrow), _topic(account)
    matched = _matching(chain, deployment.block, head, [escrow_bytes, hex_bytes(mine)])
    blocks = {b.number: b for b in verifier.verify(matched)}
    logs = [log for b in blocks.values() for log in b.logs if _is_about(log, escrow, {mine})]
    events = [_decoded(log) for log in logs]
    created = {e.gig_id for e in events if isinstance(e, GigCreated)}
    unknown = sorted({e.gig_id for e in events if e is not None and hasattr(e, "gig_id")} - created)
    if unknown:  # gigs the account joined after they were created: find their GigCreated the same way, in one scan
        created_topic = event_topics()["GigCreated"].lower()
        gig_topics = {_topic_of_int(gig_id) for gig_id in unknown}
        created_blocks = _matching(chain, deployment.block, head, [escrow_bytes], [hex_bytes(t) for t in gig_topics])
        for block in verifier.verify(created_blocks):
            blocks[block.number] = block
            logs.extend(
                log for log in block.logs
                if log["address"].lower() == escrow.lower() and log["topics"][0].lower() == created_topic
                and log["topics"][1].lower() in gig_topics
            )
    unique = {(log["transactionHash"].lower(), _int(log["logIndex"])): log for log in logs}
    ordered = sorted(unique.values(), key=lambda log: (_int(log["blockNumber"]), _int(log["logIndex"])))
    return _Evidence(ordered, blocks, head - deployment.block + 1, len(matched))


def _payments(logs: list[dict], account: str) -> tuple[list[Payment], list[Mismatch]]:
    """The account's payments in verified logs, and a mismatch for each whose gig has no verified GigCreated."""
    events = [e for e in map(_decoded, logs) if e is not None]
    tokens = {e.gig_id: e.token for e in events if isinstance(e, GigCreated)}
    payments: list[Payment] = []
    problems: list[Mismatch] = []
    for event in events:
        try:
            payments.extend(p for p in payments_given_tokens(event, tokens) if p.account == account)
        except ValueError as error:
            problems.append(Mismatch(GIG_NOT_ON_CHAIN, str(error), event.transaction_hash, event.log_index))
    return payments, problems


def _endpoint_lies(rpc: RawRpc, deployment: Deployment, account: str, head: int, verified: list[dict]) -> list[Mismatch]:
    """What the endpoint's eth_getLogs hides or alters, against the verified logs of the same account."""
    mine = _topic(account)
    asked = {topic.lower() for query in _account_filters(deployment, account) for topic in query[0]}
    truth = {
        (log["transactionHash"].lower(), _int(log["logIndex"])): log for log in verified
        if _is_about(log, deployment.escrow, {mine}) and log["topics"][0].lower() in asked  # not e.g. OwnershipTransferred
    }
    served = {(log["transactionHash"].lower(), _int(log["logIndex"])): log for log in endpoint_logs(rpc, deployment, account, head)}
    lies = []
    for key, log in served.items():
        real = truth.get(key)
        if real is None or _content(real) != _content(log):
            lies.append(Mismatch(
                LOG_FORGED, f"log {key[1]} of {key[0]}: served {_content(log)}, verified {_content(real) if real else 'no such log'}",
                key[0], key[1],
            ))
    lies.extend(
        Mismatch(LOG_HIDDEN, f"eth_getLogs left out log {key[1]} of {key[0]} in block {_int(log['blockNumber'])}", key[0], key[1])
        for key, log in truth.items() if key not in served
    )
    return lies


def _content(log: Mapping[str, Any]) -> tuple[str, tuple[str, ...], str]:
    return log["address"].lower(), tuple(t.lower() for t in log["topics"]), log["data"].lower()


def _claim_differences(chain: Payment, claimed: Payment) -> list[str]:
    fields = ("kind", "direction", "gig_id", "token", "amount", "fee", "block_number")
    return [
        f"{name}: index {getattr(claimed, name)}, chain {getattr(chain, name)}"
        for name in fields
        if getattr(claimed, name) != getattr(chain, name)
    ]


def _chain_balances(
    rpc: RawRpc,
    chain: VerifiedChain,
    escrow: str,
    head: int,
    tokens: Iterable[str],
    token_layouts: Mapping[str, Mapping[str, Any]],
) -> tuple[dict[str, tuple[int, bool]], list[Mismatch]]:
    """The escrow's balance of each token at the head, and whether it is proved against the
    head's stateRoot: ETH always, an ERC-20 when its storage layout is known, else read unproven."""
    balances: dict[str, tuple[int, bool]] = {}
    problems: list[Mismatch] = []
    layouts = {token.lower(): layout for token, layout in token_layouts.items()}
    for token in tokens:
        if int(token, 16) == 0:
            amount, proven, problem = _proven_ether(rpc, chain, escrow, head)
        elif token.lower() in layouts:
            amount, proven, problem = _proven_token(rpc, chain, escrow, head, token, layouts[token.lower()])
        else:
            data = _BALANCE_OF + escrow.lower()[2:].rjust(64, "0")
            amount, proven, problem = _int(rpc.call("eth_call", [{"to": token, "data": data}, hex(head)])), False, []
        balances[token] = (amount, proven)
        problems.extend(problem)
    return balances, problems


def _proven_token(
    rpc: RawRpc, chain: VerifiedChain, escrow: str, head: int, token: str, layout: Mapping[str, Any]
) -> tuple[int, bool, list[Mismatch]]:
    slot = erc20_balance_slot(layout, escrow)
    answer = rpc.call("eth_getProof", [token, [slot_key(slot)], hex(head)])
    try:
        return verify_account_proof(chain.headers[head].state_root, answer, address=token).storage[slot], True, []
    except (ProofInvalid, KeyError) as error:
        claimed = next((_int(e["value"]) for e in answer.get("storageProof", [])), 0)
        return claimed, False, [Mismatch(STATE_PROOF_INVALID, f"escrow balance of {token} at block {head}: {error}")]


def _proven_ether(rpc: RawRpc, chain: VerifiedChain, escrow: str, head: int) -> tuple[int, bool, list[Mismatch]]:
    try:
        answer = rpc.call("eth_getProof", [escrow, [], hex(head)])
    except RpcFailed:  # an endpoint without eth_getProof: the balance is read, and marked unproven
        return _int(rpc.call("eth_getBalance", [escrow, hex(head)])), False, []
    try:
        return verify_account_proof(chain.headers[head].state_root, answer, address=escrow).balance, True, []
    except (ProofInvalid, KeyError) as error:
        return _int(answer.get("balance", "0x0")), False, [Mismatch(STATE_PROOF_INVALID, f"escrow balance at block {head}: {error}")]


@dataclass(frozen=True)
class VerifiedPayment:
    """A payment taken from the verified chain, with what its block's checks found."""

    payment: Payment
    receipts_root: bool
    seal: str
    problems: tuple[str, ...]
    timestamp: int  # of its verified header


@dataclass(frozen=True)
class VerifiedGig:
    """A gig of the account as its verified logs leave it, with where and when they did."""

    gig: Gig
    created_block: int
    created_at: int  # of the verified header
    updated_block: int
    updated_at: int


def _verified_gigs(logs: list[dict], chain: VerifiedChain, account: str) -> tuple[dict[int, VerifiedGig], dict[str, int]]:
    """The account's gigs folded from verified logs (in chain order), and how many it
    created (gigs_as_client) and accepted (gigs_as_freelancer), as the index counts them."""
    by_gig: dict[int, list[Event]] = {}
    as_client = as_freelancer = 0
    for event in map(_decoded, logs):
        if not isinstance(event, GIG_EVENTS):
            continue
        by_gig.setdefault(event.gig_id, []).append(event)
        as_client += isinstance(event, GigCreated) and event.client == account
        as_freelancer += isinstance(event, GigAccepted) and event.freelancer == account
    gigs = {}
    for gig_id, events in by_gig.items():
        try:
            gig = Gig.from_events(events)
        except GigHistoryError:  # no verified GigCreated: GIG_NOT_ON_CHAIN names it
            continue
        first, last = events[0], events[-1]
        gigs[gig_id] = VerifiedGig(
            gig, first.block_number, chain.headers[first.block_number].timestamp,
            last.block_number, chain.headers[last.block_number].timestamp,
        )
    return gigs, {"gigs_as_client": as_client, "gigs_as_freelancer": as_freelancer}


@dataclass(frozen=True)
class ChainAudit:
    """What the chain, verified from the anchor to one head, says about an account.

    It depends only on (account, head, tokens), so it can be kept and reconciled
    afresh with an index's rows each time they are read."""

    account: str
    chain_id: int
    escrow: str
    authorities: list[str]
    payments: list[VerifiedPayment]
    balances: dict[str, tuple[int, bool]]  # token -> (amount at the head, proved)
    mismatches: list[Mismatch]
    coverage: Coverage | None
    registry: RegistryRecord | None = None  # the registry's record of the account at the head
    gigs: dict[int, VerifiedGig] = field(default_factory=dict)
    participation: dict[str, int] = field(default_factory=dict)  # gigs_as_client, gigs_as_freelancer


def verify_account(
    w3: Web3 | RawRpc,
    deployment: Deployment,
    account: str,
    *,
    anchor: TrustAnchor | None = None,
    require_seals: bool = True,
    head: int | None = None,
    tokens: Iterable[str] = (),
    token_layouts: Mapping[str, Mapping[str, Any]] | None = None,
    cache_dir: Path | None = None,
    record_tokens: Iterable[str] = (),
) -> ChainAudit:
    """The chain's side of an audit: headers from ``anchor`` to ``head``, every payment of
    ``account`` from verified receipts, the endpoint's logs checked, the escrow's
    balance of each of ``tokens`` at the head (an ERC-20's proved when ``token_layouts``
    holds its compiler storage layout), the account's gigs, and the registry's record
    of the account proved at the head (its volume in ETH, in its gigs' tokens and in
    ``record_tokens``)."""
    account = to_checksum_address(account)
    rpc = w3 if isinstance(w3, RawRpc) else RawRpc(w3)
    anchor = anchor or TrustAnchor.pinned(deployment.genesis_hash)
    head = _int(rpc.call("eth_blockNumber", [])) if head is None else head
    cache = HeaderCache.for_chain(cache_dir, anchor.genesis_hash)
    try:
        chain = verify_chain(
            HeaderSource(rpc), anchor, first=deployment.block, head=head, cache=cache, require_seals=require_seals
        )
    finally:
        cache.close()
    mismatches = list(chain.problems)
    if chain.genesis is None or head not in chain.headers:
        return ChainAudit(account, deployment.chain_id, deployment.escrow, chain.authorities, [], {}, mismatches, None)
    evidence = _account_evidence(BlockVerifier(rpc, chain), deployment, account, head)
    mismatches.extend(m for b in evidence.blocks.values() for m in b.problems)
    mismatches.extend(_endpoint_lies(rpc, deployment, account, head, evidence.logs))
    found, unfounded = _payments(evidence.logs, account)
    mismatches.extend(unfounded)
    payments = []
    for payment in found:
        block = evidence.blocks[payment.block_number]
        names = tuple(m.name for m in block.problems)
        timestamp = chain.headers[block.number].timestamp
        payments.append(VerifiedPayment(payment, block.receipts_root, chain.seal_of(block.number), names, timestamp))
    balances, unproven = _chain_balances(rpc, chain, deployment.escrow, head, tokens, token_layouts or {})
    mismatches.extend(unproven)
    gigs, participation = _verified_gigs(evidence.logs, chain, account)
    record_tokens = {ETH, *record_tokens, *(g.gig.token for g in gigs.values())}
    record, record_problems = prove_record(
        rpc, chain.headers[head].state_root, deployment.registry, account, record_tokens, head
    )
    mismatches.extend(record_problems)
    anchor_text = f"checkpoint {anchor.checkpoint.number}" if anchor.checkpoint else f"genesis {anchor.genesis_hash}"
    coverage = Coverage(
        anchor_text, min(anchor.number, deployment.block), head, chain.headers[head].hex_hash,
        evidence.scanned, evidence.matched,
    )
    return ChainAudit(
        account, deployment.chain_id, deployment.escrow, chain.authorities, payments, balances, mismatches, coverage,
        record, gigs, participation,
    )


def reconcile(
    verified: ChainAudit,
    *,
    held: Mapping[str, int] | None = None,
    claimed: Iterable[Payment] | None = None,
    record: ClaimedRecord | None = None,
) -> AuditReport:
    """The report: the verified chain's payments, balances and record against an
    index's ``claimed`` rows, ``held`` amounts per token and ``record`` of the
    account (each optional). A chain that could not be verified up to its head (no
    coverage) is compared with nothing: its mismatches are the report."""
    mismatches = list(verified.mismatches)
    if verified.coverage is None:
        claimed, held, record = None, None, None
    if record is not None:
        mismatches.extend(record_differences(verified, record))
    claims = None if claimed is None else {p.key: p for p in claimed}
    rows = [_row(v, claims, mismatches) for v in verified.payments]
    for fake in (claims or {}).values():
        mismatches.append(Mismatch(
            NOT_ON_CHAIN, f"{fake.kind} of {fake.amount} in gig {fake.gig_id}", fake.transaction_hash, fake.log_index
        ))
    balances = []
    for token, indexed in (held or {}).items():
        on_chain, proven = verified.balances.get(token, (0, False))
        balances.append(BalanceCheck(token, on_chain, indexed, proven))
    mismatches.extend(
        Mismatch(ESCROW_BALANCE_MISMATCH, f"token {b.token}: on chain {b.on_chain}, index {b.indexed}")
        for b in balances
        if not b.ok
    )
    return AuditReport(
        verified.account, verified.chain_id, verified.escrow, verified.authorities, rows, balances, mismatches,
        verified.coverage, verified.registry,
    )


@dataclass(frozen=True)
class ClaimedRecord:
    """An index's word for an account's record: its counters (the registry's and
    `PARTICIPATION`) and its volume per token as (earned, paid)."""

    counters: Mapping[str, int]
    volumes: Mapping[str, tuple[int, int]]


def record_differences(verified: ChainAudit, claimed: ClaimedRecord) -> list[Mismatch]:
    """The claimed record against the proved registry record and the gigs the
    verified logs show the account in. A record whose proof failed is compared
    only on participation (the failed proof is the mismatch)."""
    chain = dict(verified.participation)
    if verified.registry is not None:
        chain.update(verified.registry.counters)
    differences = [
        f"{name}: index {claimed.counters.get(name, 0)}, chain {value}"
        for name, value in chain.items()
        if claimed.counters.get(name, 0) != value
    ]
    problems = [Mismatch(REPUTATION_DIFFERS_FROM_CHAIN, f"{verified.account}: " + "; ".join(differences))] if differences else []
    if verified.registry is None:
        return problems
    proven, nothing = verified.registry.volumes, (0, 0)
    problems.extend(
        Mismatch(
            VOLUME_DIFFERS_FROM_CHAIN,
            f"{verified.account} in token {token}: index earned {claimed.volumes.get(token, nothing)[0]} "
            f"paid {claimed.volumes.get(token, nothing)[1]}, chain earned {proven.get(token, nothing)[0]} "
            f"paid {proven.get(token, nothing)[1]}",
        )
        for token in sorted({*claimed.volumes, *proven})
        if claimed.volumes.get(token, nothing) != proven.get(token, nothing)
    )
    return problems


def audit_account(
    w3: Web3 | RawRpc,
    deployment: Deployment,
    account: str,
    *,
    anchor: TrustAnchor | None = None,
    require_seals: bool = True,
    head: int | None = None,
    held: Mapping[str, int] | None = None,
    claimed: Iterable[Payment] | None = None,
    record: ClaimedRecord | None = None,
    token_layouts: Mapping[str, Mapping[str, Any]] | None = None,
    cache_dir: Path | None = None,
) -> AuditReport:
    """Verify every escrow payment of ``account`` against a chain trusted only through ``anchor``.

    ``anchor``: the pinned genesis hash (and checkpoint); default the one the
    manifest records. ``require_seals``: a genesis without authorities fails the
    audit (pass False for Anvil or Hardhat). ``head``: the block the audit is
    pinned to (default the endpoint's head; an index's checkpoint when checking
    an index). ``held``: per token, what an index implies the escrow holds.
    ``claimed``: an index's payment rows for the account. ``record``: an index's
    record of the account (counters and volumes). ``token_layouts``: per
    ERC-20, its compiler storage layout, to prove its balance. ``cache_dir``: where
    verified headers are kept between audits (None: not kept).
    """
    verified = verify_account(
        w3, deployment, account, anchor=anchor, require_seals=require_seals, head=head,
        tokens=list(held or {}), token_layouts=token_layouts, cache_dir=cache_dir,
        record_tokens=record.volumes if record is not None else (),
    )
    return reconcile(verified, held=held, claimed=claimed, record=record)


def _row(verified: VerifiedPayment, claims: dict | None, mismatches: list[Mismatch]) -> AuditRow:
    """The payment's row; its index problems are added to ``mismatches``."""
    payment, problems = verified.payment, list(verified.problems)
    in_index = None
    if claims is not None:
        claim = claims.pop(payment.key, None)
        in_index = claim is not None
        found = []
        if claim is None:
            found.append(Mismatch(MISSING_FROM_INDEX, f"{payment.kind} of {payment.amount} in gig {payment.gig_id}"))
        elif differences := _claim_differences(payment, claim):
            found.append(Mismatch(DIFFERS_FROM_CHAIN, "; ".join(differences)))
        mismatches.extend(Mismatch(m.name, m.detail, payment.transaction_hash, payment.log_index) for m in found)
        problems.extend(m.name for m in found)
    return AuditRow(payment, not verified.problems, verified.receipts_root, verified.seal, in_index, tuple(problems))


def api_checkpoint(api_url: str, *, timeout: float = 30.0) -> int | None:
    """The block a GigLedger query API's index has reached (its /status checkpoint): where to pin an audit."""
    response = httpx.get(f"{api_url.rstrip('/')}/status", timeout=timeout)
    response.raise_for_status()
    return response.json()["checkpoint_block"]


def claims_from_api(api_url: str, account: str, *, timeout: float = 30.0) -> tuple[list[Payment], dict[str, int]]:
    """What a GigLedger query API claims: the account's payment rows (every page)
    and what the escrow holds per token. Pass them to `audit_account` as
    ``claimed`` and ``held`` to check the index behind that API against the chain."""
    with httpx.Client(base_url=api_url.rstrip("/"), timeout=timeout) as client:

        def get(path: str, params: dict[str, Any]) -> Any:
            response = client.get(path, params=params)
            response.raise_for_status()
            return response.json()

        claimed = api_payments(get, account)
        holdings = get("/escrow/holdings", {})
    return claimed, {token: int(amount) for token, amount in holdings["holdings"].items()}


def record_from_api(api_url: str, account: str, *, timeout: float = 30.0) -> ClaimedRecord:
    """What a GigLedger query API says of the account's record (its reputation
    counters and volume per token); pass it to `reconcile` as ``record``. An account
    the index has no record of claims zeros."""
    response = httpx.get(f"{api_url.rstrip('/')}/accounts/{to_checksum_address(account)}/reputation", timeout=timeout)
    if response.status_code == httpx.codes.NOT_FOUND:
        return ClaimedRecord({}, {})
    response.raise_for_status()
    reputation = response.json()
    counters = {name: int(reputation[name]) for name in (*COUNTERS, *PARTICIPATION) if name in reputation}
    volumes = {v["token"]: (int(v["earned"]), int(v["paid"])) for v in reputation.get("volumes", [])}
    return ClaimedRecord(counters, volumes)
