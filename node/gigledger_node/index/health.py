"""The follower's health: its last error and its last successful poll, kept in the index database.

The follower (`Indexer.follow`, in `gigledger-node start` or a standalone
`gigledger-node index`) writes them to the `indexer_health` row; `/status` of
any API process on the same database reads them, so an API started apart from
its indexer still reports the indexer's last error and how long ago it last
reached the chain (a stopped indexer shows as a growing age).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from gigledger_node.index import db

if TYPE_CHECKING:
    from gigledger_node.index.queries import IndexingStatus

#: A success is written at most this often (an error always at once).
SAVE_SUCCESS_EVERY = 5.0
#: The longest error text kept.
MAX_ERROR_LENGTH = 500

log = logging.getLogger(__name__)


@dataclass
class FollowerHealth:
    """How a follower is doing, for /status: its last error and its last successful poll."""

    last_error: str | None = None
    last_error_at: float | None = None
    last_success_at: float | None = None
    _saved_success_at: float | None = None

    def failed(self, error: BaseException) -> None:
        self.last_error, self.last_error_at = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH], time.time()

    def succeeded(self) -> None:
        self.last_success_at = time.time()

    def save(self, engine: Engine) -> None:
        """Write this health to the index database (an error always; a success at most
        every SAVE_SUCCESS_EVERY seconds). A database that refuses is logged, never raised:
        the follower must not stop for its own bookkeeping."""
        if self._saved_success_at is not None and self.last_success_at is not None and (
            self.last_error_at is None or self.last_error_at < self._saved_success_at
        ) and self.last_success_at - self._saved_success_at < SAVE_SUCCESS_EVERY:
            return
        values = {
            "last_error": self.last_error,
            "last_error_at": _seconds(self.last_error_at),
            "last_success_at": _seconds(self.last_success_at),
        }
        try:
            with engine.begin() as conn:
                if not conn.execute(update(db.indexer_health).where(db.indexer_health.c.id == 1).values(values)).rowcount:
                    conn.execute(db.indexer_health.insert().values(id=1, **values))
        except SQLAlchemyError as error:
            log.warning("indexer: could not record its health: %s", error)
            return
        self._saved_success_at = self.last_success_at

    @classmethod
    def load(cls, engine: Engine) -> FollowerHealth | None:
        """The health the follower last wrote to this database, if any."""
        with engine.connect() as conn:
            row = conn.execute(select(db.indexer_health).where(db.indexer_health.c.id == 1)).first()
        if row is None:
            return None
        return cls(row.last_error, row.last_error_at, row.last_success_at)


def _seconds(at: float | None) -> int | None:
    return None if at is None else int(at)


def _newest(*times: float | None) -> float | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def with_health(status: IndexingStatus, engine: Engine, local: FollowerHealth | None = None) -> IndexingStatus:
    """``status`` with the follower's last error and last successful poll, and their ages:
    what the database holds, or what ``local`` (a follower in this process) knows, whichever is newer."""
    stored = FollowerHealth.load(engine) or FollowerHealth()
    local = local or FollowerHealth()
    latest = stored if (stored.last_error_at or 0) >= (local.last_error_at or 0) else local
    success = _newest(stored.last_success_at, local.last_success_at)
    now = time.time()
    return replace(
        status,
        last_error=latest.last_error,
        last_error_at=_seconds(latest.last_error_at),
        seconds_since_error=None if latest.last_error_at is None else max(int(now - latest.last_error_at), 0),
        last_success_at=_seconds(success),
        seconds_since_success=None if success is None else max(int(now - success), 0),
    )
