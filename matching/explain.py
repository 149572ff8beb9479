"""Explanations: how a pair's match weight is made up, as a waterfall table.

The terms are read from the scored frame's own ``bf_*`` / ``bf_tf_*`` columns and added in the
order ``score`` adds them, so the last cumulative value equals ``match_weight`` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from matching.errors import MatchingError
from matching.gamma import NULL_LEVEL, gamma_column
from matching.model import TrainedModel
from matching.scoring import bayes_factor_column, tf_adjustment_column

WATERFALL_SCHEMA: dict[str, pl.DataType] = {
    "component": pl.String(),
    "level": pl.String(),
    "log2_bayes_factor": pl.Float64(),
    "cumulative_weight": pl.Float64(),
}


def waterfall(scored: pl.DataFrame, model: TrainedModel, idx_l: int, idx_r: int) -> pl.DataFrame:
    """One row per term of the pair's weight: prior, then each comparison (and tf adjustment).

    >>> # waterfall(scored, model, 0, 3) → component | level | log2_bayes_factor | cumulative_weight
    """
    row = scored.filter((pl.col("idx_l") == idx_l) & (pl.col("idx_r") == idx_r))
    if row.height != 1:
        raise MatchingError(f"pair ({idx_l}, {idx_r}) is not in the scored frame (or not once)")
    return explain_row(row.row(0, named=True), model)


def explain_row(row: Mapping[str, object], model: TrainedModel) -> pl.DataFrame:
    """The waterfall of one scored row given as a column → value mapping."""
    return pl.DataFrame(waterfall_steps(row, model), schema=WATERFALL_SCHEMA)


def waterfall_steps(row: Mapping[str, object], model: TrainedModel) -> list[dict[str, object]]:
    """``explain_row`` as a list of step dicts, without building a frame (online answers)."""
    missing = [bayes_factor_column(c.name) for c in model.spec.comparisons]
    missing = [name for name in missing if name not in row]
    if missing:
        raise MatchingError(f"scored rows lack {missing}; score with keep_components=True")
    cumulative = model.parameters.prior_weight
    rows: list[dict[str, object]] = [
        {
            "component": "prior",
            "level": f"λ = {model.parameters.prior:.3g}",
            "log2_bayes_factor": cumulative,
            "cumulative_weight": cumulative,
        }
    ]
    labels = model.level_labels()
    for comparison in model.spec.comparisons:
        gamma = row[gamma_column(comparison.name)]
        assert isinstance(gamma, int)
        label = "null" if gamma == NULL_LEVEL else labels[comparison.name][gamma]
        terms = [(comparison.name, label, bayes_factor_column(comparison.name))]
        if comparison.term_frequency is not None:
            terms.append(
                (
                    f"{comparison.name} (term frequency)",
                    label,
                    tf_adjustment_column(comparison.name),
                )
            )
        for component, level, column in terms:
            value = row[column]
            assert isinstance(value, float)
            cumulative = cumulative + value
            rows.append(
                {
                    "component": component,
                    "level": level,
                    "log2_bayes_factor": value,
                    "cumulative_weight": cumulative,
                }
            )
    return rows
