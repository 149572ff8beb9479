"""The ``regmod db`` and ``regmod audit`` commands, end to end on a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from regmod.cli.app import app
from regmod.settings import get_settings
from regmod.store.engine import Store


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Settings pointing at a fresh SQLite store with a signing key; yields the store URL."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("REGMOD_DATABASE_URL", url)
    monkeypatch.setenv("REGMOD_AUDIT_SIGNING_KEY", "11" * 32)
    monkeypatch.setenv("REGMOD_AUDIT_CHECKPOINT_EVERY", "2")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_upgrade_load_verify_export_and_catch_tampering(
    cli_env: str, run_dir: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0 and "revision 0001" in upgraded.output
    loaded = runner.invoke(app, ["load", "--tenant", "05315000", "--run", str(run_dir)])
    assert loaded.exit_code == 0 and "2 audit entries" in loaded.output
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0 and "05315000: ok" in verified.output
    out = tmp_path / "export.jsonl"
    exported = runner.invoke(app, ["audit", "export", "--tenant", "05315000", "--out", str(out)])
    assert exported.exit_code == 0 and "seq 1..2" in exported.output
    assert runner.invoke(app, ["audit", "verify-export", str(out)]).exit_code == 0

    engine = Store(cli_env).engine
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_entries SET actor = 'x' WHERE seq = 2")
    engine.dispose()
    tampered = runner.invoke(app, ["audit", "verify", "--tenant", "05315000"])
    assert tampered.exit_code == 1
    assert "TAMPERED" in tampered.output and "seq 2: content was altered" in tampered.output


def test_keygen_prints_a_pair_the_settings_accept(cli_env: str) -> None:
    result = CliRunner().invoke(app, ["audit", "keygen"])
    assert result.exit_code == 0
    lines = dict(line.split("=", 1) for line in result.output.splitlines())
    assert len(lines["REGMOD_AUDIT_SIGNING_KEY"]) == 64
    assert len(lines["REGMOD_AUDIT_PUBLIC_KEY"]) == 64


def test_load_without_anything_to_load_is_a_user_error(cli_env: str) -> None:
    result = CliRunner().invoke(app, ["load", "--tenant", "05315000"])
    assert result.exit_code != 0
    assert "nothing to load" in str(result.exception)


def test_verify_on_an_empty_store_passes(cli_env: str) -> None:
    Store(cli_env).engine.dispose()
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0
    assert sa.make_url(cli_env).database is not None
