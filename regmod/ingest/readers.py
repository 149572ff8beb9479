"""Read a register file (CSV, Parquet, JSON lines) into a frame of its own columns, all as text.

Every reader adds ``SOURCE_ROW`` (1-based data-row number) and ``READ_PROBLEM`` (why a row could
not be read as a whole, else null); the column mapping turns the rest into canonical fields.
Headers that repeat (loosely: ``Name`` and ``NAME``) are refused, since which column wins is
unclear; a CSV column without a header is named by its position, or dropped when it holds
nothing (trailing delimiters). A nested value (list or object) quarantines its row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from regmod.errors import InputError
from regmod.ingest.csv_layout import QUOTE, record_layout, sniff_delimiter
from regmod.ingest.encoding import REPLACEMENT, UTF8, UTF8_BOM, DecodedText, decode
from regmod.ingest.mapping import header_key
from regmod.ingest.spreadsheet import may_hold_escaped_cells, unescape_formula

SOURCE_ROW = "__source_row"
READ_PROBLEM = "__read_problem"

_PARQUET_MAGIC = b"PAR1"
_ZIP_MAGIC = b"PK\x03\x04"
_JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_LONE_CR = re.compile(r"\r(?!\n)")
_JSON_ARRAY = re.compile(r"\s*\[\s*[{\]]")
_NESTED = (pl.List, pl.Array, pl.Struct, pl.Object, pl.Binary)


@dataclass(frozen=True)
class SourceTable:
    """A register file as read: its ``headers`` in file order and a frame holding them as text.

    ``numeric`` names the columns that held numbers (Parquet integer columns, JSON numbers), so a
    postcode read as an integer can get its leading zero back.
    """

    frame: pl.DataFrame
    headers: tuple[str, ...]
    format: str
    encoding: str
    delimiter: str | None
    lossy: bool
    numeric: frozenset[str] = field(default_factory=frozenset)
    utf8_lines: int = 0


def read_table(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None
) -> SourceTable:
    """Read ``path`` by its content (Parquet magic bytes, JSON-lines suffix or ``{``, else CSV)."""
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except IsADirectoryError:
        raise InputError("a directory, not a file", file=file) from None
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", file=file) from None
    if not data.strip():
        raise InputError("the file is empty; a header line and data rows are needed", file=file)
    if data.startswith(_PARQUET_MAGIC) or path.suffix.lower() in _PARQUET_SUFFIXES:
        return _read_parquet(path)
    if data.startswith(_ZIP_MAGIC):
        raise InputError(
            "a ZIP archive or Excel workbook, not a table; save the sheet as CSV (UTF-8) or "
            "Parquet",
            file=file,
        )
    if b"\x00" in data[:4096]:
        raise InputError(
            "binary content, not a text table (CSV, Parquet or JSON lines; UTF-16 is not supported)",
            file=file,
        )
    decoded = decode(data, encoding, file=file)
    if _JSON_ARRAY.match(decoded.text):
        raise InputError(
            "a JSON array; write one JSON object per line (JSON lines) instead", file=file, row=1
        )
    if path.suffix.lower() in _JSON_LINES_SUFFIXES or decoded.text.lstrip().startswith("{"):
        return _read_json_lines(decoded, file)
    return _read_csv(data, decoded, delimiter, file)


def check_headers(headers: Iterable[str], *, file: str) -> None:
    """Refuse a header that occurs twice, also in another spelling (``Straße``/``STRASSE``)."""
    columns: dict[str, list[tuple[int, str]]] = {}
    for position, header in enumerate(headers, start=1):
        columns.setdefault(header_key(header), []).append((position, header))
    repeated = [places for places in columns.values() if len(places) > 1]
    if repeated:
        described = "; ".join(
            " and ".join(f"{header!r} in column {position}" for position, header in places)
            for places in repeated
        )
        raise InputError(
            f"a header repeats ({described}); which column holds the value is unclear: "
            "rename or remove one",
            file=file,
            row=1,
        )


def _read_csv(data: bytes, decoded: DecodedText, delimiter: str | None, file: str) -> SourceTable:
    text = _LONE_CR.sub("\n", decoded.text)
    if delimiter is not None and len(delimiter) != 1:
        raise InputError(f"the delimiter must be one character, not {delimiter!r}", file=file)
    separator = delimiter or sniff_delimiter(text, file=file)
    written = next(csv.reader(io.StringIO(text), delimiter=separator))
    if any(REPLACEMENT in header for header in written):
        raise InputError(
            f"the header line holds bytes that are not {decoded.encoding}; pass the right encoding",
            file=file,
            row=1,
        )
    headers = tuple(
        header if header.strip() else f"column {position}"
        for position, header in enumerate(written, start=1)
    )
    check_headers(headers, file=file)
    layout = record_layout(text, separator)
    header, records = layout.row(0, named=True), layout.slice(1)
    _check_quotes(layout, file)
    source = _csv_bytes(data, decoded, text)
    try:
        values = pl.read_csv(
            source,
            separator=separator,
            quote_char=QUOTE,
            has_header=True,
            new_columns=list(headers),
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as error:
        first_line = str(error).splitlines()[0]
        raise InputError(f"not a readable CSV table: {first_line}", file=file) from None
    if records.height != values.height:
        raise InputError(
            f"quoting is unbalanced: {records.height} records by line breaks and quotes, "
            f"{values.height} by the CSV parser; check quote characters in the values",
            file=file,
        )
    values = _without_empty_unnamed(values, written)
    headers = tuple(values.columns)
    expected = header["fields"]
    problem = (
        pl.when(pl.col("blank"))
        .then(pl.format("line {} is empty", "line"))
        .when(pl.col("fields") != expected)
        .then(pl.format(f"line {{}} has {{}} fields, the header has {expected}", "line", "fields"))
    )
    if may_hold_escaped_cells(text):
        values = values.with_columns(unescape_formula(pl.col(name)) for name in values.columns)
    frame = values.with_columns(
        pl.int_range(1, values.height + 1, dtype=pl.UInt32).alias(SOURCE_ROW),
        records.select(problem.alias(READ_PROBLEM)).to_series(),
    )
    return SourceTable(
        frame,
        headers,
        "csv",
        decoded.encoding,
        separator,
        decoded.lossy,
        utf8_lines=decoded.utf8_lines,
    )


def _without_empty_unnamed(values: pl.DataFrame, written: list[str]) -> pl.DataFrame:
    """Drop columns that have no header and hold nothing (what trailing delimiters leave)."""
    empty = [
        name
        for name, header in zip(values.columns, written, strict=True)
        if not header.strip() and values[name].str.strip_chars().fill_null("").eq("").all()
    ]
    return values.drop(empty)


def _check_quotes(layout: pl.DataFrame, file: str) -> None:
    """Refuse quoting the parser cannot read, naming the data row (the header is row 1's line 1)."""
    for column, what in (
        ("open_quote", "a quote opens on line {} and never closes"),
        ("stray_quote", "a quoted value on line {} goes on after its closing quote"),
    ):
        bad = layout.with_row_index("row").filter(pl.col(column))
        if bad.height:
            row, line = bad.select("row", "line").row(0)
            raise InputError(
                what.format(line) + "; check the quote characters", file=file, row=max(row, 1)
            )


def _csv_bytes(data: bytes, decoded: DecodedText, text: str) -> bytes:
    """UTF-8 bytes for the parser: the file's own where they already are, else re-encoded."""
    if text is decoded.text and not decoded.lossy and decoded.utf8_lines == 0:
        if decoded.encoding == UTF8_BOM:
            return data[3:]
        if decoded.encoding == UTF8:
            return data
    return text.encode(UTF8)


def _read_parquet(path: Path) -> SourceTable:
    file = str(path)
    try:
        values = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as error:
        first_line = str(error).splitlines()[0]
        raise InputError(f"not a readable Parquet file: {first_line}", file=file) from None
    if values.height == 0:
        raise InputError("the file has a header but no data rows", file=file)
    check_headers(values.columns, file=file)
    nested = [name for name, dtype in values.schema.items() if isinstance(dtype, _NESTED)]
    numeric = frozenset(name for name, dtype in values.schema.items() if dtype.is_numeric())
    problem = (
        pl.coalesce(
            pl.when(pl.col(name).is_not_null()).then(
                pl.lit(f"field {name!r} holds a nested value (list, object or bytes)")
            )
            for name in nested
        )
        if nested
        else pl.lit(None, pl.String)
    )
    frame = values.select(
        *(
            pl.lit(None, pl.String).alias(name)
            if name in nested
            else _as_text(pl.col(name), dtype).alias(name)
            for name, dtype in values.schema.items()
        ),
        pl.int_range(1, values.height + 1, dtype=pl.UInt32).alias(SOURCE_ROW),
        problem.alias(READ_PROBLEM),
    )
    return SourceTable(frame, tuple(values.columns), "parquet", "binary", None, False, numeric)


def _as_text(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A typed Parquet column as text: a timestamp as its date (register dates have no time), a
    whole float as an integer (``1067.0`` → ``1067``: integer columns with gaps become floats)."""
    if isinstance(dtype, pl.Datetime):
        return value.dt.date().cast(pl.String)
    if dtype.is_float():
        whole = value.is_finite() & (value == value.round())
        return (
            pl.when(whole)
            .then(value.cast(pl.Int64).cast(pl.String))
            .otherwise(value.cast(pl.String))
        )
    return value.cast(pl.String)


def _read_json_lines(decoded: DecodedText, file: str) -> SourceTable:
    """One JSON object per line; numbers become text, a nested value quarantines its row."""
    objects = [
        (number, _json_object(line, file, row=number))
        for number, line in enumerate(decoded.text.splitlines(), start=1)
        if line.strip()
    ]
    keys = list(dict.fromkeys(key for _, value in objects for key in value))
    check_headers(keys, file=file)
    numeric = frozenset(
        key
        for _, value in objects
        for key, item in value.items()
        if isinstance(item, int | float) and not isinstance(item, bool)
    )
    columns = {key: [_json_text(value.get(key)) for _, value in objects] for key in keys}
    problems = [
        next(
            (
                f"line {number}: field {key!r} holds a nested value (list or object)"
                for key, item in value.items()
                if isinstance(item, dict | list)
            ),
            None,
        )
        for number, value in objects
    ]
    frame = pl.DataFrame(
        {
            **columns,
            SOURCE_ROW: pl.Series(range(1, len(objects) + 1), dtype=pl.UInt32),
            READ_PROBLEM: pl.Series(problems, dtype=pl.String),
        },
        schema_overrides=dict.fromkeys(keys, pl.String),
    )
    return SourceTable(frame, tuple(keys), "jsonl", decoded.encoding, None, decoded.lossy, numeric)


def _json_object(line: str, file: str, *, row: int) -> dict[str, object]:
    try:
        value = json.loads(line, object_pairs_hook=_pairs)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON: {error.msg}", file=file, row=row) from None
    except _RepeatedKeyError as repeated:
        raise InputError(
            f"the key {repeated.key!r} occurs twice in one object; which value holds is unclear",
            file=file,
            row=row,
        ) from None
    if not isinstance(value, dict) or not value:
        raise InputError(
            "JSON lines need one object with named values per line", file=file, row=row
        )
    return {str(key): item for key, item in value.items()}


class _RepeatedKeyError(Exception):
    """A key that occurs twice in one JSON object."""

    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object, refusing a key that occurs twice (``json`` would keep the last silently)."""
    value = dict(pairs)
    if len(value) < len(pairs):
        keys = [key for key, _ in pairs]
        raise _RepeatedKeyError(next(key for key in keys if keys.count(key) > 1))
    return value


def _json_text(value: object) -> str | None:
    """A JSON value as register text: strings as they are, numbers and booleans as written
    (a whole float without its ``.0``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
