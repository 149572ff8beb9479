"""The exact level: the values are equal. Also the level term-frequency adjustment applies to."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from matching.arrays import BoolArray, Codes
from matching.encoding import hashable
from matching.levels.base import Suffixes, register_level
from matching.levels.paired import PairedLevel, expression_holds
from matching.query_pairs import CodedColumn, NumericColumn, never

if TYPE_CHECKING:
    from matching.arrays import Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, QueryPairs


@register_level
class ExactLevel(PairedLevel):
    """Values are equal; also the level that term-frequency adjustment applies to."""

    kind: Literal["exact"] = "exact"
    equality_only = True

    def pair_holds(
        self, left_name: str, right_name: str, data: Gathered, positions: Positions
    ) -> BoolArray:
        """Integers (numbers or shared dictionary codes) compare in NumPy, the rest in Polars."""
        sides = (("l", left_name), ("r", right_name))
        if all(data.integers(*side) is not None for side in sides):
            left, right = (data.codes(side, name, positions) for side, name in sides)
            return _equal_present(left, right)
        return expression_holds(self, (left_name, right_name), data, positions)

    def pair_expression(self, left_name: str, right_name: str, sides: Suffixes) -> pl.Expr:
        left, right = sides.pair(left_name, right_name)
        return left == right

    def pair_candidate(self, left: str, right: str, pairs: QueryPairs) -> Candidate:
        """Equal codes when both columns share a dictionary, equal numbers, else equal values."""
        value = pairs.query[left]
        left_column, right_column = pairs.columns[left], pairs.columns[right]
        if value is None:
            return never
        if (
            isinstance(right_column, CodedColumn)
            and isinstance(left_column, CodedColumn)
            and left_column.dictionary is right_column.dictionary
        ):
            codes, code = pairs.gathered(right), right_column.dictionary.code(value)
            return lambda i: codes[i] == code
        if isinstance(right_column, NumericColumn) and isinstance(left_column, NumericColumn):
            numbers = pairs.gathered(right)
            if isinstance(value, float) and value != value:
                return lambda i: numbers[i] is not None and numbers[i] != numbers[i]
            return lambda i: numbers[i] is not None and numbers[i] == value
        return pairs.where(_equal_to(value), right)

    def label(self) -> str:
        return f"exact {self.columns_label()}".strip()


def _equal_present(left: Codes, right: Codes) -> BoolArray:
    """Whether both values are present and equal."""
    (left_values, left_null), (right_values, right_null) = left, right
    equal: BoolArray = (left_values == right_values) & ~left_null & ~right_null
    return equal


def _equal_to(value: Any) -> Callable[[Any], bool]:
    key = hashable(value)
    return lambda other: hashable(other) == key
