"""Levels of one query against reference rows equal batch comparison for every level type."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    Comparison,
    DateColumns,
    DateLevel,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    ListOverlapLevel,
    NullLevel,
    NumericLevel,
    SimilarityLevel,
    block_on,
    compare,
)
from matching.errors import SpecError
from matching.gamma import gamma_column
from matching.query_levels import check_levels, query_levels
from matching.query_pairs import QueryPairs, reference_columns

SCHEMA = {
    "name": pl.String,
    "other_name": pl.String,
    "tokens": pl.String,
    "parts": pl.List(pl.String),
    "number": pl.Int64,
    "amount": pl.Float64,
    "y": pl.Int16,
    "m": pl.Int8,
    "d": pl.Int8,
}
DATE = DateColumns(year="y", month="m", day="d")
# Thresholds a similarity of short strings hits exactly (k/n), so ties at the threshold count.
THRESHOLDS = [1.0, 0.94, 0.9, 0.875, 0.84, 0.8, 0.75, 2 / 3, 0.6, 0.5, 1 / 3]


def spec_with(thresholds: list[float]) -> LinkageSpec:
    """A spec using every level type, cross-column pairs and a custom null level."""
    t = iter(thresholds)
    comparisons = [
        Comparison(
            name="names",
            column="name",
            levels=[
                NullLevel(),
                ExactLevel(),
                SimilarityLevel(metric="jaro_winkler", threshold=next(t)),
                ExactLevel(pairs=[("name", "other_name"), ("other_name", "name")]),
                SimilarityLevel(metric="levenshtein", threshold=next(t)),
                SimilarityLevel(metric="damerau_levenshtein", threshold=next(t)),
                SimilarityLevel(metric="jaro_winkler", threshold=next(t)),
                ElseLevel(),
            ],
        ),
        Comparison(
            name="tokens",
            column="tokens",
            levels=[SimilarityLevel(metric="jaccard", threshold=next(t)), ElseLevel()],
        ),
        Comparison(
            name="parts",
            column="parts",
            levels=[
                NullLevel(),
                ListOverlapLevel(mode="first"),
                SimilarityLevel(metric="jaccard", threshold=next(t)),
                ListOverlapLevel(mode="any"),
                ElseLevel(),
            ],
        ),
        Comparison(
            name="numbers",
            column="number",
            levels=[
                NullLevel(columns=["number", "amount"]),
                ExactLevel(),
                NumericLevel(max_difference=2),
                ExactLevel(column="amount"),
                NumericLevel(column="amount", max_difference=0.5),
                ElseLevel(),
            ],
        ),
        Comparison(
            name="date",
            date_columns=DATE,
            levels=[
                DateLevel(match="exact"),
                DateLevel(match="day_month_swap"),
                DateLevel(match="within_days", tolerance=31),
                DateLevel(match="within_years", tolerance=1),
                ElseLevel(),
            ],
        ),
    ]
    return LinkageSpec(record_id="id", blocking=[block_on("name")], comparisons=comparisons)


def mostly(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``values``, null one time in five."""
    return st.one_of(st.none(), values, values, values, values)


letters = st.text(alphabet="abäß ", max_size=5)
records = st.fixed_dictionaries(
    {
        "name": mostly(letters),
        "other_name": mostly(letters),
        "tokens": mostly(letters),
        "parts": mostly(st.lists(mostly(st.sampled_from(["a", "b"])), max_size=3)),
        "number": mostly(st.integers(-3, 3)),
        "amount": mostly(st.sampled_from([0.0, -0.0, 0.5, 1.0, 1.5, float("nan")])),
        "y": mostly(st.sampled_from([-401, -400, 0, 1999, 2000])),
        "m": mostly(st.sampled_from([1, 2, 3, 12])),
        "d": mostly(st.sampled_from([1, 2, 3, 28, 31])),
    }
)


def online_levels(spec: LinkageSpec, query: dict[str, Any], reference: pl.DataFrame) -> dict:
    columns = reference_columns(reference)
    check_levels(spec, columns)
    rows = np.arange(reference.height, dtype=np.uint32)
    pairs = QueryPairs(query, columns, rows)
    return {c.name: query_levels(c, pairs).tolist() for c in spec.comparisons}


def batch_levels(spec: LinkageSpec, query: dict[str, Any], reference: pl.DataFrame) -> dict:
    left = pl.DataFrame([query], schema=SCHEMA)
    pairs = pl.DataFrame(
        {"idx_l": [0] * reference.height, "idx_r": list(range(reference.height))},
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32},
    )
    levels = compare(left, reference, pairs, spec)
    return {c.name: levels[gamma_column(c.name)].to_list() for c in spec.comparisons}


@settings(max_examples=300, deadline=None)
@given(
    query=records,
    reference=st.lists(records, min_size=1, max_size=8),
    thresholds=st.lists(st.sampled_from(THRESHOLDS), min_size=6, max_size=6),
)
def test_query_levels_equal_batch_levels_for_every_level_type(
    query: dict[str, Any], reference: list[dict[str, Any]], thresholds: list[float]
) -> None:
    spec = spec_with(thresholds)
    frame = pl.DataFrame(reference, schema=SCHEMA)
    assert online_levels(spec, query, frame) == batch_levels(spec, query, frame)


@pytest.mark.parametrize("metric", ["levenshtein", "damerau_levenshtein", "jaro_winkler"])
@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_similarity_exactly_at_the_threshold_agrees_with_batch(
    metric: Any, threshold: float
) -> None:
    names = ["abcdefgh", "abcdefgx", "abcdefxy", "bacdefgh", "abcd", "abce", "abc", "abx", "ab"]
    spec = LinkageSpec(
        record_id="id",
        blocking=[block_on("name")],
        comparisons=[
            Comparison(
                name="names",
                column="name",
                levels=[SimilarityLevel(metric=metric, threshold=threshold), ElseLevel()],
            )
        ],
    )
    frame = pl.DataFrame({name: [None] * len(names) for name in SCHEMA}, schema=SCHEMA)
    frame = frame.with_columns(name=pl.Series(names))
    for query in names:
        record = {name: None for name in SCHEMA} | {"name": query}
        assert online_levels(spec, record, frame) == batch_levels(spec, record, frame)


def test_a_date_level_on_text_columns_is_refused() -> None:
    spec = spec_with([0.9] * 6)
    frame = pl.DataFrame([], schema=SCHEMA | {"y": pl.String})
    with pytest.raises(SpecError, match="numeric"):
        check_levels(spec, reference_columns(frame))
