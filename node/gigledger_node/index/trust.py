"""A trust score over the graph of settled gigs: personalised PageRank from trusted accounts.

The graph: an edge between the client and the freelancer of every gig that paid
the freelancer something (released or resolved), both ways, since both parties
vouched for the other by settling. Its weight is log-scaled volume in token
units, summed over tokens:

    w(a, b) = sum over tokens k of ln(1 + V_k(a, b) / 10**decimals_k)

where V_k(a, b) is what gigs between a and b paid in token k (raw units). A token
without known decimals counts raw units. Scaling by the token's decimals makes
1 wei of ETH weigh 1e-18 of a whole ether, and the logarithm keeps one huge gig
from outweighing many real ones.

The score is the stationary vector of a walk that follows edges in proportion to
their weight with probability d = 0.85 and jumps back to the seed otherwise
(an account without edges also sends its score back to the seed):

    t = (1 - d) s + d (P^T t + (dangling mass) s),   P(a, b) = w(a, b) / sum_c w(a, c)

so t sums to 1. The seed s is chosen by the reader (`?trusted=` on the API), else
by the operator (configured accounts), else it is the platform fees each client
paid, log-scaled per token like the edges. Fees are money a sybil cannot get
back; a ring that pays itself one-wei gigs pays no fee (or a wei) and so starts
with no trust, and trust reaches it only through the edges of people who paid it.

Work is sparse (edge arrays, one pass per sweep), bounded (at most
`MAX_ITERATIONS` sweeps over the edges), and cached per index checkpoint and seed.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from gigledger_node.index import db
from gigledger_node.index.arguments import checked_address
from gigledger_node.index.errors import InvalidFilter
from gigledger_node.index.evidence import PAID_STATES
from gigledger_node.index.tokens import token_book

DAMPING = 0.85
TOLERANCE = 1e-10
MAX_ITERATIONS = 100
#: Most accounts a reader may name as trusted in one request.
MAX_TRUSTED = 32
#: Score vectors kept (per checkpoint and seed).
CACHED = 32


@dataclass(frozen=True)
class GigGraph:
    """Who settled gigs with whom, and how much, as weighted neighbour lists."""

    edges: Mapping[str, Mapping[str, float]]

    @property
    def accounts(self) -> set[str]:
        return set(self.edges)


@dataclass(frozen=True)
class TrustScores:
    """One score vector: account -> score (summing to 1), and the seed it came from."""

    scores: Mapping[str, float]
    seed: Mapping[str, float]
    seed_source: str  # "reader", "operator" or "fees"
    graph_accounts: frozenset[str]
    iterations: int
    key: tuple = ()  # (checkpoint number, hash, seed source, seed accounts): what it was computed for

    def of(self, account: str) -> float | None:
        """``account``'s score; None when it settled no gig (no evidence, no score)."""
        if account not in self.graph_accounts:
            return None
        return self.scores.get(account, 0.0)


def _units(raw: int, decimals: int | None) -> float:
    return raw / 10 ** (decimals or 0)


def gig_graph(conn: Connection, decimals: Mapping[str, int | None]) -> GigGraph:
    """The graph of settled, paying gigs in the index (see the module's formula)."""
    gigs = db.gigs
    query = select(gigs.c.client, gigs.c.freelancer, gigs.c.token, gigs.c.paid).where(
        gigs.c.state.in_(PAID_STATES), gigs.c.paid != 0
    )
    volume: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in conn.execute(query):
        if row.client != row.freelancer:
            pair = tuple(sorted((row.client, row.freelancer)))
            volume[(pair[0], pair[1], row.token)] += row.paid
    edges: dict[str, dict[str, float]] = defaultdict(dict)
    for (a, b, token), raw in volume.items():
        weight = math.log1p(_units(raw, decimals.get(token)))
        if weight > 0:
            edges[a][b] = edges[a].get(b, 0.0) + weight
            edges[b][a] = edges[b].get(a, 0.0) + weight
    return GigGraph(dict(edges))


def fee_seed(conn: Connection, decimals: Mapping[str, int | None]) -> dict[str, float]:
    """The default seed: per client, the platform fees its gigs paid, log-scaled per token."""
    query = (
        select(db.gigs.c.client, db.payments.c.token, db.payments.c.fee)
        .join(db.gigs, db.gigs.c.gig_id == db.payments.c.gig_id)
        .where(db.payments.c.fee != 0)
    )
    fees: dict[tuple[str, str], int] = defaultdict(int)
    for row in conn.execute(query):
        fees[(row.client, row.token)] += row.fee
    seed: dict[str, float] = defaultdict(float)
    for (client, token), raw in fees.items():
        seed[client] += math.log1p(_units(raw, decimals.get(token)))
    return {a: w for a, w in seed.items() if w > 0}


def propagate(graph: GigGraph, seed: Mapping[str, float]) -> tuple[dict[str, float], int]:
    """Personalised PageRank of ``graph`` from ``seed`` (weights, normalised here).

    Sparse: one pass over the edge arrays per sweep (numpy's bincount), so a sweep
    costs O(edges) whatever the number of accounts.
    """
    total = sum(w for w in seed.values() if w > 0)
    if total <= 0:
        return {}, 0
    accounts = sorted(graph.accounts | {a for a, w in seed.items() if w > 0})
    index = {a: i for i, a in enumerate(accounts)}
    start = np.zeros(len(accounts))
    for account, weight in seed.items():
        if weight > 0:
            start[index[account]] = weight / total
    sources, targets, shares = _edge_arrays(graph, index)
    has_edges = np.zeros(len(accounts), dtype=bool)
    has_edges[sources] = True
    scores = start.copy()
    for iteration in range(1, MAX_ITERATIONS + 1):  # noqa: B007 - the count is returned
        flowing = np.bincount(targets, weights=scores[sources] * shares, minlength=len(accounts))
        dangling = scores[~has_edges].sum()
        following = (1 - DAMPING) * start + DAMPING * (flowing + dangling * start)
        change = np.abs(following - scores).sum()
        scores = following
        if change < TOLERANCE:
            break
    return {a: float(scores[i]) for a, i in index.items() if scores[i] > 0}, iteration


def _edge_arrays(graph: GigGraph, index: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The edges as (source, target, weight / source's total weight) arrays."""
    sources, targets, shares = [], [], []
    for account, neighbours in graph.edges.items():
        out = sum(neighbours.values())
        for other, weight in neighbours.items():
            sources.append(index[account])
            targets.append(index[other])
            shares.append(weight / out)
    return np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64), np.array(shares, dtype=float)


def checked_trusted(accounts: Iterable[str]) -> tuple[str, ...]:
    """A reader's trusted accounts, checksummed and deduplicated; raises InvalidAddress or InvalidFilter."""
    found = tuple(dict.fromkeys(checked_address(a.strip()) for a in accounts if a.strip()))
    if not found:
        raise InvalidFilter("trusted must name at least one account: trusted=0x..,0x..")
    if len(found) > MAX_TRUSTED:
        raise InvalidFilter(f"trusted names {len(found)} accounts; at most {MAX_TRUSTED} per request")
    return found


class Trust:
    """Trust scores over the index behind ``engine``, cached per checkpoint and seed.

    ``operator_trusted`` are the accounts the operator trusts (configuration);
    without them the seed is the fees clients paid.
    """

    def __init__(self, engine: Engine, operator_trusted: Sequence[str] = ()) -> None:
        self.engine = engine
        self.operator_trusted = tuple(operator_trusted)
        self._cache: OrderedDict[tuple, TrustScores] = OrderedDict()
        self._lock = threading.Lock()

    def scores(self, trusted: Sequence[str] | None = None) -> TrustScores:
        """The score vector seeded from ``trusted`` (the reader's), else the operator's, else fees."""
        source, accounts = ("reader", tuple(trusted)) if trusted else ("operator", self.operator_trusted)
        if not accounts:
            source = "fees"
        with self.engine.connect() as conn:
            checkpoint = tuple(conn.execute(select(db.indexer_state.c.checkpoint_number, db.indexer_state.c.checkpoint_hash)).first() or ())
            key = (checkpoint, source, accounts)
            with self._lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
            computed = self._compute(conn, source, accounts, key)
        with self._lock:
            self._cache[key] = computed
            while len(self._cache) > CACHED:
                self._cache.popitem(last=False)
        return computed

    def _compute(self, conn: Connection, source: str, accounts: tuple[str, ...], key: tuple) -> TrustScores:
        decimals = {address: info.decimals for address, info in token_book(self.engine).items()}
        graph = gig_graph(conn, decimals)
        seed = fee_seed(conn, decimals) if source == "fees" else dict.fromkeys(accounts, 1.0)
        scores, iterations = propagate(graph, seed)
        return TrustScores(scores, seed, source, frozenset(graph.accounts), iterations, key)


def operator_trusted(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The operator's trusted accounts from GIGLEDGER_TRUSTED (comma-separated); none when unset."""
    import os

    text = (environ if environ is not None else os.environ).get("GIGLEDGER_TRUSTED", "")
    return checked_trusted(text.split(",")) if text.strip() else ()
