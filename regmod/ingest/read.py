"""Read one register file into accepted canonical records and quarantined rows with reasons."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from regmod.errors import InputError, RegmodError
from regmod.ingest.headers import recognise
from regmod.ingest.mapping import ColumnMapping, header_key
from regmod.ingest.quarantine import REASONS, date_range_reasons, quarantine_reasons
from regmod.ingest.readers import READ_PROBLEM, SOURCE_ROW, SourceTable, read_table
from regmod.normalize import normalise
from regmod.record import RAW_FIELDS, RECORD_ID, SOURCE_REGISTER, raw_column

EXTRA_COLUMNS = "extra_columns"
"""Text column: a JSON object of the file's unmapped headers and their values, carried through."""


@dataclass(frozen=True)
class IngestResult:
    """Accepted canonical records, quarantined rows with reasons, and how the file was read.

    ``shared_idnr`` lists rows whose IDNr another row holds too (in a reference all quarantined),
    so a run can report them instead of linking to one of them blindly.
    """

    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    rows_in: int
    encoding: str
    delimiter: str | None
    format: str
    mapping: str
    file: str
    column_mapping: ColumnMapping
    unmapped: tuple[str, ...]
    shared_idnr: pl.DataFrame
    utf8_lines: int = 0

    def summary(self) -> dict[str, object]:
        """Counts and reading facts for reports and the CLI."""
        return {
            "rows_in": self.rows_in,
            "accepted": self.accepted.height,
            "quarantined": self.quarantine.height,
            "format": self.format,
            "encoding": self.encoding,
            "utf8_lines": self.utf8_lines,
            "delimiter": self.delimiter,
            "mapping": self.mapping,
            "unmapped": list(self.unmapped),
            "shared_idnr_rows": self.shared_idnr.height,
        }


def read_register(
    path: Path | str,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    source_register: str | None = None,
    reference: bool = False,
) -> IngestResult:
    """Read a register extract (or, with ``reference``, the IDNr reference) into canonical
    records plus a quarantine frame.

    Without a mapping the headers are recognised (``regmod.ingest.headers``). A reference row
    without a valid IDNr, or sharing its IDNr with another row, is quarantined.
    """
    path = Path(path)
    file = str(path)
    table = read_table(path, encoding=encoding, delimiter=delimiter)
    if table.frame.height == 0:
        raise InputError("the file has a header but no data rows", file=file)
    chosen = (
        recognise(table.headers, file=file) if mapping is None else ColumnMapping.resolve(mapping)
    )
    bound = chosen.bind(table.headers, file=file)
    unmapped = chosen.unmapped(table.headers)
    canonical = _canonical(
        table, chosen, bound, unmapped, source_register or chosen.source_register
    )
    reasons = [pl.col(REASONS), date_range_reasons()]
    if reference:
        reasons.append(_reference_reasons())
    flagged = normalise(
        canonical.with_columns(quarantine_reasons(canonical, READ_PROBLEM))
    ).with_columns(pl.concat_list(reasons).alias(REASONS))
    is_bad = pl.col(REASONS).list.len() > 0
    accepted = flagged.filter(~is_bad).drop(REASONS, READ_PROBLEM)
    quarantine = flagged.filter(is_bad).select(
        pl.lit(file).alias("source_file"),
        pl.col(SOURCE_ROW).alias("source_row"),
        pl.col(REASONS).list.first().str.split(":").list.first().alias("field"),
        pl.col(REASONS).list.join("; ").alias("reason"),
        pl.col(RECORD_ID),
        *[raw_column(field) for field in RAW_FIELDS],
        pl.col(EXTRA_COLUMNS),
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
        file=file,
        column_mapping=chosen,
        unmapped=unmapped,
        shared_idnr=_shared_idnr(flagged),
        utf8_lines=table.utf8_lines,
    )


def _reference_reasons() -> pl.Expr:
    """A reference row is only of use with its own IDNr: none, or one shared, quarantines it."""
    idnr = pl.col("idnr")
    rows = pl.len().over(idnr)
    return pl.concat_list(
        pl.when(pl.col(raw_column("idnr")).is_null()).then(
            pl.lit("idnr: missing (every reference row needs one)")
        ),
        pl.when(idnr.is_not_null() & (rows > 1)).then(
            pl.format("idnr: held by {} rows of the reference, not linked blindly", rows)
        ),
    ).list.drop_nulls()


def _shared_idnr(normalised: pl.DataFrame) -> pl.DataFrame:
    """Rows whose valid IDNr another row holds too: IDNr, how many rows hold it, row, record id."""
    idnr = pl.col("idnr")
    rows = pl.len().over(idnr)
    return (
        normalised.filter(idnr.is_not_null() & (rows > 1))
        .select(
            idnr,
            rows.cast(pl.UInt32).alias("rows"),
            pl.col(SOURCE_ROW).alias("source_row"),
            pl.col(RECORD_ID),
        )
        .sort("idnr", "source_row")
    )


def _canonical(
    table: SourceTable,
    mapping: ColumnMapping,
    bound: dict[str, str],
    unmapped: tuple[str, ...],
    source_register: str,
) -> pl.DataFrame:
    """Rename mapped headers to ``<field>_raw`` (text, blanks as null), add record id and source;
    unmapped headers travel as one JSON text column."""
    by_field = {field: header for header, field in bound.items()}

    def text(header: str) -> pl.Expr:
        value = pl.col(header).cast(pl.String)
        return pl.when(value.str.strip_chars() == "").then(None).otherwise(value)

    def field_value(field: str) -> pl.Expr:
        if field not in by_field:
            return pl.lit(None, pl.String)
        header = by_field[field]
        if field == "postcode" and header in table.numeric:
            return _zero_padded(text(header))
        return text(header)

    if mapping.record_id is None:
        record_id = pl.format(
            f"{source_register}-{{}}", pl.col(SOURCE_ROW).cast(pl.String).str.zfill(8)
        )
    else:
        header = next(h for h in table.headers if header_key(h) == header_key(mapping.record_id))
        record_id = text(header).str.strip_chars()
    extra = (
        pl.struct(text(header).alias(header) for header in unmapped).struct.json_encode()
        if unmapped
        else pl.lit(None, pl.String)
    )
    return table.frame.select(
        record_id.alias(RECORD_ID),
        pl.lit(source_register).alias(SOURCE_REGISTER),
        pl.col(SOURCE_ROW),
        pl.col(READ_PROBLEM),
        *[field_value(field).alias(raw_column(field)) for field in RAW_FIELDS],
        extra.alias(EXTRA_COLUMNS),
    )


def _zero_padded(postcode: pl.Expr) -> pl.Expr:
    """A postcode stored as an integer (``1067``) with its leading zeros back (``01067``)."""
    return (
        pl.when(postcode.str.contains(r"^\d{1,4}$")).then(postcode.str.zfill(5)).otherwise(postcode)
    )
