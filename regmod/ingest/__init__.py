"""Register ingest: read a file, map its headers to canonical fields, quarantine unusable rows.

>>> result = read_register("fixtures/sample/register.csv")  # doctest: +SKIP
>>> result.rows_in == result.accepted.height + result.quarantine.height  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from regmod.errors import InputError, RegmodError
from regmod.ingest.mapping import PRESETS, ColumnMapping, detect_preset, header_key
from regmod.ingest.quarantine import REASONS, quarantine_reasons
from regmod.ingest.readers import READ_PROBLEM, SOURCE_ROW, SourceTable, read_table
from regmod.normalize import normalise
from regmod.record import RAW_FIELDS, RECORD_ID, SOURCE_REGISTER, raw_column

__all__ = ["PRESETS", "ColumnMapping", "IngestResult", "header_key", "read_register"]

QUARANTINE_COLUMNS = ("source_file", "source_row", "field", "reason")


@dataclass(frozen=True)
class IngestResult:
    """Accepted canonical records, quarantined rows with reasons, and how the file was read."""

    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int
    encoding: str
    delimiter: str | None
    format: str
    mapping: str

    def summary(self) -> dict[str, object]:
        """Counts and reading facts for reports and the CLI."""
        return {
            "rows_in": self.rows_in,
            "accepted": self.accepted.height,
            "quarantined": self.quarantine.height,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "mapping": self.mapping,
        }


def read_register(
    path: Path | str,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    source_register: str | None = None,
) -> IngestResult:
    """Read a register extract or reference into canonical records plus a quarantine frame."""
    path = Path(path)
    file = str(path)
    table = read_table(path, encoding=encoding, delimiter=delimiter)
    if table.frame.height == 0:
        raise InputError("the file has a header but no data rows", file=file)
    chosen = (
        detect_preset(table.headers, file=file)
        if mapping is None
        else ColumnMapping.resolve(mapping)
    )
    canonical = _canonical(table, chosen, source_register or chosen.source_register, file)
    flagged = canonical.with_columns(quarantine_reasons(canonical, READ_PROBLEM))
    is_bad = pl.col(REASONS).list.len() > 0
    accepted = normalise(flagged.filter(~is_bad).drop(REASONS, READ_PROBLEM))
    quarantine = flagged.filter(is_bad).select(
        pl.lit(file).alias("source_file"),
        pl.col(SOURCE_ROW).alias("source_row"),
        pl.col(REASONS).list.first().str.split(":").list.first().alias("field"),
        pl.col(REASONS).list.join("; ").alias("reason"),
        pl.col(RECORD_ID),
        *[raw_column(field) for field in RAW_FIELDS],
    )
    rows_in = table.frame.height
    if accepted.height + quarantine.height != rows_in:
        raise RegmodError(
            f"{file}: {rows_in} rows read but {accepted.height} accepted and "
            f"{quarantine.height} quarantined; no row may be lost"
        )
    return IngestResult(
        accepted=accepted.rename({SOURCE_ROW: "source_row"}),
        quarantine=quarantine,
        rows_in=rows_in,
        encoding=table.encoding,
        delimiter=table.delimiter,
        format=table.format,
        mapping=chosen.name,
    )


def _canonical(
    table: SourceTable, mapping: ColumnMapping, source_register: str, file: str
) -> pl.DataFrame:
    """Rename mapped headers to ``<field>_raw`` (text, blanks as null), add record id and source."""
    bound = mapping.bind(table.headers, file=file)
    by_field = {field: header for header, field in bound.items()}

    def text(header: str) -> pl.Expr:
        value = pl.col(header).cast(pl.String)
        return pl.when(value.str.strip_chars() == "").then(None).otherwise(value)

    if mapping.record_id is None:
        record_id = pl.format(
            f"{source_register}-{{}}", pl.col(SOURCE_ROW).cast(pl.String).str.zfill(8)
        )
    else:
        header = next(h for h in table.headers if header_key(h) == header_key(mapping.record_id))
        record_id = text(header).str.strip_chars()
    return table.frame.select(
        record_id.alias(RECORD_ID),
        pl.lit(source_register).alias(SOURCE_REGISTER),
        pl.col(SOURCE_ROW),
        pl.col(READ_PROBLEM),
        *[
            (text(by_field[field]) if field in by_field else pl.lit(None, pl.String)).alias(
                raw_column(field)
            )
            for field in RAW_FIELDS
        ],
    )
