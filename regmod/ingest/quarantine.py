"""Which rows cannot be used, and why: the quarantine rules applied after mapping.

A row is quarantined when it could not be read whole (ragged or empty line, undecodable bytes),
has no or a repeated record id, or a raw value that makes the record unusable for linkage: no
family name, an impossible or unreadable birth or death date, a date in the future or before
``EARLIEST_YEAR``, a malformed IDNr. Other problems (an odd postcode or sex code) only leave that
field empty.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from regmod.ingest.encoding import REPLACEMENT
from regmod.normalize import problems
from regmod.record import RAW_FIELDS, RECORD_ID, raw_column

REASONS = "__reasons"
QUARANTINE_FIELDS = ("family_name", "birth_date", "death_date", "idnr")
"""Fields whose problems (as reported by ``regmod.normalize.problems``) quarantine a row."""
EARLIEST_YEAR = 1880
"""No living register entry was born before this year; an earlier date is a typing error."""
DATE_FIELDS = ("birth_date", "death_date")


def quarantine_reasons(frame: pl.DataFrame, read_problem: str) -> pl.Expr:
    """A ``list[str]`` of reasons per row, ``"<field>: <what>"``; empty when the row is usable."""
    raw_values = [
        column
        for column in (RECORD_ID, *(raw_column(field) for field in RAW_FIELDS))
        if column in frame.columns
    ]
    damaged = pl.any_horizontal(
        [
            pl.col(column).str.contains(REPLACEMENT, literal=True).fill_null(False)
            for column in raw_values
        ]
    )
    record_id = pl.col(RECORD_ID)
    repeated = record_id.is_not_null() & (pl.int_range(pl.len()).over(RECORD_ID) > 0)
    value_reasons = problems(frame).list.eval(
        pl.element().filter(
            pl.any_horizontal(
                [pl.element().str.starts_with(f"{field}:") for field in QUARANTINE_FIELDS]
            )
        )
    )
    row_reasons = pl.concat_list(
        [
            pl.when(pl.col(read_problem).is_not_null()).then(
                pl.lit("row: ") + pl.col(read_problem)
            ),
            pl.when(damaged).then(pl.lit("row: bytes not valid in the file's encoding")),
            pl.when(record_id.is_null()).then(pl.lit("record_id: missing")),
            pl.when(repeated).then(pl.lit("record_id: repeats an earlier row")),
        ]
    ).list.drop_nulls()
    return pl.concat_list([row_reasons, value_reasons]).alias(REASONS)


def date_range_reasons(today: date | None = None) -> pl.Expr:
    """Reasons for birth or death dates out of range, from a normalised frame's date parts."""
    return pl.concat_list(
        [_date_out_of_range(field, today or date.today()) for field in DATE_FIELDS]
    ).list.drop_nulls()


def _date_out_of_range(field: str, today: date) -> pl.Expr:
    """``"<field>: impossible date '…' (in the future)"`` or ``(before 1880)``, else null.

    A partial date is in the future when its earliest possible day is (``00.00.2999``).
    """
    value = pl.col(raw_column(field))
    prefix = field.removesuffix("_date")
    year = pl.col(f"{prefix}_year")
    earliest = pl.date(
        year, pl.col(f"{prefix}_month").fill_null(1), pl.col(f"{prefix}_day").fill_null(1)
    )
    quoted = pl.lit(f"{field}: impossible date '") + value.str.strip_chars() + pl.lit("'")
    return (
        pl.when(earliest > pl.lit(today))
        .then(quoted + pl.lit(" (in the future)"))
        .when(year < EARLIEST_YEAR)
        .then(quoted + pl.lit(f" (before {EARLIEST_YEAR})"))
    )
