"""Audits for the query API and the explorer: one chain client, one cache, bounded work.

The chain's side of an audit (`gigledger.audit.verify_account`) depends only on
the account and the head it is pinned to (the index's checkpoint), so it is kept
per (account, checkpoint) and reused; the index's rows are reconciled with it
afresh on every request, so a tampered row shows at once while the chain is not
re-verified on every page view. At most MAX_RUNNING chain audits run at once;
verified headers are cached for the life of the process, so each audit fetches
only the headers that are new.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from requests import RequestException
from web3 import HTTPProvider, Web3
from web3.exceptions import Web3Exception

from gigledger.anchor import TrustAnchor
from gigledger.audit import ChainAudit, RpcFailed, verify_account
from gigledger.bundle import write_bundle
from gigledger.deployment import Deployment
from gigledger.report import AuditReport
from gigledger_node.index.audit import held_by_rows, reconcile_index, volume_tokens
from gigledger_node.index.queries import Queries, QueryError

#: Chain audits kept (one per account and checkpoint).
CACHED_AUDITS = 64
#: Chain audits that may run at once; more wait up to WAIT_SECONDS, then get "busy".
MAX_RUNNING = 2
WAIT_SECONDS = 30.0
#: What a chain that cannot be reached raises through web3 and the auditor.
CHAIN_UNREACHABLE = (RpcFailed, OSError, Web3Exception, RequestException)


class AuditUnavailable(QueryError):
    """No chain endpoint and deployment were configured, or the auditor is busy."""


class ChainUnreachable(AuditUnavailable):
    """The chain endpoint an audit needs did not answer."""


def chain_web3(rpc_url: str) -> Web3:
    """The web app's one client of the chain endpoint."""
    return Web3(HTTPProvider(rpc_url))


class Auditor:
    """Audits accounts of ``deployment`` on the chain at ``rpc_url`` against the index behind ``queries``."""

    def __init__(self, queries: Queries, rpc_url: str, deployment: Deployment, cache_dir: Path | None = None) -> None:
        self.queries = queries
        self.rpc_url = rpc_url
        self.deployment = deployment
        self._w3 = chain_web3(rpc_url)
        self._own_cache = None if cache_dir else tempfile.TemporaryDirectory(prefix="gigledger-headers-")
        self._cache_dir = cache_dir or Path(self._own_cache.name)  # type: ignore[union-attr]
        self._kept: OrderedDict[tuple, ChainAudit] = OrderedDict()
        self._lock = threading.Lock()
        self._running = threading.BoundedSemaphore(MAX_RUNNING)

    @classmethod
    def configured(cls, queries: Queries, rpc_url: str | None, deployment: Deployment | None) -> Auditor | None:
        """An auditor if the app has a chain endpoint and a deployment, else None."""
        return cls(queries, rpc_url, deployment) if rpc_url and deployment else None

    def report(self, account: str) -> AuditReport:
        """The audit of ``account`` at the index's checkpoint, its rows read now."""
        return reconcile_index(self.queries, self._chain_audit(account))

    def bundle(self, account: str) -> bytes:
        """A proof bundle of ``account`` at the index's checkpoint (see `gigledger.bundle`)."""
        head = self.queries.status().checkpoint_block
        with self._one_at_a_time(), tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "bundle.json"
            try:
                write_bundle(
                    path, self._w3, self.deployment, account, anchor=TrustAnchor.pinned(self.deployment.genesis_hash),
                    require_seals=bool(self.deployment.authorities), head=head,
                )
            except CHAIN_UNREACHABLE as error:
                raise ChainUnreachable(f"the chain endpoint {self.rpc_url} failed: {error}") from error
            return path.read_bytes()

    @contextmanager
    def _one_at_a_time(self) -> Iterator[None]:
        """A running-audit slot, or AuditUnavailable after WAIT_SECONDS."""
        if not self._running.acquire(timeout=WAIT_SECONDS):
            raise AuditUnavailable("the auditor is busy with other audits; try again shortly")
        try:
            yield
        finally:
            self._running.release()

    def _chain_audit(self, account: str) -> ChainAudit:
        status = self.queries.status()
        tokens = tuple(held_by_rows(self.queries))
        record_tokens = tuple(volume_tokens(self.queries, account))
        key = (account.lower(), status.checkpoint_block, status.checkpoint_hash, tokens, record_tokens)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        with self._one_at_a_time():
            try:
                verified = verify_account(
                    self._w3,
                    self.deployment,
                    account,
                    require_seals=bool(self.deployment.authorities),
                    head=status.checkpoint_block,
                    tokens=tokens,
                    cache_dir=self._cache_dir,
                    record_tokens=record_tokens,
                )
            except CHAIN_UNREACHABLE as error:
                raise ChainUnreachable(f"the chain endpoint {self.rpc_url} failed during the audit: {error}") from error
        with self._lock:
            self._kept[key] = verified
            while len(self._kept) > CACHED_AUDITS:
                self._kept.popitem(last=False)
        return verified
