"""Bayes factors and match weights of one query's candidates, from tables batch scoring filled.

At construction ``matching.scoring.score`` scores one synthetic level frame per table: every
level of every comparison, and every value of each term-frequency table at its exact level. A
query then looks its numbers up in NumPy and adds them in ``score``'s order, so its weights are
bit for bit those of batch scoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.gamma import GAMMA_DTYPE, NULL_LEVEL, gamma_column, tf_column
from matching.model import TrainedModel
from matching.scoring import bayes_factor_column, score, tf_adjustment_column, weight_components

Weights = npt.NDArray[np.float64]
Levels = npt.NDArray[np.int8]


@dataclass(frozen=True)
class _TermFrequency:
    """A comparison's exact level, its query-value column, and per value (frequency, log2 term)."""

    level: int
    column: str
    terms: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class ScoredCandidates:
    """Per candidate the levels, Bayes-factor terms and match weight; tf frequencies per level."""

    levels: dict[str, Levels]
    terms: dict[str, Weights]
    frequencies: dict[str, tuple[int, float | None]]
    weight: Weights

    def columns(self, chosen: npt.NDArray[np.intp]) -> list[list[Any]]:
        """Values of the ``chosen`` candidates, one list per column of ``QueryWeights.schema``."""
        columns: list[list[Any]] = [gamma[chosen].tolist() for gamma in self.levels.values()]
        for name, (level, frequency) in self.frequencies.items():
            at_level = (self.levels[name][chosen] == level).tolist()
            columns.append([frequency if hit else None for hit in at_level])
        return columns + [terms[chosen].tolist() for terms in self.terms.values()]


class QueryWeights:
    """The weight tables of one model."""

    def __init__(self, model: TrainedModel) -> None:
        comparisons = model.spec.comparisons
        self._prior = model.parameters.prior_weight
        self._levels = {c.name: len(c.agreement_levels) for c in comparisons}
        self._components = weight_components(model)
        self._adjusted = [c.name for c in comparisons if c.term_frequency is not None]
        height = max(self._levels.values()) + 1
        scored = score(_level_frame(self._levels, height), model)
        self._factors = {
            name: scored[bayes_factor_column(name)].to_numpy()[: levels + 1]
            for name, levels in self._levels.items()
        }
        tables = model.tf_tables()
        self._term_frequencies: dict[str, _TermFrequency] = {}
        for comparison in comparisons:
            if comparison.name not in tables or comparison.tf_column is None:
                continue
            assert comparison.tf_level_index is not None
            table = tables[comparison.name]
            levels = _level_frame(self._levels, table.height).with_columns(
                pl.lit(comparison.tf_level_index, GAMMA_DTYPE).alias(gamma_column(comparison.name)),
                table["frequency"].alias(tf_column(comparison.name)),
            )
            terms = score(levels, model)[tf_adjustment_column(comparison.name)].to_list()
            frequencies = zip(table["frequency"].to_list(), terms, strict=True)
            self._term_frequencies[comparison.name] = _TermFrequency(
                comparison.tf_level_index,
                comparison.tf_column,
                dict(zip(table["value"].to_list(), frequencies, strict=True)),
            )

    def schema(self) -> dict[str, pl.DataType]:
        """The level, tf and Bayes-factor columns that ``ScoredCandidates.columns`` fills."""
        schema: dict[str, pl.DataType] = {
            gamma_column(name): GAMMA_DTYPE() for name in self._levels
        }
        schema |= {tf_column(name): pl.Float64() for name in self._term_frequencies}
        schema |= {bayes_factor_column(name): pl.Float64() for name in self._levels}
        return schema | {tf_adjustment_column(name): pl.Float64() for name in self._adjusted}

    def score(self, levels: dict[str, Levels], query: Mapping[str, Any]) -> ScoredCandidates:
        """Bayes-factor terms and weights of candidates at ``levels``, added as ``score`` adds."""
        terms = {
            bayes_factor_column(name): self._factors[name][gamma.astype(np.intp) + 1]
            for name, gamma in levels.items()
        }
        frequencies: dict[str, tuple[int, float | None]] = {}
        for name in self._adjusted:
            gamma = levels[name]
            terms[tf_adjustment_column(name)] = np.zeros(gamma.size)
            if name in self._term_frequencies:
                adjustment = self._term_frequencies[name]
                frequency, term = adjustment.terms.get(query[adjustment.column], (None, 0.0))
                terms[tf_adjustment_column(name)] = np.where(gamma == adjustment.level, term, 0.0)
                frequencies[name] = (adjustment.level, frequency)
        weight = np.full(next(iter(levels.values())).size, self._prior)
        for name in self._components:
            weight = weight + terms[name]
        return ScoredCandidates(levels, terms, frequencies, weight)


def _level_frame(levels: Mapping[str, int], height: int) -> pl.DataFrame:
    """Each comparison's levels -1, 0, … down the rows (then null level), no tf columns."""
    return pl.DataFrame(
        {
            gamma_column(name): pl.Series(
                [level - 1 if level <= count else NULL_LEVEL for level in range(height)],
                dtype=GAMMA_DTYPE,
            )
            for name, count in levels.items()
        }
    )
