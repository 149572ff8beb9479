"""``regmod reconcile`` / ``demo`` / ``explain`` / ``review`` end to end on the fixture sample."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from regmod.audit.chain import EntryKind
from regmod.audit.log import read_entries
from regmod.cli.app import app, main
from regmod.reconcile import run as run_module
from regmod.reconcile.run import sample_files
from regmod.settings import get_settings
from regmod.store.engine import Store

runner = CliRunner()
PARQUET = ("records", "links", "review", "unmatched", "quarantine", "duplicates", "candidates")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "sample"
    files = sample_files()
    result = runner.invoke(
        app,
        [
            "reconcile",
            str(files.register),
            str(files.reference),
            "--truth",
            str(files.truth),
            "--out",
            str(out),
            "--csv",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_run_directory_holds_every_table_and_document(sample_run: Path) -> None:
    for name in PARQUET:
        assert (sample_run / f"{name}.parquet").is_file()
        assert (sample_run / f"{name}.csv").is_file()
    for name in ("model.json", "manifest.json", "report.html"):
        assert (sample_run / name).is_file()


def test_every_register_row_is_accounted_for(sample_run: Path) -> None:
    manifest = json.loads((sample_run / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["rows_in"] == 5000
    assert counts["rows_in"] == (
        counts["linked"] + counts["review"] + counts["unmatched"] + counts["quarantined"]
    )
    assert pl.read_parquet(sample_run / "links.parquet").height == counts["linked"]
    assert pl.read_parquet(sample_run / "unmatched.parquet").height == counts["unmatched"]
    review = pl.read_parquet(sample_run / "review.parquet")
    assert review["record_id"].n_unique() == counts["review"]


def test_links_are_precise_and_name_the_model(sample_run: Path) -> None:
    manifest = json.loads((sample_run / "manifest.json").read_text())
    links = pl.read_parquet(sample_run / "links.parquet")
    assert links["model_hash"].unique().to_list() == [manifest["model_hash"]]
    assert manifest["quality"]["precision"] >= 0.995
    assert manifest["quality"]["recall"] >= 0.97
    assert [item["role"] for item in manifest["inputs"]] == ["register", "reference", "truth"]


def test_rerun_writes_byte_identical_parquet(sample_run: Path, tmp_path: Path) -> None:
    files = sample_files()
    again = tmp_path / "again"
    result = runner.invoke(
        app, ["reconcile", str(files.register), str(files.reference), "--out", str(again)]
    )
    assert result.exit_code == 0, result.output
    for name in PARQUET:
        assert (again / f"{name}.parquet").read_bytes() == (
            sample_run / f"{name}.parquet"
        ).read_bytes(), name


def test_crash_in_a_stage_leaves_no_run_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(run_module, "render_report", crash)
    files = sample_files()
    out = tmp_path / "runs" / "crashed"
    result = runner.invoke(
        app, ["reconcile", str(files.register), str(files.reference), "--out", str(out)]
    )
    assert result.exit_code != 0
    assert not out.exists()
    assert not any(out.parent.glob("*")) if out.parent.exists() else True


def test_explain_shows_the_waterfall_of_a_link(sample_run: Path) -> None:
    record_id = pl.read_parquet(sample_run / "links.parquet")["record_id"][0]
    result = runner.invoke(app, ["explain", str(sample_run), record_id])
    assert result.exit_code == 0, result.output
    assert "prior" in result.output and "match weight" in result.output


def test_review_accept_writes_a_label(sample_run: Path) -> None:
    review = pl.read_parquet(sample_run / "review.parquet")
    if review.is_empty():
        pytest.skip("sample run has an empty review queue")
    record_id, idnr = review.row(0)[:2]
    result = runner.invoke(
        app, ["review", "accept", str(sample_run), record_id, idnr, "--reason", "same birth name"]
    )
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(sample_run / "labels.parquet").height == 1


def test_a_record_is_accepted_for_one_idnr_only(
    sample_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    shutil.copytree(sample_run, run)
    review = pl.read_parquet(run / "review.parquet")
    if review.is_empty():
        pytest.skip("sample run has an empty review queue")
    record_id, first = review.row(0)[:2]
    second = "36574261809"  # a second candidate of the same record
    rival = review.head(1).with_columns(idnr=pl.lit(second), rank=pl.lit(2, dtype=pl.UInt32))
    pl.concat([review, rival]).write_parquet(run / "review.parquet")
    accept = ["review", "accept", str(run), record_id]
    assert runner.invoke(app, [*accept, first, "--reason", "paper file"]).exit_code == 0
    code, err = _main([*accept, second, "--reason", "also"], capsys)
    _assert_one_line_error(code, err)
    assert "already accepted for IDNr" in err
    labels = pl.read_parquet(run / "labels.parquet")
    assert labels.filter(pl.col("is_match"))["idnr"].to_list() == [first]


def test_review_with_a_tenant_decides_the_loaded_run_and_audits_it(
    sample_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = pl.read_parquet(sample_run / "review.parquet")
    if review.is_empty():
        pytest.skip("sample run has an empty review queue")
    run = tmp_path / "run"
    shutil.copytree(sample_run, run)
    monkeypatch.setenv("REGMOD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    get_settings.cache_clear()
    try:
        record_id, idnr = review.row(0)[:2]
        for argv in (
            ["db", "upgrade"],
            ["load", "--tenant", "14612000", "--run", str(run)],
            ["review", "reject", str(run), record_id, idnr, "--reason", "other birth date",
             "--tenant", "14612000"],
            ["audit", "verify", "--tenant", "14612000"],
        ):  # fmt: skip
            result = runner.invoke(app, argv)
            assert result.exit_code == 0, (argv, result.output)
        with Store(get_settings().database_url).read() as conn:
            kinds = [entry.kind for entry in read_entries(conn, "14612000")]
        assert kinds.count(EntryKind.REVIEW_DECISION) == 1
        assert kinds[-1] == EntryKind.REVIEW_DECISION
    finally:
        get_settings.cache_clear()


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    old = sys.argv
    sys.argv = ["regmod", *argv]
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.err


def _assert_one_line_error(code: int, err: str) -> None:
    assert code != 0
    assert "Traceback" not in err
    assert err.strip().startswith("error:")


def test_missing_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = sample_files().reference
    code, err = _main(
        ["reconcile", str(tmp_path / "nope.csv"), str(reference), "--out", str(tmp_path / "r")],
        capsys,
    )
    _assert_one_line_error(code, err)
    assert "nope.csv" in err


def test_empty_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, err = _main(
        ["reconcile", str(empty), str(sample_files().reference), "--out", str(tmp_path / "r")],
        capsys,
    )
    _assert_one_line_error(code, err)


def test_unmapped_columns_are_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("foo;bar\n1;2\n", encoding="utf-8")
    code, err = _main(
        ["reconcile", str(odd), str(sample_files().reference), "--out", str(tmp_path / "r")], capsys
    )
    _assert_one_line_error(code, err)


def test_wrong_encoding_override_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sample_files()
    code, err = _main(
        [
            "reconcile",
            str(files.register),
            str(files.reference),
            "--encoding",
            "klingon-8",
            "--out",
            str(tmp_path / "r"),
        ],
        capsys,
    )
    _assert_one_line_error(code, err)
