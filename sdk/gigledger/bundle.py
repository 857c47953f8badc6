"""Proof bundles: an account's audit as a file anyone can check offline.

A bundle holds every answer the auditor took from the endpoint while auditing
one account at one head: the headers from the anchor (genesis or checkpoint) to
the head, the receipts and transactions of every block whose bloom matched, the
endpoint's logs, and the escrow's state proof. `verify_bundle` runs the very
same audit (`gigledger.audit.verify_account`) with those answers in place of
an endpoint, against a genesis hash the verifier pins: nothing in the file is
believed unless it hashes up to that anchor, and no network is used. A
freelancer can hand a client such a file as portable proof of their record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from web3 import Web3

from gigledger.anchor import TrustAnchor
from gigledger.audit import ETH, ChainAudit, reconcile, verify_account
from gigledger.deployment import Deployment
from gigledger.jsonrpc import RawRpc, RpcFailed
from gigledger.report import AuditReport, Mismatch

FORMAT = "gigledger-audit-bundle/1"
#: What a bundle that lacks an answer the audit needs is called in the report.
BUNDLE_INCOMPLETE = "bundle incomplete"


class BundleError(ValueError):
    """A file that is not a GigLedger proof bundle (or not one this version reads)."""


def _question(method: str, params: Sequence[Any]) -> str:
    return json.dumps([method, list(params)], sort_keys=True)


class RecordingRpc(RawRpc):
    """An endpoint whose every answer is kept, for a bundle."""

    def __init__(self, w3: Web3) -> None:
        super().__init__(w3)
        self.answers: dict[str, Any] = {}

    def call(self, method: str, params: list[Any]) -> Any:
        result = super().call(method, params)
        self.answers[_question(method, params)] = result
        return result

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        results = super().batch(calls)
        for (method, params), result in zip(calls, results, strict=True):
            self.answers[_question(method, params)] = result
        return results


class BundleRpc(RawRpc):
    """Answers from a bundle, and nothing else: no network."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def call(self, method: str, params: list[Any]) -> Any:
        try:
            return self.answers[_question(method, params)]
        except KeyError:
            raise RpcFailed(f"{BUNDLE_INCOMPLETE}: no answer to {method} {params}") from None

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        return [self.call(method, params) for method, params in calls]


def write_bundle(
    path: Path,
    w3: Web3,
    deployment: Deployment,
    account: str,
    *,
    anchor: TrustAnchor,
    require_seals: bool = True,
    head: int | None = None,
    record_tokens: Iterable[str] = (),
) -> ChainAudit:
    """Audit ``account`` on the chain behind ``w3`` and write what it read to ``path``; returns the chain audit.
    ``record_tokens``: tokens beside ETH and the account's gigs' whose registry volume is proved too."""
    recorder = RecordingRpc(w3)
    head = int(recorder.call("eth_blockNumber", []), 16) if head is None else head
    record_tokens = sorted(record_tokens)
    verified = verify_account(
        recorder, deployment, account, anchor=anchor, require_seals=require_seals, head=head, tokens=[ETH],
        record_tokens=record_tokens,
    )
    document = {
        "format": FORMAT,
        "account": verified.account,
        "head": head,
        "require_seals": require_seals,
        "record_tokens": record_tokens,
        "checkpoint": asdict(anchor.checkpoint) if anchor.checkpoint else None,
        "deployment": asdict(deployment),
        "answers": [[*json.loads(question), answer] for question, answer in recorder.answers.items()],
    }
    path.write_text(json.dumps(document, separators=(",", ":")))
    return verified


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BundleError(f"{path} cannot be read as a proof bundle: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleError(f"{path} is not a {FORMAT} proof bundle")
    return document


def verify_bundle(path: Path, genesis_hash: str, *, checkpoint: str | None = None) -> AuditReport:
    """Check a bundle offline against the pinned ``genesis_hash`` (and ``checkpoint``):
    the report of the account's payments and the escrow's balance it proves."""
    document = _load(path)
    anchor = TrustAnchor.pinned(genesis_hash, checkpoint)
    data = document["deployment"]
    deployment = Deployment(**{**data, "genesis_hash": anchor.genesis_hash})
    answers = {_question(method, params): answer for method, params, answer in document["answers"]}
    try:
        verified = verify_account(
            BundleRpc(answers), deployment, document["account"], anchor=anchor,
            require_seals=bool(document["require_seals"]), head=int(document["head"]), tokens=[ETH],
            record_tokens=[str(t) for t in document.get("record_tokens", [])],
        )
    except RpcFailed as error:
        incomplete = Mismatch(BUNDLE_INCOMPLETE, str(error))
        return AuditReport(document["account"], deployment.chain_id, deployment.escrow, [], [], [], [incomplete])
    return reconcile(verified)
