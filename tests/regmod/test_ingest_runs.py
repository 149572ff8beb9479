"""Whole runs on an extract no preset fits (``Satz-ID``, no nationality, no degree, an unknown
column), clean and damaged: rows in = linked + review + unmatched + quarantined, or a refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from regmod.errors import InputError
from regmod.ingest import read_inputs
from regmod.reconcile.run import RunRequest, reconcile, sample_files

ROWS = 1000
RENAMED = {
    "Ordnungsmerkmal": "Satz-ID",
    "Familienname": "Name",
    "Vornamen": "Vorname(n)",
    "Geburtsdatum": "Geb.-Datum",
    "Geburtsort": "Geb.-Ort",
    "Straße": "Strasse",
    "Hausnummer": "Hausnr.",
    "Ort": "Wohnort",
}


@pytest.fixture(scope="module")
def extract() -> pl.DataFrame:
    """The first rows of the sample register as another register program would write them."""
    register = pl.read_csv(
        sample_files().register, separator=";", encoding="cp1252", infer_schema=False
    )
    return (
        register.head(ROWS)
        .drop("Staatsangehörigkeit", "Titel")
        .rename(RENAMED)
        .with_columns(Bemerkung=pl.lit("Akte 7"))
    )


def as_csv(frame: pl.DataFrame, extra_lines: tuple[str, ...] = (), end: str = "\n") -> bytes:
    text = frame.write_csv(separator=";", line_terminator="\n") + "".join(
        line + "\n" for line in extra_lines
    )
    return text.replace("\n", end).encode("utf-8")


def future_births(frame: pl.DataFrame) -> bytes:
    shifted = frame.with_columns(
        pl.when(pl.int_range(pl.len()) < 3)
        .then(pl.lit("00.00.2999"))
        .otherwise(pl.col("Geb.-Datum"))
        .alias("Geb.-Datum")
    )
    return as_csv(shifted)


def write_parquet_with_integer_postcodes(frame: pl.DataFrame, path: Path) -> None:
    frame.with_columns(pl.col("PLZ").cast(pl.Int32)).write_parquet(path)


RAGGED = "R99999998;Meyer;Anna"
EMPTY = ""
Writer = Callable[[pl.DataFrame, Path], None]
WRITERS: dict[str, tuple[Writer, str, int, int]] = {
    "clean_extract": (lambda frame, path: path.write_bytes(as_csv(frame)), ".csv", ROWS, 4),
    "cr_only_line_endings": (
        lambda frame, path: path.write_bytes(as_csv(frame, end="\r")),
        ".csv",
        ROWS,
        4,
    ),
    "ragged_and_empty_lines": (
        lambda frame, path: path.write_bytes(as_csv(frame, (RAGGED, EMPTY))),
        ".csv",
        ROWS + 2,
        6,
    ),
    "birth_dates_in_the_future": (
        lambda frame, path: path.write_bytes(future_births(frame)),
        ".csv",
        ROWS,
        7,
    ),
    "parquet_with_integer_postcodes": (write_parquet_with_integer_postcodes, ".parquet", ROWS, 4),
}
"""Per kind of damage: how the extract is written, rows in and rows quarantined."""


@pytest.mark.parametrize(
    ("write", "suffix", "rows_in", "quarantined"), WRITERS.values(), ids=WRITERS.keys()
)
def test_every_row_of_a_damaged_extract_is_linked_reviewed_unmatched_or_quarantined(
    tmp_path: Path,
    extract: pl.DataFrame,
    write: Writer,
    suffix: str,
    rows_in: int,
    quarantined: int,
) -> None:
    path = tmp_path / f"extract{suffix}"
    write(extract, path)
    result = reconcile(
        RunRequest(register=path, reference=sample_files().reference, out=tmp_path / "run")
    )
    counts = result.manifest.counts
    assert (counts.rows_in, counts.quarantined) == (rows_in, quarantined)
    assert counts.rows_in == counts.linked + counts.review + counts.unmatched + counts.quarantined
    assert counts.linked > 0.9 * ROWS


def test_recognised_extract_links_as_well_as_the_preset_it_was_renamed_from(
    tmp_path: Path, extract: pl.DataFrame
) -> None:
    files = sample_files()
    renamed = tmp_path / "extract.csv"
    renamed.write_bytes(as_csv(extract))
    original = tmp_path / "original.csv"
    pl.read_csv(files.register, separator=";", encoding="cp1252", infer_schema=False).head(
        ROWS
    ).write_csv(original, separator=";")
    runs = [
        reconcile(RunRequest(register=path, reference=files.reference, out=tmp_path / path.stem))
        for path in (renamed, original)
    ]
    links = [
        pl.read_parquet(run.run_dir / "links.parquet").select("record_id", "idnr") for run in runs
    ]
    assert links[0].sort("record_id").equals(links[1].sort("record_id"))
    records = pl.read_parquet(runs[0].run_dir / "records.parquet")
    assert records["extra_columns"].unique().to_list() == ['{"Bemerkung":"Akte 7"}']
    assert records["nationality"].null_count() == records.height


def test_an_input_whose_rows_are_all_quarantined_is_refused_with_the_reasons(
    tmp_path: Path, extract: pl.DataFrame
) -> None:
    path = tmp_path / "all_bad.csv"
    path.write_bytes(as_csv(extract.head(5).with_columns(pl.lit("31.02.1980").alias("Geb.-Datum"))))
    with pytest.raises(InputError) as refusal:
        read_inputs(path, sample_files().reference)
    message = str(refusal.value)
    assert message.startswith(f"file {path}: all 5 rows are quarantined")
    assert """"birth_date: impossible date '31.02.1980'" (5 rows)""" in message
    assert "random pairs" not in message
