"""Levels that compare a column with a column: one pair, or alternative pairs of which any agrees."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from pydantic import Field

from matching.errors import SpecError
from matching.levels.base import ColumnPair, LevelKind, Suffixes

if TYPE_CHECKING:
    from matching.arrays import BoolArray, Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, QueryPairs
    from matching.spec import Comparison


class PairedLevel(LevelKind):
    """A level reading one column on both sides, or alternative (left, right) column pairs.

    A kind implements its condition for one column pair, three ways; the batch way defaults to
    its Polars expression over the gathered values.
    """

    column: str | None = None
    pairs: list[ColumnPair] | None = Field(
        default=None, description="Alternative (left, right) column pairs; agree if any pair does."
    )

    def column_pairs(self, comparison: Comparison) -> list[ColumnPair]:
        """The (left, right) column pairs the level reads: its own, else the comparison's column."""
        if self.pairs:
            return list(self.pairs)
        column = self.column or comparison.column
        if column is None:
            raise SpecError(f"comparison {comparison.name!r}: a {self.kind} level needs a column")
        return [(column, column)]

    def read_columns(self, comparison: Comparison) -> set[str]:
        return {name for pair in self.column_pairs(comparison) for name in pair}

    def compared_pairs(self, comparison: Comparison) -> list[ColumnPair]:
        return self.column_pairs(comparison)

    def holds(self, comparison: Comparison, data: Gathered, positions: Positions) -> BoolArray:
        result = np.zeros(len(positions), dtype=bool)
        for left_name, right_name in self.column_pairs(comparison):
            result |= self.pair_holds(left_name, right_name, data, positions)
        return result

    def expression(self, comparison: Comparison, sides: Suffixes) -> pl.Expr:
        agreements = [
            self.pair_expression(left_name, right_name, sides).fill_null(False)
            for left_name, right_name in self.column_pairs(comparison)
        ]
        return pl.any_horizontal(agreements)

    def candidate(self, comparison: Comparison, pairs: QueryPairs) -> Candidate:
        tests = [
            self.pair_candidate(left, right, pairs) for left, right in self.column_pairs(comparison)
        ]
        if len(tests) == 1:
            return tests[0]
        return lambda i: any(test(i) for test in tests)

    def pair_holds(
        self, left_name: str, right_name: str, data: Gathered, positions: Positions
    ) -> BoolArray:
        """Batch, one column pair: the Polars expression on the values at ``positions``."""
        return expression_holds(self, (left_name, right_name), data, positions)

    @abstractmethod
    def pair_expression(self, left_name: str, right_name: str, sides: Suffixes) -> pl.Expr:
        """Polars, one column pair."""

    @abstractmethod
    def pair_candidate(self, left: str, right: str, pairs: QueryPairs) -> Candidate:
        """Online, one column pair: the query's ``left`` against a candidate's ``right``."""

    def columns_label(self) -> str:
        """The columns for a label, when the level names its own: ``[a~b | c~d]`` or ``[a]``."""
        if self.pairs:
            return "[" + " | ".join(f"{left}~{right}" for left, right in self.pairs) + "]"
        return f"[{self.column}]" if self.column else ""


def expression_holds(
    level: PairedLevel, names: ColumnPair, data: Gathered, positions: Positions
) -> BoolArray:
    """The level's Polars pair expression on the columns ``names`` at ``positions``."""
    left_name, right_name = names
    left, right = data.at("l", left_name, positions), data.at("r", right_name, positions)
    sides = Suffixes({left_name: left.dtype, right_name: right.dtype})
    frame = pl.DataFrame({f"{left_name}_l": left, f"{right_name}_r": right})
    agree = frame.select(level.pair_expression(left_name, right_name, sides)).to_series()
    return agree.fill_null(False).to_numpy()
