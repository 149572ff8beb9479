"""The else level: every pair the earlier levels did not catch; always the last level."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from matching.levels.base import LevelKind, Suffixes, register_level

if TYPE_CHECKING:
    from matching.arrays import BoolArray, Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, QueryPairs
    from matching.spec import Comparison


@register_level
class ElseLevel(LevelKind):
    """Everything the earlier levels did not catch; always the last level."""

    kind: Literal["else"] = "else"

    def holds(self, comparison: Comparison, data: Gathered, positions: Positions) -> BoolArray:
        return np.ones(len(positions), dtype=bool)

    def expression(self, comparison: Comparison, sides: Suffixes) -> pl.Expr:
        return pl.lit(True)

    def candidate(self, comparison: Comparison, pairs: QueryPairs) -> Candidate:
        return lambda _: True

    def label(self) -> str:
        return "else"
