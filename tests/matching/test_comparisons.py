"""Comparison levels: one Int8 column per comparison, first agreeing level wins."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from matching import (
    Comparison,
    DateColumns,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    ListOverlapLevel,
    NullLevel,
    NumericLevel,
    SimilarityLevel,
    block_on,
    compare,
    comparisons,
    date_comparison,
    string_comparison,
)
from matching.blocking import rule_ids
from matching.comparisons import THREADS_FROM_PAIRS, compute_levels
from matching.kernels import Metric, similarity_expr
from matching.levels.date import day_number
from matching.preparation import prepare
from matching.string_similarity import string_similarity

DOB = DateColumns(year="y", month="m", day="d")


def levels_of(
    comparison: Comparison, left: dict[str, list[object]], right: dict[str, list[object]]
) -> list[int]:
    """Compare row i of ``left`` with row i of ``right``; return the level per pair."""
    spec = LinkageSpec(record_id="id", blocking=[block_on("id")], comparisons=[comparison])
    left_frame, right_frame = pl.DataFrame(left, strict=False), pl.DataFrame(right, strict=False)
    index = pl.Series(range(left_frame.height), dtype=pl.UInt32)
    pairs = pl.DataFrame({"idx_l": index, "idx_r": index})
    result = compare(left_frame, right_frame, pairs, spec)
    assert result[f"gamma_{comparison.name}"].dtype == pl.Int8
    return result[f"gamma_{comparison.name}"].to_list()


def test_string_levels_from_exact_down_to_else_with_null_first() -> None:
    comparison = string_comparison("name", thresholds=(0.92, 0.8))
    left = {"name": ["meier", "martha", "dixon", "abc", None]}
    right = {"name": ["meier", "marhta", "dicksonx", "xyz", "meier"]}
    assert levels_of(comparison, left, right) == [0, 1, 2, 3, -1]


def test_levenshtein_similarity_is_normalised_by_the_longer_string() -> None:
    comparison = string_comparison("code", metric="levenshtein", thresholds=(0.75,))
    # one edit in eight characters: 0.875; four edits: 0.5
    left = {"code": ["19560409", "19560409"]}
    right = {"code": ["19560408", "19650308"]}
    assert levels_of(comparison, left, right) == [1, 2]


def test_damerau_levenshtein_counts_a_transposition_as_one_edit() -> None:
    comparison = string_comparison("code", metric="damerau_levenshtein", thresholds=(0.85,))
    assert levels_of(comparison, {"code": ["12345678"]}, {"code": ["12354678"]}) == [1]


def test_jaccard_compares_token_sets_of_strings_and_lists() -> None:
    on_strings = string_comparison("street", metric="jaccard", thresholds=(0.5,))
    assert levels_of(on_strings, {"street": ["am alten markt"]}, {"street": ["alten markt"]}) == [1]
    on_lists = Comparison(
        name="names",
        column="names",
        levels=[SimilarityLevel(metric="jaccard", threshold=0.5), ElseLevel()],
    )
    assert levels_of(
        on_lists, {"names": [["hans", "peter"]]}, {"names": [["peter", "hans", "x"]]}
    ) == [0]


def test_phonetic_code_equality_is_an_exact_level_on_another_column() -> None:
    comparison = Comparison(
        name="surname",
        column="surname",
        levels=[NullLevel(), ExactLevel(), ExactLevel(column="surname_phonetic"), ElseLevel()],
    )
    left = {"surname": ["meier", "meier"], "surname_phonetic": ["67", "67"]}
    right = {"surname": ["mayr", "schmidt"], "surname_phonetic": ["67", "862"]}
    assert levels_of(comparison, left, right) == [1, 2]


def test_birth_name_is_compared_with_the_other_family_name_both_ways() -> None:
    comparison = Comparison(
        name="family_name",
        column="family_name",
        levels=[
            ExactLevel(),
            ExactLevel(pairs=[("birth_name", "family_name"), ("family_name", "birth_name")]),
            SimilarityLevel(
                metric="jaro_winkler",
                threshold=0.9,
                pairs=[("birth_name", "family_name"), ("family_name", "birth_name")],
            ),
            ElseLevel(),
        ],
    )
    left = {"family_name": ["schulz", "meier", "meier"], "birth_name": ["weber", None, "x"]}
    right = {"family_name": ["weber", "lang", "krause"], "birth_name": [None, "meier", "kraus"]}
    assert levels_of(comparison, left, right) == [1, 1, 3]
    left_similar = {"family_name": ["schulz"], "birth_name": ["webber"]}
    assert levels_of(
        comparison, left_similar, {"family_name": ["weber"], "birth_name": [None]}
    ) == [2]


def test_exact_only_column_compares_with_a_string_metric_column_by_value() -> None:
    comparison = Comparison(
        name="family_name",
        column="family_name",
        levels=[
            ExactLevel(),
            ExactLevel(pairs=[("birth_name", "family_name")]),
            SimilarityLevel(metric="jaro_winkler", threshold=0.9),
            ExactLevel(column="city"),
            ElseLevel(),
        ],
    )
    left = {"family_name": ["schulz", "lang", "otto"], "birth_name": ["weber", "x", None]}
    right = {"family_name": ["weber", "lange", "kurz"], "birth_name": ["schulz", "y", "otto"]}
    left["city"], right["city"] = ["koeln", "bonn", "ulm"], ["koeln", "bonn", "ulm"]
    assert levels_of(comparison, left, right) == [1, 2, 3]
    right["city"] = [None, None, None]
    assert levels_of(comparison, left, right) == [1, 2, 4]


def test_partial_birth_date_agrees_with_full_date_in_same_month() -> None:
    comparison = date_comparison("dob", DOB)
    left = {"y": [1980, 1980, 1980], "m": [5, None, 5], "d": [None, None, None]}
    right = {"y": [1980, 1980, 1980], "m": [5, 12, 6], "d": [17, 24, 1]}
    assert levels_of(comparison, left, right) == [0, 0, 3]


def test_day_and_month_swapped_has_its_own_level() -> None:
    comparison = date_comparison("dob", DOB)
    assert levels_of(
        comparison, {"y": [1980], "m": [3], "d": [4]}, {"y": [1980], "m": [4], "d": [3]}
    ) == [1]


def test_dates_within_tolerance_across_a_year_boundary() -> None:
    comparison = date_comparison("dob", DOB, within_days=3, within_years=2)
    left = {"y": [1979, 1979, 1979], "m": [12, 12, 1], "d": [30, 30, 1]}
    right = {"y": [1980, 1981, 1985], "m": [1, 1, 1], "d": [1, 1, 1]}
    assert levels_of(comparison, left, right) == [2, 3, 4]


def test_missing_year_makes_the_date_comparison_null() -> None:
    comparison = date_comparison("dob", DOB)
    assert levels_of(
        comparison, {"y": [None], "m": [1], "d": [1]}, {"y": [1980], "m": [1], "d": [1]}
    ) == [-1]


def test_numeric_difference_levels() -> None:
    comparison = Comparison(
        name="house",
        column="house",
        levels=[
            NullLevel(),
            NumericLevel(max_difference=0),
            NumericLevel(max_difference=2),
            ElseLevel(),
        ],
    )
    assert levels_of(comparison, {"house": [12, 12, 12]}, {"house": [12, 14, 20]}) == [0, 1, 2]


def test_several_first_names_overlap_any_or_first() -> None:
    comparison = Comparison(
        name="first_names",
        column="first_names",
        levels=[
            NullLevel(),
            ListOverlapLevel(mode="first"),
            ListOverlapLevel(mode="any"),
            ElseLevel(),
        ],
    )
    left = {"first_names": [["hans", "peter"], ["hans", "peter"], ["anna"]]}
    right = {"first_names": [["hans"], ["josef", "peter"], ["maria"]]}
    assert levels_of(comparison, left, right) == [0, 1, 2]


def test_term_frequency_column_holds_the_agreeing_value_frequency() -> None:
    comparison = string_comparison("name", thresholds=(0.8,), term_frequency=True)
    spec = LinkageSpec(record_id="id", blocking=[block_on("id")], comparisons=[comparison])
    left = pl.DataFrame({"name": ["meier", "meier", "rare"]})
    right = pl.DataFrame({"name": ["meier", "maier", "rare"]})
    pairs = pl.DataFrame(
        {"idx_l": [0, 1, 2], "idx_r": [0, 1, 2]}, schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32}
    )
    table = pl.DataFrame({"value": ["meier", "maier"], "frequency": [0.5, 0.1]})
    result = compare(left, right, pairs, spec, {"name": table})
    assert result["tf_name"].to_list() == [0.5, None, None]


words = st.text(alphabet="abcde", min_size=0, max_size=6)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), words), st.one_of(st.none(), words)), min_size=1, max_size=60
    )
)
def test_each_way_of_scoring_distinct_pairs_equals_the_kernel_on_every_pair(
    values: list[tuple[str | None, str | None]],
) -> None:
    left = pl.Series([v[0] for v in values], dtype=pl.String)
    right = pl.Series([v[1] for v in values], dtype=pl.String)
    dictionary = pl.concat([left, right]).drop_nulls().unique().sort()
    encoding = pl.Enum(dictionary)

    def codes(values: pl.Series) -> tuple[np.ndarray, np.ndarray]:
        physical = values.cast(encoding).to_physical().cast(pl.UInt32)
        return physical.fill_null(0).to_numpy(), physical.is_null().to_numpy()

    direct = pl.DataFrame({"a": left, "b": right}).select(
        pl.when(pl.col("a") == pl.col("b"))
        .then(1.0)
        .otherwise(similarity_expr(pl.col("a"), pl.col("b"), "jaro_winkler", rows=0))
    )
    expected = direct.to_series().fill_null(np.nan).to_numpy()

    def scored(**options: float) -> np.ndarray:
        return string_similarity(codes(left), codes(right), dictionary, "jaro_winkler", **options)

    ways = {
        "every pair": scored(dedupe_from_rows=len(values) + 1),
        "distinct pairs": scored(
            dedupe_from_rows=1, dedupe_below_share=2.0, combinations_below_share=0.0
        ),
        "every combination": scored(dedupe_from_rows=1, combinations_below_share=np.inf),
    }
    for way, similarity in ways.items():
        np.testing.assert_allclose(similarity, expected, rtol=1e-12, err_msg=way)


@pytest.mark.parametrize(
    "metric", ["jaro_winkler", "levenshtein", "damerau_levenshtein", "jaccard"]
)
def test_similarity_kernel_gives_null_for_a_null_side_instead_of_failing(metric: Metric) -> None:
    frame = pl.DataFrame({"a": ["anna", None, "otto"], "b": [None, "bert", "otto"]})
    result = frame.select(similarity_expr(pl.col("a"), pl.col("b"), metric, rows=3)).to_series()
    assert result.to_list() == [None, None, 1.0]


digits = st.text(alphabet="0123äb", min_size=0, max_size=9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(digits, digits), min_size=1, max_size=40),
    st.sampled_from([0.5, 0.7, 0.8, 0.875, 0.9]),
    st.sampled_from(["damerau_levenshtein", "levenshtein"]),
)
# A swap of neighbours: one OSA edit, two Levenshtein edits (OSA agrees, Levenshtein does not).
@example(values=[("0123", "0213")], threshold=0.7, metric="levenshtein")
# OSA may not edit a substring twice: OSA 3 edits, Damerau–Levenshtein 2 (only DL agrees).
@example(values=[("ca", "abc")], threshold=0.3, metric="damerau_levenshtein")
def test_edit_distance_levels_agree_exactly_where_the_kernel_does(
    values: list[tuple[str, str]], threshold: float, metric: Metric
) -> None:
    """The optimal-string-alignment shortcuts never change a level."""
    comparison = string_comparison("code", metric=metric, thresholds=(threshold,))
    left = {"code": [a for a, _ in values]}
    right = {"code": [b for _, b in values]}
    similarity = pl.DataFrame({"a": left["code"], "b": right["code"]}).select(
        similarity_expr(pl.col("a"), pl.col("b"), metric, rows=0)
    )
    expected = [
        0 if a == b else 1 if score >= threshold else 2
        for (a, b), score in zip(values, similarity.to_series().to_list(), strict=True)
    ]
    assert levels_of(comparison, left, right) == expected


def test_many_pairs_compared_in_threads_get_the_levels_of_small_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(5)
    names = ["anna", "anne", "otto", "ottó", "meier", "meyer", None]
    rows = 300
    frame = pl.DataFrame(
        {
            "name": rng.choice(np.array(names, dtype=object), rows).tolist(),
            "code": [f"{v:04d}" for v in rng.integers(0, 40, rows)],
            "y": rng.integers(1950, 1953, rows),
            "m": rng.integers(1, 13, rows),
            "d": rng.integers(1, 29, rows),
        }
    )
    spec = LinkageSpec(
        record_id="code",
        blocking=[block_on("code")],
        comparisons=[
            string_comparison("name", thresholds=(0.92, 0.8)),
            string_comparison("code", metric="damerau_levenshtein", thresholds=(0.75,)),
            date_comparison("dob", DOB),
            Comparison(
                name="same_name", column="name", levels=[NullLevel(), ExactLevel(), ElseLevel()]
            ),
        ],
    )
    count = THREADS_FROM_PAIRS + 1000
    pairs = pl.DataFrame(
        {"idx_l": rng.integers(0, rows, count), "idx_r": rng.integers(0, rows, count)},
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32},
    )
    together = compare(frame, frame, pairs, spec)
    batches = pl.concat(
        compare(frame, frame, pairs.slice(start, 1000), spec) for start in range(0, count, 1000)
    )
    assert together.equals(batches)
    # Columns gathered when first read and dropped after their last comparison, as at scale.
    monkeypatch.setattr(comparisons, "GATHER_AHEAD_BELOW_PAIRS", 0)
    assert compare(frame, frame, pairs, spec).equals(together)


@given(st.lists(st.dates(min_value=dt.date(1, 1, 1)), min_size=1, max_size=20))
def test_day_number_counts_days_from_1970_for_numbers_arrays_and_expressions(
    dates: list[dt.date],
) -> None:
    expected = [(date - dt.date(1970, 1, 1)).days for date in dates]
    years, months, days = ([getattr(d, part) for d in dates] for part in ("year", "month", "day"))
    assert [day_number(*parts) for parts in zip(years, months, days, strict=True)] == expected
    arrays = (np.array(values, dtype=np.int64) for values in (years, months, days))
    assert day_number(*arrays).tolist() == expected
    frame = pl.DataFrame(
        {"y": years, "m": months, "d": days}, schema=dict.fromkeys("ymd", pl.Int64)
    )
    assert (
        frame.select(day_number(pl.col("y"), pl.col("m"), pl.col("d"))).to_series().to_list()
        == expected
    )


short_text = st.one_of(st.none(), st.sampled_from(["", "a", "b", "ab", "ä"]))
text_row = st.tuples(short_text, short_text, short_text, short_text)


@settings(max_examples=60, deadline=None)
@given(st.lists(text_row, min_size=1, max_size=8), st.lists(text_row, min_size=1, max_size=8))
def test_blocking_key_codes_give_the_levels_of_the_strings(
    left_rows: list[tuple[str | None, ...]], right_rows: list[tuple[str | None, ...]]
) -> None:
    """Codes reused from the rule ids stand in only for columns compared by equality with
    themselves; levels are those of the strings either way."""
    spec = LinkageSpec(
        record_id="id",
        blocking=[block_on("a"), block_on("b", "d")],
        comparisons=[
            Comparison(name="a", column="a", levels=[NullLevel(), ExactLevel(), ElseLevel()]),
            Comparison(
                name="b",
                column="b",
                levels=[NullLevel(), ExactLevel(), ExactLevel(pairs=[("b", "c")]), ElseLevel()],
            ),
            Comparison(
                name="d",
                column="d",
                levels=[
                    NullLevel(columns=["a"]),
                    SimilarityLevel(metric="jaro_winkler", threshold=0.9),
                    ElseLevel(),
                ],
            ),
        ],
    )
    schema = dict.fromkeys("abcd", pl.String)
    left, right = (
        pl.DataFrame(rows, schema=schema, orient="row") for rows in (left_rows, right_rows)
    )
    pairs = pl.DataFrame(
        [(i, j) for i in range(left.height) for j in range(right.height)],
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32},
        orient="row",
    )
    reused = prepare(left, right, spec, text_codes=rule_ids(left, right, spec.blocking).text_codes)
    assert reused.left.schema["a"] == reused.right.schema["a"] == pl.UInt32
    assert "a" not in reused.encoded and "d" in reused.encoded
    assert reused.left.schema["b"] == pl.String  # also compared with c
    expected = compute_levels(prepare(left, right, spec), pairs, spec)
    assert compute_levels(reused, pairs, spec).equals(expected)
