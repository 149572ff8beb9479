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


@pytest.fixture
def witnessed_env(cli_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``cli_env`` plus a witness file; yields its path."""
    witness = tmp_path / "witness.jsonl"
    monkeypatch.setenv("REGMOD_AUDIT_WITNESS", str(witness))
    get_settings.cache_clear()
    return witness


def _loaded(run_dir: Path) -> CliRunner:
    """A runner on a migrated store with ``run_dir`` loaded for Köln."""
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["load", "--tenant", "05315000", "--run", str(run_dir)])
    return runner


def _tamper(url: str, *statements: str) -> None:
    engine = Store(url).engine
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def test_verify_with_a_witness_catches_a_rolled_back_store(
    cli_env: str, witnessed_env: Path, run_dir: Path
) -> None:
    runner = _loaded(run_dir)
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0 and "1 witnessed heads" in verified.output
    _tamper(
        cli_env,
        "DELETE FROM audit_entries WHERE seq = 2",
        "DELETE FROM audit_checkpoints WHERE seq = 2",
        "UPDATE audit_heads SET seq = 1, head_hash = (SELECT entry_hash FROM audit_entries)",
    )
    tampered = runner.invoke(app, ["audit", "verify", "--witness", str(witnessed_env)])
    assert tampered.exit_code == 1
    assert "seq 2: chain is shorter than the witness saw" in tampered.output


def test_verify_of_all_tenants_fails_when_a_head_row_is_deleted(
    cli_env: str, witnessed_env: Path, run_dir: Path
) -> None:
    runner = _loaded(run_dir)
    _tamper(cli_env, "DELETE FROM audit_heads")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "05315000: TAMPERED" in result.output and "head row of the chain is missing" in (
        result.output
    )


def test_checkpoint_covers_every_tenant_and_witness_backfills_a_new_file(
    cli_env: str, run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGMOD_AUDIT_CHECKPOINT_EVERY", "0")
    get_settings.cache_clear()
    runner = _loaded(run_dir)
    checkpointed = runner.invoke(app, ["audit", "checkpoint"])
    assert checkpointed.exit_code == 0
    assert "tenant 05315000: checkpoint at seq 2 (signed)" in checkpointed.output
    witness = tmp_path / "late-witness.jsonl"
    backfilled = runner.invoke(app, ["audit", "witness", "--witness", str(witness)])
    assert backfilled.exit_code == 0 and "witnessed 1 checkpoints" in backfilled.output
    again = runner.invoke(app, ["audit", "witness", "--witness", str(witness)])
    assert "witnessed 0 checkpoints" in again.output
    verified = runner.invoke(app, ["audit", "verify", "--witness", str(witness)])
    assert verified.exit_code == 0, verified.output


def test_verify_of_an_unknown_tenant_is_a_user_error(cli_env: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["audit", "verify", "--tenant", "99999999"])
    assert result.exit_code != 0
    assert "tenant '99999999' has no chain" in str(result.exception)


def test_checkpoint_reports_a_tenant_without_head_and_covers_the_rest(
    cli_env: str, run_dir: Path
) -> None:
    runner = _loaded(run_dir)
    _tamper(
        cli_env,
        "INSERT INTO tenants (code, name, created_at) VALUES ('09162000', 'M', '2026-01-01')",
    )
    result = runner.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "tenant 05315000: nothing to checkpoint" in result.output
    assert "tenant 09162000: tenant '09162000' does not exist or its audit head" in result.output
