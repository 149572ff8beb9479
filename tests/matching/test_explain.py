"""Explanations: the waterfall's terms sum exactly to the match weight."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    ComparisonParameters,
    Linker,
    MatchingError,
    Parameters,
    TrainedModel,
    explain_row,
    score,
)

from .test_scoring import LEFT, MODEL, RIGHT, SPEC

probability = st.floats(1e-6, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(probability, min_size=3, max_size=3),
    st.lists(probability, min_size=3, max_size=3),
    st.floats(1e-9, 0.5),
    st.integers(-1, 2),
    st.floats(1e-6, 1.0),
)
def test_explanation_sums_exactly_to_the_weight(
    m: list[float], u: list[float], prior: float, level: int, frequency: float
) -> None:
    model = TrainedModel(
        spec=SPEC,
        parameters=Parameters(
            prior=prior,
            comparisons={
                "surname": ComparisonParameters(m=m, u=u),
                "first": ComparisonParameters(m=m[:2], u=u[:2]),
            },
        ),
    )
    levels = pl.DataFrame(
        {
            "idx_l": [0],
            "idx_r": [0],
            "gamma_surname": [level],
            "tf_surname": [frequency if level == 0 else None],
            "gamma_first": [min(level, 1)],
        },
        schema={
            "idx_l": pl.UInt32,
            "idx_r": pl.UInt32,
            "gamma_surname": pl.Int8,
            "tf_surname": pl.Float64,
            "gamma_first": pl.Int8,
        },
    )
    scored = score(levels, model)
    table = explain_row(scored.row(0, named=True), model)
    assert table["cumulative_weight"][-1] == scored["match_weight"].item()
    running = 0.0
    for term in table["log2_bayes_factor"]:
        running += term
    assert running == scored["match_weight"].item()


def test_waterfall_lists_prior_then_each_comparison_with_its_level() -> None:
    linker = Linker(LEFT, RIGHT, SPEC, model=MODEL)
    table = linker.explain.waterfall(idx_l=0, idx_r=0)
    assert table["component"].to_list() == ["prior", "surname", "surname (term frequency)", "first"]
    assert table["level"].to_list()[1:] == ["exact", "exact", "exact"]


def test_waterfall_of_an_unknown_pair_is_an_error() -> None:
    with pytest.raises(MatchingError, match="not in the scored frame"):
        Linker(LEFT, RIGHT, SPEC, model=MODEL).explain.waterfall(idx_l=7, idx_r=7)
