"""The numeric level: the absolute difference of two numbers is at most a bound."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import Field

from matching.levels.base import Suffixes, register_level
from matching.levels.paired import PairedLevel
from matching.query_pairs import never

if TYPE_CHECKING:
    from matching.query_pairs import Candidate, QueryPairs


@register_level
class NumericLevel(PairedLevel):
    """Absolute numeric difference at most ``max_difference``."""

    kind: Literal["numeric"] = "numeric"
    max_difference: float = Field(ge=0.0)

    def pair_expression(self, left_name: str, right_name: str, sides: Suffixes) -> pl.Expr:
        left, right = sides.pair(left_name, right_name)
        return (left.cast(pl.Float64) - right.cast(pl.Float64)).abs() <= self.max_difference

    def pair_candidate(self, left: str, right: str, pairs: QueryPairs) -> Candidate:
        value = pairs.query[left]
        if value is None:
            return never
        return pairs.where(_within(float(value), self.max_difference), right)

    def label(self) -> str:
        return f"difference <= {self.max_difference} {self.columns_label()}".strip()


def _within(number: float, limit: float) -> Callable[[Any], bool]:
    """Absolute difference from ``number`` as Float64 at most ``limit``."""
    return lambda other: abs(number - float(other)) <= limit
