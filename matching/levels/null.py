"""The null level: nothing to compare, because a listed column is null on either side."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from matching.errors import SpecError
from matching.levels.base import LevelKind, Suffixes, register_level

if TYPE_CHECKING:
    from matching.arrays import BoolArray, Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, QueryPairs
    from matching.spec import Comparison


@register_level
class NullLevel(LevelKind):
    """Nothing to compare: a listed column is null on either side (level -1, weight 0)."""

    kind: Literal["null"] = "null"
    columns: list[str] | None = None

    def read_columns(self, comparison: Comparison) -> set[str]:
        return set(self.null_columns(comparison))

    def null_columns(self, comparison: Comparison) -> list[str]:
        """Columns whose nulls make the comparison null: listed, else the default column or
        the year of the default date."""
        if self.columns:
            return list(self.columns)
        if comparison.column is not None:
            return [comparison.column]
        if comparison.date_columns is not None:
            return [comparison.date_columns.year]
        raise SpecError(f"comparison {comparison.name!r}: the null level needs columns")

    def holds(self, comparison: Comparison, data: Gathered, positions: Positions) -> BoolArray:
        result = np.zeros(data.height, dtype=bool)
        for name in self.null_columns(comparison):
            for side in ("l", "r"):
                values = data.integers(side, name)
                result |= data.nulls(side, name) if values is None else values[1]
        return result if positions is data.everything else result.take(positions)

    def expression(self, comparison: Comparison, sides: Suffixes) -> pl.Expr:
        is_null = pl.lit(False)
        for name in self.null_columns(comparison):
            left, right = sides.pair(name, name)
            is_null = is_null | left.is_null() | right.is_null()
        return is_null

    def candidate(self, comparison: Comparison, pairs: QueryPairs) -> Candidate:
        names = self.null_columns(comparison)
        if any(pairs.query[name] is None for name in names):
            return lambda _: True
        flags = [pairs.is_null(name) for name in names]
        is_null = [any(row) for row in zip(*flags, strict=True)]
        return is_null.__getitem__

    def label(self) -> str:
        return "null"
