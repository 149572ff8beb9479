"""Alembic migrations: from empty to head creates exactly the tables the code declares."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from regmod.store.engine import Store
from regmod.store.migrate import current_revision, upgrade
from regmod.store.schema import metadata
from tests.conftest import postgres_url
from tests.regmod.conftest import _reachable


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store with no tables: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        yield store
        store.dispose()
        return
    url = postgres_url()
    if url is None or _reachable(url) is not None:
        pytest.skip("REGMOD_TEST_DATABASE_URL is not set or unreachable")
    schema = f"regmod_migration_{secrets.token_hex(4)}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    store = Store(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    yield store
    store.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def test_upgrade_from_empty_creates_every_table(empty_store: Store) -> None:
    assert current_revision(empty_store.engine) is None
    upgrade(empty_store.engine)
    tables = set(sa.inspect(empty_store.engine).get_table_names())
    assert set(metadata.tables) <= tables and "alembic_version" in tables
    assert current_revision(empty_store.engine) == "0001"


def test_migrations_match_the_declared_schema(empty_store: Store) -> None:
    upgrade(empty_store.engine)
    with empty_store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_upgrade_twice_changes_nothing(empty_store: Store) -> None:
    upgrade(empty_store.engine)
    upgrade(empty_store.engine)
    assert current_revision(empty_store.engine) == "0001"
