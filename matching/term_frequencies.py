"""Term frequencies: how common the agreeing value of an exact level is, per compared pair.

Rare values weigh more: a table of value frequencies per comparison is looked up once per
dictionary code, then read per pair where the pair is at the comparison's exact level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from matching.errors import SpecError
from matching.gamma import gamma_column, tf_column
from matching.gathering import Gathered

if TYPE_CHECKING:
    from matching.preparation import PreparedFrames
    from matching.spec import Comparison, LinkageSpec

TermFrequencyTables = Mapping[str, pl.DataFrame]
"""Per comparison name, a frame ``value: String, frequency: Float64``."""


def attach_term_frequencies(
    prepared: PreparedFrames, spec: LinkageSpec, tf_tables: TermFrequencyTables
) -> PreparedFrames:
    """``prepared`` with term-frequency lookups, reusing its encoding (e.g. after training)."""
    return replace(
        prepared,
        tf_by_code=tf_by_code(spec, prepared.dictionary, prepared.encoded, tf_tables),
    )


def add_term_frequencies(
    prepared: PreparedFrames,
    levels: pl.DataFrame,
    spec: LinkageSpec,
    tf_tables: TermFrequencyTables | None = None,
) -> pl.DataFrame:
    """Add the ``tf_<name>`` columns to a level frame computed without term-frequency tables,
    from the lookups ``prepared`` holds or, given ``tf_tables``, from those tables."""
    if tf_tables is not None:
        prepared = attach_term_frequencies(prepared, spec, tf_tables)
    return with_term_frequencies(levels, Gathered(prepared, levels["idx_l"], levels["idx_r"]), spec)


def with_term_frequencies(
    levels: pl.DataFrame, gathered: Gathered, spec: LinkageSpec
) -> pl.DataFrame:
    """``levels`` with a ``tf_<name>`` column per comparison that ``gathered`` has lookups for."""
    return levels.with_columns(
        _term_frequency(comparison, levels[gamma_column(comparison.name)], gathered)
        for comparison in spec.comparisons
        if comparison.name in gathered.prepared.tf_by_code
    )


def _term_frequency(comparison: Comparison, gamma: pl.Series, data: Gathered) -> pl.Series:
    """The frequency of the agreeing value where the pair is at the exact level, else null."""
    assert comparison.tf_column is not None and comparison.tf_level_index is not None
    codes = data.get("l", comparison.tf_column)
    frequency = data.prepared.tf_by_code[comparison.name].gather(codes)
    return (
        pl.DataFrame({"gamma": gamma, "frequency": frequency})
        .select(
            pl.when(pl.col("gamma") == comparison.tf_level_index)
            .then(pl.col("frequency"))
            .alias(tf_column(comparison.name))
        )
        .to_series()
    )


def tf_by_code(
    spec: LinkageSpec,
    dictionary: pl.Series,
    encoded: frozenset[str],
    tf_tables: TermFrequencyTables,
) -> dict[str, pl.Series]:
    """Per tf comparison, the frequency of each dictionary code (null when not in the table)."""
    result: dict[str, pl.Series] = {}
    values = dictionary.to_frame("value")
    for comparison in spec.comparisons:
        if comparison.tf_column is None or comparison.name not in tf_tables:
            continue
        if comparison.tf_column not in encoded:
            raise SpecError(
                f"term-frequency column {comparison.tf_column!r} must be a String column"
            )
        table = tf_tables[comparison.name]
        result[comparison.name] = values.join(table, on="value", how="left", maintain_order="left")[
            "frequency"
        ]
    return result
