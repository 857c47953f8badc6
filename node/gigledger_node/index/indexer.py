"""Follows a chain over JSON-RPC and keeps the index in step with it.

One step: check that the checkpoint block is still on the chain (else roll back
to the newest block both agree on), fetch the next range of logs, decode them,
and write the rows and the new checkpoint (number and hash) in ONE database
transaction. A crash at any moment leaves either the old checkpoint with none of
the range's rows or the new one with all of them, so a restart resumes with no
gap, and the unique (transaction_hash, log_index) constraint rules out duplicates.

The range adapts to the endpoint: halved when it refuses a log query (too many
results, too wide), doubled after a success. Following, a transient endpoint
failure (see `endpoint.TransientError`) is logged, recorded in `FollowerHealth`
(kept in the index database, for /status of any API process), and waited out with capped exponential backoff: it never stops the
follower.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.engine import Connection

from gigledger.deployment import Deployment
from gigledger.events import decode_log
from gigledger_node.index import db
from gigledger_node.index.endpoint import Endpoint, RangeTooLarge, TransientError
from gigledger_node.index.health import FollowerHealth
from gigledger_node.index.projection import apply_events, roll_back
from gigledger_node.index.skills import apply_gig_skills, roll_back_gig_skills
from gigledger_node.index.tokens import read_new_tokens, store_tokens

#: How many checkpoint-only blocks (no events) to keep for reorg detection.
RECENT_BLOCKS = 256
#: Ranges fetched ahead of the one being written during a backfill.
PREFETCH_DEPTH = 2
#: Longest wait between polls while the endpoint keeps failing.
MAX_FOLLOW_BACKOFF = 30.0

log = logging.getLogger(__name__)


class WrongIndex(RuntimeError):
    """The database indexes another chain or other contracts than asked."""


class ChainMovedDuringFetch(RuntimeError):
    """The chain reorganised while a range was being fetched; the step is retried."""


@dataclass(frozen=True)
class FetchedRange:
    """The decoded logs of blocks first..last, and the chain they were read from."""

    first: int
    last: int
    parent_hash: str | None  # block first-1's hash on that chain
    end: dict  # block `last` as JSON-RPC served it
    decoded: list
    timestamps: dict[int, int]


@dataclass
class RangeSizer:
    """The number of blocks to ask for per log query, adapting to the endpoint."""

    size: int = 100
    smallest: int = 1
    largest: int = 100_000
    #: Logs per query worth aiming below: more makes one huge transaction and
    #: leaves nothing to fetch while it is written.
    heaviest: int = 10_000

    @classmethod
    def up_to(cls, largest: int) -> RangeSizer:
        """A sizer that never asks for more than ``largest`` blocks."""
        return cls(size=min(cls.size, largest), largest=largest)

    def shrink(self) -> None:
        if self.size == self.smallest:
            raise RuntimeError("the endpoint refuses log queries even for a single block")
        self.size = max(self.smallest, self.size // 2)

    def grow(self) -> None:
        self.size = min(self.largest, self.size * 2)

    def fit(self, logs: int) -> None:
        """After an accepted query of ``logs`` logs: halve if it was heavy, double if light."""
        if logs > self.heaviest:
            self.size = max(self.smallest, self.size // 2)
        elif logs < self.heaviest // 4:
            self.grow()


@dataclass(frozen=True)
class StepResult:
    """What one step did: blocks covered and events stored, or a rollback."""

    first: int
    last: int
    events: int
    rolled_back_to: int | None = None


def _hex_int(value: str) -> int:
    return int(value, 16)


class Indexer:
    """Indexes one deployment's events from ``endpoint`` into ``engine``."""

    def __init__(
        self,
        engine: Engine,
        endpoint: Endpoint,
        deployment: Deployment,
        *,
        confirmations: int = 0,
        sizer: RangeSizer | None = None,
    ) -> None:
        self.engine = engine
        self.endpoint = endpoint
        self.deployment = deployment
        self.confirmations = confirmations
        self.sizer = sizer or RangeSizer()
        self.addresses = [deployment.escrow, deployment.registry, *([deployment.market] if deployment.market else [])]
        self._claim_database()

    # ------------------------------------------------------------ state

    def _claim_database(self) -> None:
        """Create the state row on first use; refuse a database of another chain or deployment."""
        chain_id = self.endpoint.chain_id()
        with self.engine.begin() as conn:
            row = conn.execute(select(db.indexer_state)).first()
            if row is None:
                conn.execute(
                    db.indexer_state.insert().values(
                        id=1,
                        chain_id=chain_id,
                        escrow=self.deployment.escrow,
                        registry=self.deployment.registry,
                        start_block=self.deployment.block,
                        event_count=0,
                    )
                )
                return
        if (row.chain_id, row.escrow, row.registry) != (chain_id, self.deployment.escrow, self.deployment.registry):
            raise WrongIndex(
                f"this database indexes escrow {row.escrow} on chain {row.chain_id}, "
                f"not {self.deployment.escrow} on chain {chain_id}; use another --db"
            )

    def checkpoint(self) -> tuple[int, str | None]:
        """The last block fully indexed and its hash (start block - 1 and None before any)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(db.indexer_state)).one()
        if row.checkpoint_number is None:
            return row.start_block - 1, None
        return row.checkpoint_number, row.checkpoint_hash

    # ------------------------------------------------------------ one step

    def step(self) -> StepResult | None:
        """Index the next range, or roll back a reorg; None when caught up."""
        number, known_hash = self.checkpoint()
        latest, chain_block = self.endpoint.batch(
            [("eth_getBlockByNumber", ["latest", False]), ("eth_getBlockByNumber", [hex(max(number, 0)), False])]
        )
        head = _hex_int(latest["number"])
        if known_hash is not None and (chain_block is None or chain_block["hash"].lower() != known_hash):
            return self._recover_from_reorg(number, head)
        target = head - self.confirmations
        if number >= target:
            self._record_head(head)
            return None
        last = min(number + self.sizer.size, target)
        try:
            return self.commit(self.fetch(number + 1, last, latest if last == head else None), head)
        except RangeTooLarge:
            self.sizer.shrink()
            return StepResult(number + 1, number, 0)
        except ChainMovedDuringFetch:
            return StepResult(number + 1, number, 0)

    def fetch(self, first: int, last: int, end_block: dict | None = None) -> FetchedRange:
        """Read and decode the logs of blocks first..last; ``end_block`` is block ``last``
        when already at hand.

        Block ``last`` is read before and after the log query: if its hash (which
        commits to every block below it) did not change, the logs belong to one
        chain, the one whose block first-1 is recorded as ``parent_hash``.
        """
        end_before = end_block or self.endpoint.headers([last])[last]
        logs = self.endpoint.logs(self.addresses, first, last)
        self.sizer.fit(len(logs))
        after = self.endpoint.headers([last, first - 1] if first > 0 else [last])
        if after.get(last, {}).get("hash") != end_before["hash"]:
            raise ChainMovedDuringFetch(f"blocks {first}..{last} changed while fetching them")
        parent = after.get(first - 1, {}).get("hash")
        decoded = [(event, log) for log in logs if (event := decode_log(log)) is not None]
        return FetchedRange(first, last, parent.lower() if parent else None, end_before, decoded, self._timestamps(decoded, end_before))

    def commit(self, fetched: FetchedRange, head: int) -> StepResult:
        """Store a fetched range and move the checkpoint to its end, in one transaction.

        Raises ChainMovedDuringFetch unless the range starts right after the
        checkpoint, on the chain the checkpoint is on.
        """
        number, known_hash = self.checkpoint()
        if fetched.first != number + 1 or (known_hash is not None and fetched.parent_hash != known_hash):
            raise ChainMovedDuringFetch(f"blocks {fetched.first}..{fetched.last} do not follow the checkpoint")
        new_tokens = read_new_tokens(self.engine, self.endpoint, fetched.decoded, fetched.last)
        with self.engine.begin() as conn:
            if fetched.decoded:
                self._store_blocks(conn, fetched.decoded, fetched.timestamps)
                apply_events(conn, fetched.decoded, fetched.timestamps)
                apply_gig_skills(conn, fetched.decoded)
            store_tokens(conn, new_tokens, fetched.last)
            self._store_checkpoint(conn, fetched.end, len(fetched.decoded), head, number)
        return StepResult(fetched.first, fetched.last, len(fetched.decoded))

    def _timestamps(self, decoded: list, end: dict) -> dict[int, int]:
        """Each event block's time: from the logs when they carry it, else from headers."""
        timestamps = {_hex_int(end["number"]): _hex_int(end["timestamp"])}
        missing = set()
        for event, log in decoded:
            if log.get("blockTimestamp") is not None:
                timestamps[event.block_number] = _hex_int(log["blockTimestamp"])
            elif event.block_number not in timestamps:
                missing.add(event.block_number)
        headers = self.endpoint.headers(sorted(missing))
        timestamps.update({number: _hex_int(header["timestamp"]) for number, header in headers.items()})
        for event, _ in decoded:
            header = headers.get(event.block_number)
            if header is not None and header["hash"].lower() != event.block_hash:
                raise ChainMovedDuringFetch(f"block {event.block_number} changed while fetching its logs")
        return timestamps

    @staticmethod
    def _store_blocks(conn: Connection, decoded: list, timestamps: dict[int, int]) -> None:
        blocks: dict[int, dict] = {}
        for event, _ in decoded:
            block = blocks.setdefault(
                event.block_number,
                {"number": event.block_number, "hash": event.block_hash, "timestamp": timestamps[event.block_number], "event_count": 0},
            )
            block["event_count"] += 1
        conn.execute(db.blocks.insert(), list(blocks.values()))

    def _store_checkpoint(self, conn: Connection, block: dict, events: int, head: int, previous: int) -> None:
        """Move the checkpoint from block ``previous`` to ``block``, keeping it as a stored block."""
        number = _hex_int(block["number"])
        stored = conn.execute(select(db.blocks.c.number).where(db.blocks.c.number == number)).first()
        if stored is None:
            conn.execute(
                db.blocks.insert().values(
                    number=number, hash=block["hash"].lower(), timestamp=_hex_int(block["timestamp"]), event_count=0
                )
            )
        # Checkpoint-only blocks below the window go; earlier commits already pruned below theirs.
        conn.execute(
            delete(db.blocks).where(
                db.blocks.c.number.between(previous - RECENT_BLOCKS, number - RECENT_BLOCKS - 1),
                db.blocks.c.event_count == 0,
            )
        )
        conn.execute(
            update(db.indexer_state).values(
                checkpoint_number=number,
                checkpoint_hash=block["hash"].lower(),
                chain_head=head,
                event_count=db.indexer_state.c.event_count + events,
                updated_at=int(time.time()),
            )
        )

    def _record_head(self, head: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(db.indexer_state).values(chain_head=head, updated_at=int(time.time())))

    # ------------------------------------------------------------ reorgs

    def common_ancestor(self) -> tuple[int, str | None]:
        """The newest stored block whose hash the chain still has (or the start block - 1)."""
        below = None
        while True:
            query = select(db.blocks.c.number, db.blocks.c.hash).order_by(db.blocks.c.number.desc()).limit(64)
            if below is not None:
                query = query.where(db.blocks.c.number < below)
            with self.engine.connect() as conn:
                stored = conn.execute(query).all()
            if not stored:
                return self.deployment.block - 1, None
            chain = self.endpoint.headers([number for number, _ in stored])
            for number, block_hash in stored:
                if number in chain and chain[number]["hash"].lower() == block_hash:
                    return number, block_hash
            below = stored[-1].number

    def _recover_from_reorg(self, checkpoint: int, head: int) -> StepResult:
        ancestor, ancestor_hash = self.common_ancestor()
        with self.engine.begin() as conn:
            undone = roll_back(conn, ancestor)
            roll_back_gig_skills(conn, ancestor)
            conn.execute(
                update(db.indexer_state).values(
                    checkpoint_number=ancestor if ancestor_hash else None,
                    checkpoint_hash=ancestor_hash,
                    chain_head=head,
                    event_count=db.indexer_state.c.event_count - undone,
                    updated_at=int(time.time()),
                )
            )
        return StepResult(ancestor + 1, checkpoint, -undone, rolled_back_to=ancestor)

    # ------------------------------------------------------------ loops

    def sync(self, on_step: Callable[[StepResult], None] | None = None) -> int:
        """Index up to the chain's head (less confirmations); returns the events stored.

        A long way behind, ranges are fetched and decoded in a second thread
        while the previous one is written; near the head, and whenever the chain
        moves under a fetched range, it goes step by step.
        """
        stored = self._backfill(on_step)
        while (result := self.step()) is not None:
            stored += result.events
            if on_step:
                on_step(result)
        return stored

    def _backfill(self, on_step: Callable[[StepResult], None] | None) -> int:
        number, _ = self.checkpoint()
        head = self.endpoint.head()
        target = head - self.confirmations
        if target - number <= 2 * self.sizer.size:
            return 0
        fetched: queue.Queue = queue.Queue(maxsize=PREFETCH_DEPTH)
        stop = threading.Event()
        fetcher = threading.Thread(target=self._prefetch, args=(number + 1, target, fetched, stop), daemon=True)
        fetcher.start()
        stored = 0
        try:
            while isinstance(item := fetched.get(), FetchedRange):
                result = self.commit(item, head)
                stored += result.events
                if on_step:
                    on_step(result)
        except ChainMovedDuringFetch:
            pass  # the step loop finds out what changed
        finally:
            stop.set()
            while fetcher.is_alive():
                with contextlib.suppress(queue.Empty):
                    fetched.get(timeout=0.05)
        return stored

    def _prefetch(self, first: int, target: int, out: queue.Queue, stop: threading.Event) -> None:
        """Fetch consecutive ranges up to ``target`` into ``out``; a None or an error ends them."""
        try:
            while first <= target and not stop.is_set():
                last = min(first + self.sizer.size - 1, target)
                try:
                    out.put(self.fetch(first, last))
                except RangeTooLarge:
                    self.sizer.shrink()
                    continue
                first = last + 1
            out.put(None)
        except Exception as error:  # handed over: the step loop meets it again and reports it
            out.put(error)

    def follow(
        self,
        stop: threading.Event,
        *,
        poll_interval: float = 1.0,
        on_step: Callable[[StepResult], None] | None = None,
        health: FollowerHealth | None = None,
    ) -> None:
        """Keep indexing new blocks until ``stop`` is set, waiting out transient endpoint failures."""
        health = health or FollowerHealth()
        delay = poll_interval
        while not stop.is_set():
            try:
                self.sync(on_step)
            except TransientError as error:
                health.failed(error)
                delay = min(max(delay * 2, poll_interval), MAX_FOLLOW_BACKOFF)
                log.warning("indexer: %s; polling again in %.1fs", error, delay)
            else:
                health.succeeded()
                delay = poll_interval
            health.save(self.engine)
            stop.wait(delay)

    def lag(self) -> int:
        """Blocks between the checkpoint and the chain's head."""
        return max(self.endpoint.head() - self.checkpoint()[0], 0)
