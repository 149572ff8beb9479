"""The date level: dates held as (year, month, day) columns agree exactly (partial dates fit),
with day and month swapped, within some days or within some years."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import Field

from matching.arrays import BoolArray, Codes, null_mask
from matching.errors import SpecError
from matching.levels.base import Frozen, LevelKind, Suffixes, register_level
from matching.query_pairs import NumericColumn, never

if TYPE_CHECKING:
    from matching.arrays import Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, Column, QueryPairs
    from matching.spec import Comparison


class DateColumns(Frozen):
    """A date held as (year, month, day) columns; month and day may be null (partial date)."""

    year: str
    month: str
    day: str

    def names(self) -> tuple[str, str, str]:
        """Year, month and day column."""
        return self.year, self.month, self.day


@register_level
class DateLevel(LevelKind):
    """Dates agree: ``exact`` (partial dates agree with any date that fits), ``day_month_swap``,
    ``within_days`` (full dates only) or ``within_years``."""

    kind: Literal["date"] = "date"
    match: Literal["exact", "day_month_swap", "within_days", "within_years"]
    tolerance: int = Field(default=0, ge=0)
    columns: DateColumns | None = None

    def date_columns(self, comparison: Comparison) -> DateColumns:
        """The date columns the level reads: its own, else the comparison's."""
        columns = self.columns or comparison.date_columns
        if columns is None:
            raise SpecError(f"comparison {comparison.name!r}: a date level needs date_columns")
        return columns

    def read_columns(self, comparison: Comparison) -> set[str]:
        return set(self.date_columns(comparison).names())

    def holds(self, comparison: Comparison, data: Gathered, positions: Positions) -> BoolArray:
        dates = self.date_columns(comparison)
        if self.match == "within_days":
            (days_l, null_l), (days_r, null_r) = (
                data.per_record(side, _days_key(dates), partial(_day_numbers, dates), positions)
                for side in "lr"
            )
            close: BoolArray = ~(null_l | null_r) & (np.abs(days_l - days_r) <= self.tolerance)
            return close
        names = [(side, name) for side in ("l", "r") for name in dates.names()]
        if all(data.integers(side, name) is not None for side, name in names):
            return self._parts_agree([data.codes(side, name, positions) for side, name in names])
        frame = pl.DataFrame(
            {f"{name}_{side}": data.at(side, name, positions) for side, name in names},
            height=len(positions),
        )
        agree = frame.select(self.expression(comparison, Suffixes({}))).to_series()
        return agree.fill_null(False).to_numpy()

    def expression(self, comparison: Comparison, sides: Suffixes) -> pl.Expr:
        names = self.date_columns(comparison).names()
        return self.parts_agreement(
            [pl.col(f"{name}{sides.left}").cast(pl.Int64) for name in names],
            [pl.col(f"{name}{sides.right}").cast(pl.Int64) for name in names],
        )

    def candidate(self, comparison: Comparison, pairs: QueryPairs) -> Candidate:
        """``parts_agreement`` per candidate: a comparison with a null part is no agreement."""
        names = self.date_columns(comparison).names()
        y_l, m_l, d_l = (pairs.query[name] for name in names)
        years, months, days = (pairs.gathered(name) for name in names)
        if y_l is None:
            return never
        if self.match == "exact":

            def exact(i: int) -> bool:
                month, day = months[i], days[i]
                return (
                    years[i] == y_l
                    and (m_l is None or month is None or month == m_l)
                    and (d_l is None or day is None or day == d_l)
                )

            return exact
        tolerance = self.tolerance
        if self.match == "within_years":
            return lambda i: years[i] is not None and abs(years[i] - y_l) <= tolerance
        if m_l is None or d_l is None:
            return never
        if self.match == "day_month_swap":
            return lambda i: years[i] == y_l and days[i] == m_l and months[i] == d_l
        query_day = day_number(y_l, m_l, d_l)

        def within_days(i: int) -> bool:
            year, month, day = years[i], months[i], days[i]
            if year is None or month is None or day is None:
                return False
            distance: int = abs(day_number(year, month, day) - query_day)
            return distance <= tolerance

        return within_days

    def check_query(self, comparison: Comparison, columns: Mapping[str, Column]) -> None:
        for name in self.date_columns(comparison).names():
            if not isinstance(columns[name], NumericColumn):
                raise SpecError(f"date column {name!r} must be numeric for queries")

    def label(self) -> str:
        tolerance = f" {self.tolerance}" if self.tolerance else ""
        columns = self.columns
        named = f" [{columns.year}, {columns.month}, {columns.day}]" if columns else ""
        return f"date {self.match}{tolerance}{named}"

    def parts_agreement(self, left: list[pl.Expr], right: list[pl.Expr]) -> pl.Expr:
        """Agreement of two (year, month, day) expression triples.

        >>> level = DateLevel(match="exact")
        >>> ymd = [pl.lit(1970), pl.lit(None, pl.Int64), pl.lit(2)]
        >>> pl.select(level.parts_agreement(ymd, [pl.lit(1970), pl.lit(5), pl.lit(2)])).item()
        True
        """
        y_l, m_l, d_l = left
        y_r, m_r, d_r = right
        if self.match == "exact":
            month_fits = m_l.is_null() | m_r.is_null() | (m_l == m_r)
            day_fits = d_l.is_null() | d_r.is_null() | (d_l == d_r)
            return (y_l == y_r) & month_fits & day_fits
        if self.match == "day_month_swap":
            return (y_l == y_r) & (m_l == d_r) & (d_l == m_r)
        if self.match == "within_years":
            return (y_l - y_r).abs() <= self.tolerance
        days = (day_number(y_l, m_l, d_l) - day_number(y_r, m_r, d_r)).abs()
        return days <= self.tolerance

    def _parts_agree(self, parts: list[Codes]) -> BoolArray:
        """``parts_agreement`` in NumPy on (values, null mask) of year, month, day left then
        right."""
        (y_l, ny_l), (m_l, nm_l), (d_l, nd_l), (y_r, ny_r), (m_r, nm_r), (d_r, nd_r) = parts
        years_present = ~(ny_l | ny_r)
        if self.match == "within_years":
            distance = np.abs(y_l.astype(np.int64) - y_r.astype(np.int64))
            close: BoolArray = years_present & (distance <= self.tolerance)
            return close
        same_year = years_present & (y_l == y_r)
        if self.match == "exact":
            exact: BoolArray = (
                same_year & (nm_l | nm_r | (m_l == m_r)) & (nd_l | nd_r | (d_l == d_r))
            )
            return exact
        assert self.match == "day_month_swap"
        present = ~(nm_l | nd_l | nm_r | nd_r)
        swapped: BoolArray = same_year & present & (m_l == d_r) & (d_l == m_r)
        return swapped


def _days_key(dates: DateColumns) -> str:
    """The name under which a side's day numbers of ``dates`` are kept per record."""
    return "days " + " ".join(dates.names())


def _day_numbers(dates: DateColumns, frame: pl.DataFrame) -> Codes:
    """Day numbers of ``frame``'s date columns (0 where a part is null) and where one is."""
    parts = [frame[name] for name in dates.names()]
    year, month, day = (part.cast(pl.Int64).fill_null(0).to_numpy() for part in parts)
    missing = null_mask(parts[0]) | null_mask(parts[1]) | null_mask(parts[2])
    return day_number(year, month, day), missing


DateParts = TypeVar("DateParts", int, npt.NDArray[np.int64], pl.Expr)


def day_number(year: DateParts, month: DateParts, day: DateParts) -> DateParts:
    """Days since 1970-01-01 by civil-calendar arithmetic (no validation): for whole numbers,
    NumPy arrays and null-propagating Polars expressions alike, by operators alone.

    >>> day_number(1970, 3, 1)
    59
    """
    month_index = (month + 9) % 12  # March is 0, so the leap day ends the year
    shifted = year - month_index // 10  # January and February count to the year before
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * month_index + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: DateParts = era * 146_097 + day_of_era - 719_468
    return days
