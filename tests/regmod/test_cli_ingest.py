"""``regmod mapping init`` and ``regmod reconcile --dry-run``, and the one-line refusals of
damaged or swapped input with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from regmod.cli.app import app
from regmod.ingest import ColumnMapping
from regmod.reconcile.run import sample_files
from tests.regmod.test_cli_reconcile import _main

runner = CliRunner()

EXTRACT = (
    "Satz-ID;Name;Vorname(n);Geb.-Datum;Strasse;Bemerkung\n"
    "A-1;Meyer;Anna;01.02.1980;Weg;eilt\n"
    "A-2;Kühn;Ida;03.04.1990;Gasse;\n"
)


def succeeds(argv: list[str]) -> str:
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    return result.output


def one_line_error(code: int, err: str) -> str:
    assert code == 2
    assert "Traceback" not in err
    assert err.startswith("error:")
    assert err.strip().count("\n") == 0
    return err


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    path = tmp_path / "extract.csv"
    path.write_text(EXTRACT, encoding="utf-8")
    return path


def test_mapping_init_prints_toml_that_loads_as_the_recognised_mapping(
    extract: Path, tmp_path: Path
) -> None:
    out = succeeds(["mapping", "init", str(extract)])
    assert "# Headers carried through unmapped (in extra_columns): Bemerkung." in out
    written = tmp_path / "printed.toml"
    written.write_text(out, encoding="utf-8")
    mapping = ColumnMapping.load(written)
    assert mapping.record_id == "Satz-ID"
    assert mapping.columns == {
        "Name": "family_name",
        "Vorname(n)": "first_names",
        "Geb.-Datum": "birth_date",
        "Strasse": "street",
    }


def test_mapping_init_writes_a_file_and_never_overwrites_one(
    extract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "mapping.toml"
    assert "written to" in succeeds(["mapping", "init", str(extract), "--out", str(target)])
    assert ColumnMapping.load(target).record_id == "Satz-ID"
    code, err = _main(["mapping", "init", str(extract), "--out", str(target)], capsys)
    assert "already exists" in one_line_error(code, err)


def test_dry_run_prints_what_was_recognised_and_writes_nothing(
    extract: Path, tmp_path: Path
) -> None:
    mapping = tmp_path / "mapping.toml"
    succeeds(["mapping", "init", str(extract), "--out", str(mapping)])
    out_dir = tmp_path / "run"
    argv = ["reconcile", str(extract), str(sample_files().reference), "--dry-run"]
    out = succeeds([*argv, "--mapping", str(mapping), "--out", str(out_dir)])
    for shown in ("Satz-ID", "record id", "Vorname(n)", "first_names", "Bemerkung", "idnr"):
        assert shown in out
    assert "rows in 2: accepted 2, quarantined 0" in out
    assert not out_dir.exists()


def test_swapped_inputs_are_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sample_files()
    argv = ["reconcile", str(files.reference), str(files.register), "--out", str(tmp_path / "r")]
    code, err = _main(argv, capsys)
    assert "look swapped" in one_line_error(code, err)
    assert not (tmp_path / "r").exists()


def test_out_under_an_existing_file_is_a_one_line_error(
    extract: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    argv = ["reconcile", str(extract), str(sample_files().reference)]
    code, err = _main([*argv, "--out", str(blocker / "run")], capsys)
    assert "a file, not a directory" in one_line_error(code, err)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Satz-ID;Name;Name;Vorname\nA-1;Meyer;Meier;Anna\n", "row 1: a header repeats"),
        (
            "Satz-ID;Name;Vorname;Geb.-Datum\nA-1;Meyer;Anna;31.02.1980\n",
            "all 1 rows are quarantined",
        ),
        ('Satz-ID;Name;Vorname\nA-1;"Meyer;Anna\nA-2;Kühn;Ida\n', "row 1: a quote opens on line 2"),
    ],
    ids=["duplicated_header", "all_rows_quarantined", "unclosed_quote"],
)
def test_damaged_register_is_a_one_line_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "damaged.csv"
    path.write_text(text, encoding="utf-8")
    argv = ["reconcile", str(path), str(sample_files().reference), "--out", str(tmp_path / "r")]
    code, err = _main(argv, capsys)
    line = one_line_error(code, err)
    assert str(path) in line and message in line


def test_headers_in_brackets_are_printed_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("[bold];[Name]\n1;2\n", encoding="utf-8")
    argv = ["reconcile", str(path), str(sample_files().reference), "--out", str(tmp_path / "r")]
    code, err = _main(argv, capsys)
    assert "['[bold]', '[Name]']" in one_line_error(code, err)


def test_dry_run_lists_the_most_common_quarantine_reasons(extract: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.csv"
    damaged.write_text(EXTRACT + "A-3;Roth;Eva;31.02.1980;Weg;\n", encoding="utf-8")
    out = succeeds(["reconcile", str(damaged), str(sample_files().reference), "--dry-run"])
    assert "quarantined 1: birth_date: impossible date '31.02.1980'" in out


def test_mapping_init_writes_an_incomplete_mapping_with_a_warning_naming_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partial.csv"
    path.write_text("Kennung;Nachname;Bemerkung\n", encoding="utf-8")
    target = tmp_path / "mapping.toml"
    code, err = _main(["mapping", "init", str(path), "--out", str(target)], capsys)
    assert code == 0
    assert "no header of" in err and "record_id, first_names or birth_date" in err
    mapping = ColumnMapping.load(target)
    assert (mapping.record_id, mapping.columns) == (None, {"Nachname": "family_name"})
    assert "carried through unmapped (in extra_columns): Kennung, Bemerkung." in target.read_text()
