"""Persistent key-value store for py-evm on LMDB, committed one block at a time.

py-evm only ships an in-memory backend. This store implements py-evm's atomic
database interface on top of LMDB: every write is buffered in memory (and visible
to reads at once), and :meth:`BlockStore.commit` writes the whole buffer in ONE
LMDB transaction, fsynced before it returns.

The buffer belongs to the thread that writes: a block being built on the
producer thread is invisible to reads on any other thread (the RPC event loop,
call workers) until its commit, so nothing is ever served from a block that is
not yet durable. Only one thread may build at a time (the caller's lock).

A store opened with ``durable=False`` (throwaway dev chains) skips the fsync:
a commit is still atomic and survives the process being killed (it is in the
OS page cache), but not the machine losing power, like geth's --dev chain. A SIGKILL therefore leaves either a
whole block on disk or none of it: LMDB's copy-on-write B+tree never exposes a
half-written transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import lmdb
from eth.abc import AtomicWriteBatchAPI
from eth.db.atomic import AtomicDBWriteBatch
from eth.db.backends.base import BaseAtomicDB

# Sentinel in the write buffer for "deleted since the last commit".
_DELETED = None

# LMDB reserves address space, not disk: 1 TiB costs nothing until used.
DEFAULT_MAP_SIZE = 1 << 40


class BlockStore(BaseAtomicDB):
    """py-evm database on LMDB whose writes become durable together at commit()."""

    def __init__(self, path: Path, map_size: int = DEFAULT_MAP_SIZE, durable: bool = True) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._env = lmdb.open(
            str(path), map_size=map_size, sync=durable, metasync=durable, max_dbs=0
        )
        self._local = threading.local()

    @property
    def _pending(self) -> dict[bytes, bytes | None]:
        """This thread's uncommitted writes."""
        try:
            return self._local.pending
        except AttributeError:
            self._local.pending = {}
            return self._local.pending

    def __getitem__(self, key: bytes) -> bytes:
        pending = self._pending
        if key in pending:
            value = pending[key]
            if value is _DELETED:
                raise KeyError(key)
            return value
        with self._env.begin() as txn:
            value = txn.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._pending[key] = value

    def __delitem__(self, key: bytes) -> None:
        if key not in self:
            raise KeyError(key)
        self._pending[key] = _DELETED

    def _exists(self, key: bytes) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    @contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        """py-evm's all-or-nothing batch; it lands in the buffer, not on disk."""
        with AtomicDBWriteBatch._commit_unless_raises(self) as batch:
            yield batch

    def commit(self) -> None:
        """Write this thread's buffered changes in one LMDB transaction (fsynced if durable)."""
        pending = self._pending
        if not pending:
            return
        with self._env.begin(write=True) as txn:
            for key, value in pending.items():
                if value is _DELETED:
                    txn.delete(key)
                else:
                    txn.put(key, value)
        pending.clear()

    def discard(self) -> None:
        """Drop this thread's buffered changes (a block that failed to build)."""
        self._pending.clear()

    def keys_with_prefix(self, prefix: bytes, start: bytes, stop: bytes) -> list[bytes]:
        """Committed keys ``prefix + s`` with ``start <= s <= stop``, in order.

        Only committed data is scanned: indexes read this way (the log index)
        are written in the same commit as their block.
        """
        first, last = prefix + start, prefix + stop
        found: list[bytes] = []
        with self._env.begin() as txn:
            cursor = txn.cursor()
            if not cursor.set_range(first):
                return found
            for key in cursor.iternext(values=False):
                if key > last:
                    break
                found.append(key)
        return found

    def close(self) -> None:
        """Close the LMDB environment; this thread's buffered changes are dropped."""
        self._pending.clear()
        self._env.close()
