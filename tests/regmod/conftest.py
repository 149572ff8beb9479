"""Store fixtures: every store test runs on SQLite and, where configured, on PostgreSQL.

PostgreSQL tests use ``REGMOD_TEST_DATABASE_URL`` and a schema of their own for the session
(reached through ``search_path`` in the URL), dropped afterwards; each test empties the tables.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from regmod.audit.log import AuditWriter
from regmod.audit.signing import Signer
from regmod.record import CANONICAL_SCHEMA
from regmod.store.engine import Store
from regmod.store.migrate import upgrade
from regmod.store.schema import metadata
from regmod.store.tenants import create_tenant
from tests.conftest import postgres_url

TENANT = "05315000"


def _reachable(url: str) -> str | None:
    """None when a server answers at ``url``, else why not."""
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return None
    except sa.exc.OperationalError as error:
        return f"PostgreSQL at REGMOD_TEST_DATABASE_URL unreachable: {error.orig}"
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections live in a fresh schema, migrated once, dropped at the end."""
    url = postgres_url()
    if url is None:
        pytest.skip("REGMOD_TEST_DATABASE_URL is not set: PostgreSQL store tests skipped")
    reason = _reachable(url)
    if reason is not None:
        pytest.skip(reason)
    schema = f"regmod_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    schema_url = f"{url}{separator}options=-csearch_path%3D{schema}"
    store = Store(schema_url)
    upgrade(store.engine)
    store.dispose()
    yield schema_url
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated store's URL: a SQLite file, or the PostgreSQL test schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        engine = Store(url).engine
        metadata.create_all(engine)
        engine.dispose()
        return url
    schema_url: str = request.getfixturevalue("postgres_schema_url")
    return schema_url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A store on ``database_url``; PostgreSQL tables are emptied after the test."""
    store = Store(database_url)
    yield store
    if store.dialect == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} CASCADE")
    store.dispose()


@pytest.fixture(scope="session")
def signer() -> Signer:
    """A signing key made for this test session."""
    return Signer.generate()


@pytest.fixture
def writer(signer: Signer) -> AuditWriter:
    """An audit writer that signs a checkpoint every 5 entries."""
    return AuditWriter(signer=signer, checkpoint_every=5)


@pytest.fixture
def tenant(store: Store) -> str:
    """The code of a tenant created in ``store``."""
    with store.write() as conn:
        create_tenant(conn, TENANT, "Köln")
    return TENANT


def canonical_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A canonical frame (every column of ``CANONICAL_SCHEMA``) holding ``rows``; absent = null."""
    return pl.DataFrame(
        [{name: row.get(name) for name in CANONICAL_SCHEMA} for row in rows],
        schema=CANONICAL_SCHEMA,
        orient="row",
    )


REFERENCE = [
    {
        "record_id": "ref-1",
        "idnr": "12345678995",
        "family_name": "Müller",
        "first_names": ["Anna", "Lena"],
        "birth_year": 1980,
        "birth_month": 5,
        "birth_day": 1,
        "street_raw": "Hauptstraße",
        "house_number_raw": "12a",
        "postcode": "50667",
        "city_raw": "Köln",
    },
    {
        "record_id": "ref-2",
        "idnr": "98765432106",
        "family_name": "Schmidt",
        "first_names": ["Jörg"],
        "birth_year": 1975,
        "information_block": True,
    },
]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A run directory as reconciliation writes it: two records, one match, one review pair."""
    directory = tmp_path / "run-1"
    directory.mkdir()
    records = [
        {
            "record_id": "r1",
            "source_register": "melderegister",
            "family_name": "Mueller",
            "first_names": ["Anna"],
            "birth_year": 1980,
        },
        {
            "record_id": "r2",
            "source_register": "melderegister",
            "family_name": "Schmitt",
            "first_names": ["Jörg"],
            "birth_year": 1975,
        },
    ]
    canonical_frame(records).write_parquet(directory / "records.parquet")
    pl.DataFrame(
        {
            "record_id": ["r1", "r2"],
            "idnr": ["12345678995", None],
            "match_weight": [14.2, -3.0],
            "match_probability": [0.9999, 0.11],
            "decision": ["match", "no_match"],
            "model_hash": ["m-abc", "m-abc"],
        }
    ).write_parquet(directory / "links.parquet")
    pl.DataFrame(
        {
            "record_id": ["r2", "r2"],
            "idnr": ["98765432106", "12345678995"],
            "match_weight": [2.1, 0.3],
            "match_probability": [0.81, 0.55],
            "rank": [1, 2],
        }
    ).write_parquet(directory / "review.parquet")
    manifest = {
        "run_id": "run-1",
        "model_hash": "m-abc",
        "thresholds": {"match": 0.99, "review": 0.5},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return directory
