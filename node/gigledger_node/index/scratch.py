"""A fresh, empty index database for a test or a benchmark, removed afterwards.

SQLite is a file in a temporary directory; PostgreSQL is a schema of its own in an
existing database (`search_path` set in the URL), dropped afterwards, so parallel
runs never see each other's tables.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

#: The PostgreSQL the suite and the benchmarks use: local, trust auth, database `test`.
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KINDS = ("sqlite", "postgresql")


@contextmanager
def scratch_database(kind: str, postgres: str = LOCAL_POSTGRES) -> Iterator[str]:
    """The URL of a new empty database of `kind` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="gigledger-index-") as directory:
            yield f"sqlite:///{Path(directory) / 'index.sqlite'}"
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}; expected one of {', '.join(KINDS)}")
    schema = f"scratch_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{postgres}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
