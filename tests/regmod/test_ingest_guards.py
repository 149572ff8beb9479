"""Guards a register office relies on: swapped inputs, references without a usable IDNr, one
IDNr on two reference rows, and exported cells a spreadsheet would run as formulas."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regmod.errors import InputError
from regmod.ingest import read_inputs, read_register
from regmod.ingest.spreadsheet import escape_formula, unescape_formula
from regmod.reconcile.run import sample_files
from regmod.reconcile.rundir import write_table

VALID = ("36574261809", "48315796019", "28650719407")
REGISTER = "Satz-ID;Name;Vorname;Geb.-Datum\nA-1;Meyer;Anna;01.02.1980\nA-2;Kühn;Ida;03.04.1990\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reference_text(*idnrs: str) -> str:
    rows = [f"{number};{idnr};Meyer;Anna;01.02.1980" for number, idnr in enumerate(idnrs, 1)]
    return "\n".join(["lfd. Nr.;IdNr;Name;Vorname;Geb.-Datum", *rows, ""])


def test_swapped_register_and_reference_are_refused_as_swapped() -> None:
    files = sample_files()
    with pytest.raises(InputError, match="register and reference look swapped") as refusal:
        read_inputs(files.reference, files.register)
    assert str(refusal.value).startswith(f"file {files.register}, row 1:")


def test_a_reference_without_an_idnr_column_is_refused(tmp_path: Path) -> None:
    register = write(tmp_path, "register.csv", REGISTER)
    reference = write(tmp_path, "reference.csv", REGISTER)
    with pytest.raises(InputError, match="the reference has no IDNr column"):
        read_inputs(register, reference)


def test_reference_rows_without_a_valid_idnr_are_quarantined(tmp_path: Path) -> None:
    path = write(tmp_path, "reference.csv", reference_text(VALID[0], "", "36574261808"))
    result = read_register(path, reference=True)
    assert result.accepted["idnr"].to_list() == [VALID[0]]
    reasons = result.quarantine.sort("source_row")["reason"].to_list()
    assert reasons == ["idnr: missing (every reference row needs one)", "idnr: check digit wrong"]


def test_a_register_row_without_an_idnr_is_no_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "register.csv", reference_text(VALID[0], ""))
    assert read_register(path).accepted.height == 2


def test_reference_rows_sharing_one_idnr_are_listed_and_none_is_linkable(tmp_path: Path) -> None:
    path = write(tmp_path, "reference.csv", reference_text(VALID[0], VALID[1], VALID[0]))
    result = read_register(path, reference=True)
    assert result.accepted["idnr"].to_list() == [VALID[1]]
    assert result.shared_idnr.rows() == [(VALID[0], 2, 1, "1"), (VALID[0], 2, 3, "3")]
    assert set(result.quarantine["reason"]) == {
        "idnr: held by 2 rows of the reference, not linked blindly"
    }


def test_one_idnr_written_two_ways_is_still_shared(tmp_path: Path) -> None:
    path = write(tmp_path, "reference.csv", reference_text(VALID[0], "36 574 261 809"))
    result = read_register(path, reference=True)
    assert result.accepted.is_empty()
    assert result.shared_idnr["idnr"].to_list() == [VALID[0], VALID[0]]


def test_sample_reference_passes_every_guard() -> None:
    files = sample_files()
    register, reference = read_inputs(files.register, files.reference)
    assert reference.quarantine.height == 0
    assert reference.shared_idnr.is_empty()
    assert register.accepted.height > 0


@given(st.text())
def test_formula_escape_is_undone_exactly(text: str) -> None:
    frame = pl.DataFrame({"cell": [text]})
    escaped = frame.select(escape_formula(pl.col("cell"))).item()
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert frame.select(unescape_formula(pl.lit(escaped))).item() == text


def test_exported_csv_cells_are_escaped_and_read_back_as_written(tmp_path: Path) -> None:
    cells = {"Bemerkung": '=HYPERLINK("http://x")', "Aktenzeichen": "-12", "Notiz": "@A1"}
    frame = pl.DataFrame(
        {
            "Satz-ID": ["A-1"],
            "Name": ["Meyer"],
            "Vorname": ["Anna"],
            **{k: [v] for k, v in cells.items()},
        }
    )
    write_table(tmp_path, "export", frame, csv=True)
    text = (tmp_path / "export.csv").read_text("utf-8")
    assert "'=HYPERLINK" in text and ",'-12," in text and "'@A1" in text
    extra = json.loads(read_register(tmp_path / "export.csv").accepted["extra_columns"].item())
    assert extra == cells
