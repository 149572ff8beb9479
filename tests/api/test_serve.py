"""``regmod serve`` names the model it serves, and refuses several workers without a shared secret."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from regmod.cli.app import main
from regmod.reconcile.rundir import write_run_directory
from regmod.reconcile.staging import staging_directory
from regmod.settings import get_settings


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[dict[str, Any]]]:
    """The arguments uvicorn would have been started with; runs under ``tmp_path/runs``."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setenv("REGMOD_RUNS_DIR", str(tmp_path / "runs"))
    for name in ("REGMOD_API_MODEL", "REGMOD_API_PREVIEW_SECRET"):
        monkeypatch.setenv(name, "")  # restored to its state before the test, serve sets it
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


def serve(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``regmod serve …``."""
    old = sys.argv
    sys.argv = ["regmod", "serve", *argv]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
            sys.exit(0)
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_several_workers_without_a_preview_secret_refuse_to_start(
    started: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = serve(["--workers", "2"], capsys)
    assert code == 2 and not started
    assert err.startswith("error: --workers 2 needs a shared REGMOD_API_PREVIEW_SECRET")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_several_workers_with_a_preview_secret_start(
    started: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REGMOD_API_PREVIEW_SECRET", "shared by all workers")
    get_settings.cache_clear()
    code, _, _ = serve(["--workers", "2"], capsys)
    assert code == 0 and started[0]["workers"] == 2


def test_serve_names_the_newest_completed_model_and_not_a_killed_runs(
    started: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    run = write_run_directory(runs / "done", {}, {"model.json": "{}"})
    with staging_directory(runs / "writing") as staging:
        (staging / "model.json").write_text("{}")  # newer, but its run is not complete
        code, out, _ = serve([], capsys)
    assert code == 0
    assert f"online matching with model {(run / 'model.json').resolve()}" in out
    assert started and os.environ["REGMOD_API_MODEL"] == str((run / "model.json").resolve())


def test_serve_without_any_model_says_matching_is_unavailable(
    started: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = serve([], capsys)
    assert code == 0 and started
    assert "no model.json under" in out and "503" in out
