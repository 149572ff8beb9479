"""Scoring: per-comparison log2 Bayes factors, then match weight and probability per pair.

The weight is the prior log-odds plus, in comparison order, each ``bf_<name>`` and
``bf_tf_<name>`` column, added left to right; the explanation adds the same numbers in the same
order, so it sums exactly (bit for bit) to ``match_weight``.
"""

from __future__ import annotations

import math

import polars as pl

from matching.comparisons import compute_levels
from matching.errors import SpecError
from matching.gamma import NULL_LEVEL, gamma_column, tf_column
from matching.model import TrainedModel
from matching.preparation import PreparedFrames, prepare
from matching.term_frequencies import attach_term_frequencies


def bayes_factor_column(name: str) -> str:
    """Column of comparison ``name``'s log2 Bayes factor (0 at the null level)."""
    return f"bf_{name}"


def tf_adjustment_column(name: str) -> str:
    """Column of comparison ``name``'s log2 term-frequency adjustment (0 off the exact level)."""
    return f"bf_tf_{name}"


def weight_components(model: TrainedModel) -> list[str]:
    """The weight columns in the order they are added after the prior."""
    columns: list[str] = []
    for comparison in model.spec.comparisons:
        columns.append(bayes_factor_column(comparison.name))
        if comparison.term_frequency is not None:
            columns.append(tf_adjustment_column(comparison.name))
    return columns


def score(
    levels: pl.DataFrame, model: TrainedModel, *, keep_components: bool = True
) -> pl.DataFrame:
    """Add ``bf_*`` (and ``bf_tf_*``), ``match_weight`` and ``match_probability`` to a level frame.

    ``keep_components=False`` drops the per-comparison columns once the weight is summed.
    """
    components = {
        bayes_factor_column(c.name): _bayes_factor(levels, model, c.name)
        for c in model.spec.comparisons
    } | {
        tf_adjustment_column(c.name): _tf_adjustment(levels, model, c.name)
        for c in model.spec.comparisons
        if c.term_frequency is not None
    }
    # Without components the weight sums the same expressions in the same order, inline, so
    # the per-comparison columns are never materialised.
    weight = pl.lit(model.parameters.prior_weight, dtype=pl.Float64)
    for name in weight_components(model):
        weight = weight + (pl.col(name) if keep_components else components[name])
    scored = levels.lazy()
    if keep_components:
        scored = scored.with_columns(components.values())
    return (
        scored.with_columns(weight.alias("match_weight"))
        .with_columns(match_probability(pl.col("match_weight")))
        .collect()
    )


def match_probability(weight: pl.Expr) -> pl.Expr:
    """Probability from a log2-odds weight: 2^w / (1 + 2^w)."""
    return (1.0 / (1.0 + (2.0 ** (-weight)))).alias("match_probability")


def predict(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    pairs: pl.DataFrame,
    model: TrainedModel,
    *,
    prepared: PreparedFrames | None = None,
    keep_components: bool = True,
) -> pl.DataFrame:
    """Compare and score ``pairs`` with a trained model (levels, tf, weights, probability)."""
    if prepared is None:
        prepared = prepare(left, right, model.spec, model.tf_tables())
    elif model.parameters.term_frequencies and not prepared.tf_by_code:
        prepared = attach_term_frequencies(prepared, model.spec, model.tf_tables())
    levels = compute_levels(prepared, pairs, model.spec)
    return score(levels, model, keep_components=keep_components)


def _bayes_factor(levels: pl.DataFrame, model: TrainedModel, name: str) -> pl.Expr:
    column = gamma_column(name)
    if column not in levels.columns:
        raise SpecError(f"level frame lacks {column!r}; has {levels.columns}")
    # A lookup by position (level + 1, the null level first) is 4× faster than a replace.
    factors = pl.Series([0.0, *model.parameters.comparisons[name].log2_bayes_factors()])
    position = pl.col(column).cast(pl.Int32) - NULL_LEVEL
    return pl.lit(factors).gather(position).alias(bayes_factor_column(name))


def _tf_adjustment(levels: pl.DataFrame, model: TrainedModel, name: str) -> pl.Expr:
    """weight · log2(u_exact / tf(value)) on the exact level; 0 elsewhere or for unknown values."""
    comparison = model.spec.comparison(name)
    assert comparison.term_frequency is not None and comparison.tf_level_index is not None
    if tf_column(name) not in levels.columns:
        return pl.lit(0.0, dtype=pl.Float64).alias(tf_adjustment_column(name))
    u_exact = model.parameters.comparisons[name].u[comparison.tf_level_index]
    strength = comparison.term_frequency.weight
    adjustment = strength * (math.log2(u_exact) - pl.col(tf_column(name)).log(2.0))
    return adjustment.fill_null(0.0).alias(tf_adjustment_column(name))
