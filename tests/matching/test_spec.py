"""LinkageSpec: declarative, validated, JSON round-trippable."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching import (
    Comparison,
    DateColumns,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    NullLevel,
    SimilarityLevel,
    SpecError,
    Training,
    block_on,
    date_comparison,
    exact_comparison,
    string_comparison,
)

DOB = DateColumns(year="birth_year", month="birth_month", day="birth_day")


def small_spec(**changes: object) -> LinkageSpec:
    arguments: dict[str, object] = {
        "record_id": "id",
        "blocking": [block_on("surname"), block_on("substr(first_name, 1, 2)", "birth_year")],
        "comparisons": [
            string_comparison("surname", term_frequency=True),
            exact_comparison("first_name"),
            date_comparison("birth_date", DOB),
        ],
    }
    arguments.update(changes)
    return LinkageSpec.model_validate(arguments)


thresholds = st.lists(st.floats(0.05, 1.0), min_size=1, max_size=3, unique=True)


@given(
    thresholds, st.sampled_from(["jaro_winkler", "levenshtein", "damerau_levenshtein", "jaccard"])
)
def test_spec_survives_a_json_round_trip(values: list[float], metric: str) -> None:
    spec = small_spec(
        comparisons=[
            string_comparison("surname", metric=metric, thresholds=values),  # type: ignore[arg-type]
            date_comparison("birth_date", DOB, within_days=10, within_years=None),
            Comparison(
                name="names_crossed",
                levels=[
                    NullLevel(columns=["surname"]),
                    ExactLevel(pairs=[("birth_name", "surname"), ("surname", "birth_name")]),
                    ElseLevel(),
                ],
            ),
        ],
        training=Training(seed=3, u_random_pairs=5000),
    )
    assert LinkageSpec.model_validate_json(spec.model_dump_json()) == spec


def test_spec_carries_a_version() -> None:
    assert small_spec().model_dump()["version"] == 1


def test_last_level_must_be_else() -> None:
    with pytest.raises(SpecError, match="last level must be 'else'"):
        Comparison(name="surname", column="surname", levels=[NullLevel(), ExactLevel()])


def test_null_level_only_first() -> None:
    with pytest.raises(SpecError, match="null level may only come first"):
        Comparison(name="s", column="s", levels=[ExactLevel(), NullLevel(), ElseLevel()])


def test_level_without_a_column_is_refused() -> None:
    with pytest.raises(SpecError, match="needs a column"):
        Comparison(name="s", levels=[ExactLevel(), ElseLevel()])


def test_comparison_names_must_be_unique() -> None:
    with pytest.raises(SpecError, match="repeated"):
        small_spec(comparisons=[exact_comparison("surname"), exact_comparison("surname")])


def test_training_rule_index_must_exist() -> None:
    with pytest.raises(SpecError, match="out of range"):
        small_spec(training=Training(em_blocking_rules=[5]))


def test_invalid_blocking_expression_names_the_key() -> None:
    with pytest.raises(SpecError, match="neither a column name"):
        small_spec(blocking=[block_on("substr(surname,")]).input_columns()


def test_input_columns_cover_blocking_expressions_and_dates() -> None:
    columns = small_spec().input_columns()
    assert {"id", "surname", "first_name", "birth_year", "birth_month", "birth_day"} <= columns


def test_agreement_levels_are_numbered_without_the_null_level() -> None:
    comparison = string_comparison("surname", thresholds=(0.8, 0.92))
    assert comparison.level_labels() == [
        "exact",
        "jaro_winkler >= 0.92",
        "jaro_winkler >= 0.8",
        "else",
    ]


def test_term_frequency_applies_to_the_exact_level_column() -> None:
    comparison = string_comparison("surname", term_frequency=True)
    assert comparison.tf_level_index == 0
    assert comparison.tf_column == "surname"


def test_level_labels_name_cross_column_pairs() -> None:
    level = SimilarityLevel(metric="jaro_winkler", threshold=0.9, pairs=[("a", "b")])
    assert level.label() == "jaro_winkler >= 0.9 [a~b]"
