"""``/v1/audit/verify`` gives the verdict ``regmod audit verify`` gives, witness and key included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from benchmarks.api_fixtures import hand_set_model
from regmod.audit.chain import EntryKind
from regmod.audit.log import AuditWriter
from regmod.cli.app import app as cli
from regmod.evidence.online import TenantIndexes
from regmod.settings import Settings, get_settings
from regmod.store.access import Role
from regmod.store.engine import Store
from tests.api.conftest import KOELN, World, seed

SIGNING_KEY = "22" * 32


@pytest.fixture
def strict_world(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The seeded app with a signing key, a checkpoint every 3 entries and a witness file; the
    CLI reads the same settings from the environment."""
    environment = {
        "REGMOD_DATABASE_URL": store.url,
        "REGMOD_AUDIT_SIGNING_KEY": SIGNING_KEY,
        "REGMOD_AUDIT_CHECKPOINT_EVERY": "3",
        "REGMOD_AUDIT_WITNESS": str(tmp_path / "witness.jsonl"),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    settings = Settings(runs_dir=tmp_path / "runs")
    indexes = TenantIndexes(store, hand_set_model(), ttl_seconds=0.0)
    with TestClient(create_app(settings, store=store, indexes=indexes)) as client:
        world = World(client, store)
        seed(store, world)
        with store.write() as conn:
            AuditWriter.from_settings(settings).append_many(
                conn, KOELN, EntryKind.CONFIGURATION_CHANGE, "admin", [{"n": n} for n in range(4)]
            )
        yield world
    get_settings.cache_clear()


def _verdicts(world: World) -> tuple[dict[str, object], str, int]:
    """The API's JSON verdict and the CLI's output and exit code for Köln."""
    api = world.client.get("/v1/audit/verify", headers=world.headers(KOELN, Role.AUDITOR)).json()
    result = CliRunner().invoke(cli, ["audit", "verify", "--tenant", KOELN])
    return api, result.output, result.exit_code


def test_api_and_cli_agree_on_an_intact_chain(strict_world: World) -> None:
    api, output, code = _verdicts(strict_world)
    assert api["ok"] is True and code == 0
    assert (api["signatures_verified"], api["witnessed_checked"]) == (1, 1)
    assert "1 signatures verified), 1 witnessed heads" in output


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE audit_checkpoints SET signature = NULL, key_id = NULL"],
        [
            "DELETE FROM audit_entries WHERE seq > 2",
            "DELETE FROM audit_checkpoints",
            "UPDATE audit_heads SET seq = 2, head_hash = (SELECT entry_hash FROM audit_entries "
            f"WHERE tenant = '{KOELN}' AND seq = 2) WHERE tenant = '{KOELN}'",
        ],
    ],
    ids=["unsigned checkpoints", "rolled back"],
)
def test_api_and_cli_name_the_same_first_problem(
    strict_world: World, statements: list[str]
) -> None:
    with strict_world.store.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    api, output, code = _verdicts(strict_world)
    first = api["first_problem"]
    assert api["ok"] is False and code == 1
    assert isinstance(first, dict)
    assert f"first entry that does not fit: seq {first['seq']}: {first['message']}" in output
