"""Read a register file (CSV, Parquet, JSON lines) into a frame of its own columns, all as read.

Every reader adds ``SOURCE_ROW`` (1-based data-row number) and ``READ_PROBLEM`` (why a row could
not be read as a whole, else null); the column mapping turns the rest into canonical fields.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from regmod.errors import InputError
from regmod.ingest.csv_layout import QUOTE, record_layout, sniff_delimiter
from regmod.ingest.encoding import REPLACEMENT, UTF8, UTF8_BOM, DecodedText, decode

SOURCE_ROW = "__source_row"
READ_PROBLEM = "__read_problem"

_PARQUET_MAGIC = b"PAR1"
_JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
_PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class SourceTable:
    """A register file as read: its ``headers`` in file order and a frame holding them as text."""

    frame: pl.DataFrame
    headers: tuple[str, ...]
    format: str
    encoding: str
    delimiter: str | None
    lossy: bool


def read_table(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> SourceTable:
    """Read ``path`` by its content (Parquet magic bytes, JSON-lines suffix or ``{``, else CSV)."""
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", file=file) from None
    if not data.strip():
        raise InputError("the file is empty; a header line and data rows are needed", file=file)
    if data.startswith(_PARQUET_MAGIC) or path.suffix.lower() in _PARQUET_SUFFIXES:
        return _read_parquet(path)
    if b"\x00" in data[:4096]:
        raise InputError(
            "binary content, not a text table (CSV, Parquet or JSON lines; UTF-16 is not supported)",
            file=file,
        )
    decoded = decode(data, encoding, file=file)
    if path.suffix.lower() in _JSON_LINES_SUFFIXES or decoded.text.lstrip().startswith("{"):
        return _read_json_lines(decoded, file)
    return _read_csv(data, decoded, delimiter, file)


def _read_csv(data: bytes, decoded: DecodedText, delimiter: str | None, file: str) -> SourceTable:
    text = decoded.text
    if delimiter is not None and len(delimiter) != 1:
        raise InputError(f"the delimiter must be one character, not {delimiter!r}", file=file)
    separator = delimiter or sniff_delimiter(text, file=file)
    headers = tuple(next(csv.reader(io.StringIO(text), delimiter=separator)))
    if any(REPLACEMENT in header for header in headers):
        raise InputError(
            f"the header line holds bytes that are not {decoded.encoding}; pass the right encoding",
            file=file,
            row=1,
        )
    source: bytes = (
        data[3:]
        if decoded.encoding == UTF8_BOM and not decoded.lossy
        else data
        if decoded.encoding == UTF8 and not decoded.lossy
        else text.encode(UTF8)
    )
    try:
        values = pl.read_csv(
            source,
            separator=separator,
            quote_char=QUOTE,
            has_header=True,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as error:
        raise InputError(f"not a readable CSV table: {error}", file=file) from None
    values = values.rename(dict(zip(values.columns, _unique_names(headers), strict=True)))
    layout = record_layout(text, separator)
    header, records = layout.row(0, named=True), layout.slice(1)
    if records.height != values.height:
        raise InputError(
            f"quoting is unbalanced: {records.height} records by line breaks and quotes, "
            f"{values.height} by the CSV parser; check quote characters in the values",
            file=file,
        )
    expected = header["fields"]
    problem = (
        pl.when(pl.col("blank"))
        .then(pl.format("line {} is empty", "line"))
        .when(pl.col("fields") != expected)
        .then(pl.format(f"line {{}} has {{}} fields, the header has {expected}", "line", "fields"))
    )
    frame = values.with_columns(
        pl.int_range(1, values.height + 1, dtype=pl.UInt32).alias(SOURCE_ROW),
        records.select(problem.alias(READ_PROBLEM)).to_series(),
    )
    return SourceTable(frame, headers, "csv", decoded.encoding, separator, decoded.lossy)


def _unique_names(headers: tuple[str, ...]) -> list[str]:
    """Column names for the frame: headers as written, a position suffix only on repeats."""
    seen: set[str] = set()
    names = []
    for position, header in enumerate(headers):
        names.append(header if header not in seen else f"{header}#{position + 1}")
        seen.add(header)
    return names


def _read_parquet(path: Path) -> SourceTable:
    try:
        values = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InputError(f"not a readable Parquet file: {error}", file=str(path)) from None
    return _structured(values, "parquet", "binary")


def _read_json_lines(decoded: DecodedText, file: str) -> SourceTable:
    lines = decoded.text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    keys = _json_object_keys(first, file, row=lines.index(first) + 1)
    try:
        values = pl.read_ndjson(
            io.BytesIO(decoded.text.encode(UTF8)), schema=dict.fromkeys(keys, pl.String)
        )
    except pl.exceptions.PolarsError:
        row = next(
            number
            for number, line in enumerate(lines, start=1)
            if line.strip() and not _is_json_object(line)
        )
        raise InputError("not a JSON object on this line", file=file, row=row) from None
    return _structured(values, "jsonl", decoded.encoding, lossy=decoded.lossy)


def _json_object_keys(line: str, file: str, *, row: int) -> list[str]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not value:
        raise InputError(
            "JSON lines need one object with named values per line", file=file, row=row
        )
    return [str(key) for key in value]


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _structured(
    values: pl.DataFrame, format: str, encoding: str, *, lossy: bool = False
) -> SourceTable:
    frame = values.with_columns(
        pl.int_range(1, values.height + 1, dtype=pl.UInt32).alias(SOURCE_ROW),
        pl.lit(None, dtype=pl.String).alias(READ_PROBLEM),
    )
    return SourceTable(frame, tuple(values.columns), format, encoding, None, lossy)
