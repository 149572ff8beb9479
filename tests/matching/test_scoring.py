"""Scoring: weights from per-comparison Bayes factors, probabilities, order independence."""

from __future__ import annotations

import math

import polars as pl
import pytest

from matching import (
    ComparisonParameters,
    LinkageSpec,
    Linker,
    Parameters,
    TrainedModel,
    block_on,
    exact_comparison,
    predict,
    score,
    string_comparison,
)

SPEC = LinkageSpec(
    record_id="id",
    blocking=[block_on("city")],
    comparisons=[
        string_comparison("surname", thresholds=(0.9,), term_frequency=True),
        exact_comparison("first"),
    ],
)
MODEL = TrainedModel(
    spec=SPEC,
    parameters=Parameters(
        prior=0.001,
        comparisons={
            "surname": ComparisonParameters(m=[0.9, 0.08, 0.02], u=[0.01, 0.04, 0.95]),
            "first": ComparisonParameters(m=[0.95, 0.05], u=[0.02, 0.98]),
        },
        term_frequencies={"surname": {"meier": 0.1, "zyx": 0.001}},
    ),
)
LEFT = pl.DataFrame(
    {
        "id": ["a", "b", "c"],
        "city": ["k", "k", "k"],
        "surname": ["meier", "zyx", None],
        "first": ["jo", "al", "al"],
    }
)
RIGHT = pl.DataFrame(
    {"id": ["x", "y"], "city": ["k", "k"], "surname": ["meier", "zyx"], "first": ["jo", "bo"]}
)


def test_weight_is_prior_plus_bayes_factors_plus_tf_adjustment() -> None:
    pairs = pl.DataFrame(
        {"idx_l": [0], "idx_r": [0]}, schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32}
    )
    scored = predict(LEFT, RIGHT, pairs, MODEL)
    expected = (
        math.log2(0.001 / 0.999)
        + math.log2(0.9 / 0.01)
        + math.log2(0.01 / 0.1)
        + math.log2(0.95 / 0.02)
    )
    assert scored["match_weight"].item() == pytest.approx(expected)
    assert scored["match_probability"].item() == pytest.approx(2**expected / (1 + 2**expected))


def test_rare_value_weighs_more_than_common_value() -> None:
    pairs = pl.DataFrame(
        {"idx_l": [0, 1], "idx_r": [0, 1]}, schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32}
    )
    tf = predict(LEFT, RIGHT, pairs, MODEL)["bf_tf_surname"].to_list()
    assert tf[1] > 0 > tf[0]


def test_null_level_contributes_nothing() -> None:
    pairs = pl.DataFrame(
        {"idx_l": [2], "idx_r": [0]}, schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32}
    )
    scored = predict(LEFT, RIGHT, pairs, MODEL)
    assert scored["gamma_surname"].item() == -1
    assert scored["bf_surname"].item() == 0.0 and scored["bf_tf_surname"].item() == 0.0


def test_components_can_be_dropped_after_summing() -> None:
    linker = Linker(LEFT, RIGHT, SPEC, model=MODEL)
    lean = linker.inference.predict(keep_components=False)
    assert not [c for c in lean.columns if c.startswith("bf_")]
    assert (
        lean["match_weight"].dtype == pl.Float64 and lean["match_probability"].dtype == pl.Float64
    )


def test_scoring_does_not_depend_on_input_row_order() -> None:
    forward = Linker(LEFT, RIGHT, SPEC, model=MODEL).inference.predict()
    backward = Linker(LEFT.reverse(), RIGHT.reverse(), SPEC, model=MODEL).inference.predict()

    def by_ids(
        scored: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame
    ) -> list[tuple[object, ...]]:
        return (
            scored.select(
                left["id"].gather(scored["idx_l"]).alias("l"),
                right["id"].gather(scored["idx_r"]).alias("r"),
                "match_weight",
            )
            .sort("l", "r")
            .rows()
        )

    assert by_ids(forward, LEFT, RIGHT) == by_ids(backward, LEFT.reverse(), RIGHT.reverse())


def test_score_reads_an_existing_level_frame() -> None:
    levels = pl.DataFrame(
        {"idx_l": [0], "idx_r": [0], "gamma_surname": [2], "gamma_first": [1]},
        schema={
            "idx_l": pl.UInt32,
            "idx_r": pl.UInt32,
            "gamma_surname": pl.Int8,
            "gamma_first": pl.Int8,
        },
    )
    weight = score(levels, MODEL)["match_weight"].item()
    assert weight == pytest.approx(
        math.log2(0.001 / 0.999) + math.log2(0.02 / 0.95) + math.log2(0.05 / 0.98)
    )
