"""A killed run's staging directory is never read, and the next run or ``runs clean`` removes it;
a running one's is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from regmod.cli.app import app
from regmod.errors import ConfigurationError, InputError
from regmod.evidence.online import newest_model
from regmod.reconcile.rundir import read_table, write_run_directory
from regmod.reconcile.staging import (
    LOCK_FILE,
    UNLOCKED_GRACE_SECONDS,
    is_staging,
    remove_stale,
    staging_directory,
)
from regmod.store.runs import read_manifest

LINKS = pl.DataFrame({"record_id": ["a"], "idnr": ["1"]})

KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from regmod.reconcile.staging import staging_directory
with staging_directory(Path(sys.argv[1])) as staging:
    (staging / "model.json").write_text("{}")
    (staging / "manifest.json").write_text('{"run_id": "killed"}')
    os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_run(runs: Path, name: str) -> Path:
    """The staging directory a run killed with SIGKILL while writing ``runs/name`` left behind."""
    runs.mkdir(parents=True, exist_ok=True)
    before = set(runs.iterdir())
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_WRITER), str(runs / name)], check=False
    )
    assert done.returncode == -9
    (staging,) = [path for path in set(runs.iterdir()) - before if is_staging(path)]
    return staging


def completed_run(runs: Path, name: str) -> Path:
    run = write_run_directory(runs / name, {"links": LINKS}, {"model.json": "{}"})
    old = time.time() - 3600
    os.utime(run / "model.json", (old, old))  # older than the killed run's model
    return run


def test_a_killed_runs_model_is_not_discovered_and_the_next_run_removes_it(
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    finished = completed_run(runs, "earlier")
    staging = killed_run(runs, "killed")
    assert (staging / "model.json").is_file()
    assert newest_model(runs) == finished / "model.json"
    write_run_directory(runs / "next", {"links": LINKS}, {})
    assert not staging.exists()
    assert sorted(path.name for path in runs.iterdir()) == ["earlier", "next"]
    assert not (runs / "next" / LOCK_FILE).exists()


def test_readers_refuse_a_staging_directory(tmp_path: Path) -> None:
    staging = killed_run(tmp_path / "runs", "killed")
    with pytest.raises(ConfigurationError, match="unfinished run"):
        read_table(staging, "links")
    with pytest.raises(ConfigurationError, match="unfinished run"):
        read_manifest(staging)
    with pytest.raises(InputError):
        read_manifest(tmp_path)  # an ordinary folder still gets the ordinary error


def test_a_running_writers_staging_directory_is_kept(tmp_path: Path) -> None:
    with staging_directory(tmp_path / "running") as staging:
        (staging / "links.parquet").write_bytes(b"")
        cleanup = remove_stale(tmp_path)
        assert cleanup.removed == [] and cleanup.in_use == [staging]
        assert staging.is_dir()
    assert (tmp_path / "running" / "links.parquet").is_file()


def test_an_unlocked_staging_directory_is_removed_only_after_the_grace_time(
    tmp_path: Path,
) -> None:
    young, old = tmp_path / ".young.x.partial", tmp_path / ".old.x.partial"
    for path in (young, old):
        path.mkdir()
    past = time.time() - UNLOCKED_GRACE_SECONDS - 1
    os.utime(old, (past, past))
    (tmp_path / ".review.parquet.partial").write_bytes(b"")  # a file, not a staging directory
    cleanup = remove_stale(tmp_path)
    assert cleanup.removed == [old] and young.is_dir()


def test_runs_clean_removes_leftovers_in_the_runs_folder_and_the_tenant_folders(
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    completed_run(runs / "05315000", "done")
    with staging_directory(runs / "running") as running:
        leftovers = [killed_run(runs, "cli-run"), killed_run(runs / "05315000", "api-run")]
        result = CliRunner().invoke(app, ["runs", "clean", "--runs-dir", str(runs)])
        assert result.exit_code == 0, result.output
        assert running.is_dir()
    for path in leftovers:
        assert not path.exists()
        assert f"removed {path}" in result.output
    assert f"kept {running}" in result.output
    assert "2 removed, 1 in use" in result.output
    assert (runs / "05315000" / "done" / "links.parquet").is_file()
