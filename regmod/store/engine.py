"""Connections to the store: one engine per URL, SQLite tuned for a single office, PostgreSQL as is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from regmod.errors import ConfigurationError

WRITE_OPTION = "regmod_write"
"""Execution option marking a transaction that writes; on SQLite it begins ``IMMEDIATE``."""


def _tune_sqlite(engine: sa.Engine) -> None:
    """WAL for concurrent readers, foreign keys on, and explicit BEGIN so writers can lock early."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def create_store_engine(url: str) -> sa.Engine:
    """An engine for ``url`` (``sqlite:///file`` or ``postgresql+psycopg://…``).

    PostgreSQL tests put the store in a schema of their own with
    ``?options=-csearch_path%3D<schema>`` in the URL; nothing else needs to know.
    """
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as error:
        raise ConfigurationError(
            f"database URL {url!r} cannot be parsed; expected e.g. sqlite:///regmod.sqlite "
            "or postgresql+psycopg://user@host/db"
        ) from error
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(parsed, connect_args={"timeout": 60})
        _tune_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise ConfigurationError(
        f"database URL {url!r}: backend {parsed.get_backend_name()!r} is not supported; "
        "use sqlite or postgresql"
    )


class Store:
    """The store of one deployment: an engine plus transactions that know whether they write.

    >>> store = Store("sqlite:///:memory:")
    >>> with store.write() as conn:  # audit appends and other writes
    ...     pass
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A transaction that writes: committed on success, rolled back on error.

        On SQLite it takes the write lock at BEGIN, so a writer never fails half-way on a
        lock another writer took after it read.
        """
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read-only transaction (a consistent snapshot; never blocks writers on SQLite WAL)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        """Close every pooled connection (call before a process forks or exits)."""
        self.engine.dispose()
