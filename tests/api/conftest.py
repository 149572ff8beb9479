"""A small two-tenant world behind a real app: persons, requesters, entitlements, a key per role.

The store is a temporary SQLite file (and the PostgreSQL test schema when
``REGMOD_TEST_DATABASE_URL`` is set), through the store fixtures of ``tests/regmod``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.main import create_app
from benchmarks.api_fixtures import hand_set_model
from regmod.evidence.online import TenantIndexes
from regmod.normalize import normalise
from regmod.record import RECORD_ID, raw_column
from regmod.settings import Settings
from regmod.store.access import Role, create_api_key, create_requester, grant_entitlement
from regmod.store.engine import Store
from regmod.store.persons import upsert_persons
from regmod.store.schema import review_items
from regmod.store.tenants import create_tenant
from tests.regmod.conftest import database_url, postgres_schema_url, store

__all__ = ["database_url", "postgres_schema_url", "store"]

KOELN, MUENCHEN = "05315000", "09162000"
LEGAL_BASIS, PURPOSE = "§ 18 BMG", "Anwohnerparkausweis"

ANNA = "54386602794"  # resident of Köln, the citizen of the tests
BLOCKED = "21745232806"  # Auskunftssperre
DECEASED = "54643214099"
TWIN_1, TWIN_2 = "94077136521", "64703628566"  # same name, birth date and address
MUNICH_RESIDENT = "29722043516"

PEOPLE = {
    KOELN: [
        (ANNA, "Müller", "Anna Maria", "12.04.1980", "Köln", "Hauptstraße", "12a", "50667", ""),
        (BLOCKED, "Schulz", "Peter", "01.02.1975", "Bonn", "Ringstr.", "3", "50668", "ja"),
        (DECEASED, "Becker", "Karl", "00.03.1931", "Köln", "Domweg", "1", "50667", ""),
        (TWIN_1, "Schmidt", "Maria", "05.05.1990", "Köln", "Ahornweg", "7", "50670", ""),
        (TWIN_2, "Schmidt", "Maria", "05.05.1990", "Köln", "Ahornweg", "7", "50670", ""),
    ],
    MUENCHEN: [
        (
            MUNICH_RESIDENT,
            "Huber",
            "Josef",
            "03.03.1970",
            "München",
            "Leopoldstr.",
            "5",
            "80802",
            "",
        ),
    ],
}


def persons_frame(rows: list[tuple[str, ...]]) -> pl.DataFrame:
    """Raw person rows normalised like a reference extract."""
    fields = ("idnr", "family_name", "first_names", "birth_date", "birth_place", "street")
    fields += ("house_number", "postcode", "information_block")
    raw = pl.DataFrame(
        [dict(zip([raw_column(f) for f in fields], row, strict=True)) for row in rows]
    ).with_columns(pl.col(raw_column("idnr")).alias(RECORD_ID))
    frame = normalise(raw)
    if DECEASED in frame["idnr"].to_list():
        frame = frame.with_columns(
            death_year=pl.when(pl.col("idnr") == DECEASED).then(2020).cast(pl.Int16)
        )
    return frame


@dataclass
class World:
    """The seeded app and the key of every role in every tenant."""

    client: TestClient
    store: Store
    keys: dict[tuple[str, Role], str] = field(default_factory=dict)
    review_item: dict[str, int] = field(default_factory=dict)

    def headers(self, tenant: str, role: Role) -> dict[str, str]:
        """Bearer authentication as ``role`` of ``tenant``."""
        return {"Authorization": f"Bearer {self.keys[tenant, role]}"}


def seed(store: Store, world: World) -> None:
    """Two tenants with persons, a requester each, entitlements, keys and one review item."""
    with store.write() as conn:
        for tenant, name in ((KOELN, "Köln"), (MUENCHEN, "München")):
            create_tenant(conn, tenant, name)
            upsert_persons(conn, tenant, persons_frame(PEOPLE[tenant]))
            requester = create_requester(conn, tenant, f"Bürgerportal {name}", "anwohnerparken")
            grant_entitlement(conn, requester, tenant, "proof_of_residence", LEGAL_BASIS, PURPOSE)
            citizen = ANNA if tenant == KOELN else MUNICH_RESIDENT
            for role in Role:
                issued = create_api_key(
                    conn,
                    tenant,
                    role,
                    idnr=citizen if role is Role.CITIZEN else None,
                    requester_id=requester if role is Role.ONLINE_SERVICE else None,
                )
                world.keys[tenant, role] = issued.key
            item = conn.execute(
                sa.insert(review_items)
                .values(
                    tenant=tenant,
                    run_id="run-1",
                    record_id=f"rec-{tenant}",
                    idnr=citizen,
                    match_weight=3.0,
                    match_probability=0.9,
                    rank=1,
                    model_hash=None,
                    status="open",
                )
                .returning(review_items.c.id)
            ).scalar_one()
            world.review_item[tenant] = int(item)


@pytest.fixture
def world(store: Store, tmp_path: Path) -> Iterator[World]:
    """A seeded app over ``store``, online index on a hand-set German model."""
    settings = Settings(
        database_url=store.url, runs_dir=tmp_path / "runs", api_max_request_bytes=64 * 1024
    )
    indexes = TenantIndexes(store, hand_set_model(), ttl_seconds=0.0)
    app = create_app(settings, store=store, indexes=indexes)
    with TestClient(app) as client:
        world = World(client, store)
        seed(store, world)
        assert indexes.warmed.wait(60), "the start-up index build did not finish"
        yield world


@dataclass
class FuzzTally:
    """Requests the fuzz test sent and server errors it saw, per run ("auditor on sqlite" …)."""

    requests: Counter[str] = field(default_factory=Counter)
    succeeded: Counter[str] = field(default_factory=Counter)
    server_errors: Counter[str] = field(default_factory=Counter)

    def record(self, run: str, status: int) -> None:
        """Count one answered (or failed, as 500) request of ``run``."""
        self.requests[run] += 1
        self.succeeded[run] += status < 300
        self.server_errors[run] += status >= 500


FUZZ_TALLY = pytest.StashKey[FuzzTally]()


@pytest.fixture(scope="session")
def fuzz_tally(pytestconfig: pytest.Config) -> FuzzTally:
    """The session's tally, kept where the terminal summary finds it."""
    return pytestconfig.stash.setdefault(FUZZ_TALLY, FuzzTally())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """One line per fuzz run (role and store): how many requests, how many answered 5xx."""
    tally = config.stash.get(FUZZ_TALLY, None)
    if tally is None:
        return
    for run, count in tally.requests.items():
        terminalreporter.write_line(
            f"API fuzz as {run}: {count} requests, {tally.server_errors[run]} server errors"
        )
