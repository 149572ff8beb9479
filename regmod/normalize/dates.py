"""Partial dates: ``DD.MM.YYYY`` (also ``D.M.YYYY``), ISO ``YYYY-MM-DD`` and ``YYYYMMDD``.

A day of ``00`` means the day is unknown, ``00.00.YYYY`` that day and month are unknown; the
unknown parts become null and are never filled in as 1 January. Impossible dates (``31.02.``,
month 13, a day without a month) become a null struct. Digits are ASCII: a date written in other
digits (``١٢.٠٥.١٩٨٠``) is unreadable, not guessed.
"""

from __future__ import annotations

import calendar

import polars as pl

from regmod.normalize._distinct import per_distinct
from regmod.normalize.text import as_python_pattern, strip_value

PARTIAL_DATE = pl.Struct({"year": pl.Int16(), "month": pl.Int8(), "day": pl.Int8()})

_FORMATS: tuple[tuple[str, tuple[int, int, int]], ...] = (
    (r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$", (3, 2, 1)),
    (r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$", (1, 2, 3)),
    (r"^([0-9]{4})([0-9]{2})([0-9]{2})$", (1, 2, 3)),
)
"""Each accepted layout with the capture groups of (year, month, day)."""

_COMPILED_FORMATS = tuple((as_python_pattern(pattern), groups) for pattern, groups in _FORMATS)


def _written_parts(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Year, month and day as written (zeros kept), null when no layout fits."""
    text = expr.str.strip_chars()
    matches = [(text.str.extract_groups(pattern), groups) for pattern, groups in _FORMATS]
    year, month, day = (
        pl.coalesce(match.struct.field(str(groups[position])) for match, groups in matches).cast(
            pl.Int32
        )
        for position in range(3)
    )
    return year, month, day


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def _is_possible(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    month_known = month.is_between(1, 12)
    return (
        year.is_between(1000, 9999)
        & month.is_between(0, 12)
        & ((day == 0) | (month_known & day.is_between(1, _days_in_month(year, month))))
    )


def is_readable_date(expr: pl.Expr) -> pl.Expr:
    """True where the text has one of the accepted date layouts (possible or not)."""
    return _written_parts(expr)[0].is_not_null()


def parse_partial_date(expr: pl.Expr) -> pl.Expr:
    """Struct{year, month, day} of a date text; unknown parts null, impossible dates a null struct.

    ``"00.05.1980"`` → ``{1980, 5, null}``; ``"31.02.1980"`` → null. Once per distinct value.
    """
    return per_distinct(expr, _partial_dates, PARTIAL_DATE)


def _partial_dates(distinct: pl.Series) -> pl.Series:
    """Parse distinct date texts; each layout's regex runs once, then the parts are checked."""
    text = pl.col("value").str.strip_chars()
    layouts = [f"layout_{index}" for index in range(len(_FORMATS))]
    matched = distinct.to_frame("value").select(
        text.str.extract_groups(pattern).alias(name)
        for name, (pattern, _) in zip(layouts, _FORMATS, strict=True)
    )
    parts = matched.select(
        pl.coalesce(
            pl.col(name).struct.field(str(groups[position]))
            for name, (_, groups) in zip(layouts, _FORMATS, strict=True)
        )
        .cast(pl.Int32)
        .alias(part)
        for position, part in enumerate(("year", "month", "day"))
    )
    return parts.select(_checked(pl.col("year"), pl.col("month"), pl.col("day"))).to_series()


def _checked(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The partial-date struct of written parts, or null when they cannot be a date."""
    return (
        pl.when(_is_possible(year, month, day))
        .then(
            pl.struct(
                year.cast(pl.Int16).alias("year"),
                pl.when(month > 0).then(month).cast(pl.Int8).alias("month"),
                pl.when(day > 0).then(day).cast(pl.Int8).alias("day"),
            )
        )
        .otherwise(pl.lit(None, dtype=PARTIAL_DATE))
    )


def is_placeholder_date(partial: pl.Expr) -> pl.Expr:
    """True where a partial-date struct is 1 January: possibly a year-only placeholder.

    The foreigners' register writes ``01.01.YYYY`` when only the year is known; the date stays
    as parsed and this flag lets the linkage weigh it. False for a missing date.
    """
    return ((partial.struct.field("month") == 1) & (partial.struct.field("day") == 1)).fill_null(
        False
    )


def is_placeholder_date_value(partial: dict[str, int | None] | None) -> bool:
    """``is_placeholder_date`` of one ``partial_date_value``."""
    return partial is not None and partial["month"] == 1 and partial["day"] == 1


def partial_date_value(text: str | None) -> dict[str, int | None] | None:
    """``parse_partial_date`` of one value."""
    if text is None:
        return None
    stripped = strip_value(text)
    for pattern, groups in _COMPILED_FORMATS:
        match = pattern.fullmatch(stripped)
        if match:
            year, month, day = (int(match.group(group)) for group in groups)
            break
    else:
        return None
    month_known = 1 <= month <= 12
    possible = (
        1000 <= year <= 9999
        and 0 <= month <= 12
        and (day == 0 or (month_known and 1 <= day <= calendar.monthrange(year, month)[1]))
    )
    if not possible:
        return None
    return {"year": year, "month": month or None, "day": day or None}
