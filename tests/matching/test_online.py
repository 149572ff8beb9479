"""Specification of the online index: one query record in, scored candidates as in batch out."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from matching.blocking import block
from matching.errors import MatchingError, SpecError
from matching.model import ComparisonParameters, Parameters, TrainedModel
from matching.online import OnlineIndex
from matching.scoring import predict
from matching.spec import LinkageSpec, block_on, exact_comparison, string_comparison

REFERENCE = pl.DataFrame(
    {
        "rec_id": ["r0", "r1", "r2", "r3", "r4", "r5"],
        "surname": ["meyer", "meyer", "maier", "schulz", None, "meyer"],
        "first_name": ["anna", "anne", "anna", "karl", "anna", "jonas"],
        "birth_year": [1980, 1980, 1980, 1975, 1980, 1990],
        "city": ["koeln", "koeln", "bonn", "koeln", "bonn", None],
    }
)


def model() -> TrainedModel:
    spec = LinkageSpec(
        record_id="rec_id",
        blocking=[block_on("surname"), block_on("first_name", "birth_year")],
        comparisons=[
            string_comparison("surname", thresholds=(0.85,), term_frequency=True),
            string_comparison("first_name", thresholds=(0.9,)),
            exact_comparison("birth_year"),
            exact_comparison("city"),
        ],
    )
    return TrainedModel(
        spec=spec,
        parameters=Parameters(
            prior=0.01,
            comparisons={
                "surname": ComparisonParameters(m=[0.8, 0.15, 0.05], u=[0.02, 0.08, 0.9]),
                "first_name": ComparisonParameters(m=[0.85, 0.1, 0.05], u=[0.03, 0.07, 0.9]),
                "birth_year": ComparisonParameters(m=[0.95, 0.05], u=[0.05, 0.95]),
                "city": ComparisonParameters(m=[0.7, 0.3], u=[0.3, 0.7]),
            },
            term_frequencies={"surname": {"meyer": 0.3, "maier": 0.1, "schulz": 0.1}},
        ),
    )


@pytest.fixture(scope="module")
def index() -> OnlineIndex:
    return OnlineIndex(REFERENCE, model())


QUERY = {"surname": "meyer", "first_name": "anna", "birth_year": 1980, "city": "koeln"}


def batch_scores(query: Mapping[str, object]) -> pl.DataFrame:
    """The same query scored the batch way: blocking and predict over the whole reference."""
    query_frame = pl.DataFrame([query], schema={k: REFERENCE.schema[k] for k in query})
    pairs = block(query_frame, REFERENCE, model().spec)
    return predict(query_frame, REFERENCE, pairs, model()).sort("idx_r")


def test_query_returns_candidates_strongest_first_with_lead_over_runner_up(
    index: OnlineIndex,
) -> None:
    result = index.query(QUERY, top_k=3)
    weights = result.candidates["match_weight"].to_list()
    assert result.candidates["rec_id"][0] == "r0"
    assert weights == sorted(weights, reverse=True)
    assert result.margin == pytest.approx(weights[0] - weights[1])
    assert result.candidates["margin"][1] == pytest.approx(weights[1] - weights[0])
    assert result.candidates.height == 3


def assert_equals_batch(online: pl.DataFrame, query: Mapping[str, object]) -> None:
    """Same pairs, and bit for bit the levels, tf, Bayes factors, weights and probabilities."""
    batch = batch_scores(query)
    assert_frame_equal(
        online.sort("idx_r").select(batch.drop("idx_l").columns), batch.drop("idx_l")
    )


def test_online_weights_equal_batch_scoring_of_the_same_pairs(index: OnlineIndex) -> None:
    assert_equals_batch(index.query(QUERY, top_k=10).candidates, QUERY)


def test_candidates_hold_record_id_and_batch_columns_in_order(index: OnlineIndex) -> None:
    columns = index.query(QUERY).candidates.columns
    batch = batch_scores(QUERY).drop("idx_l", "idx_r").columns
    assert columns == ["idx_r", "rec_id", *batch, "margin"]


def test_candidates_come_from_any_rule_and_null_keys_never_block(index: OnlineIndex) -> None:
    result = index.query({"surname": None, "first_name": "anna", "birth_year": 1980}, top_k=10)
    assert sorted(result.candidates["rec_id"].to_list()) == ["r0", "r2", "r4"]
    assert result.n_candidates == 3


def test_explanation_of_a_candidate_adds_up_to_its_weight(index: OnlineIndex) -> None:
    result = index.query(QUERY)
    waterfall = result.explanation(0)
    assert waterfall["component"][0] == "prior"
    assert waterfall["cumulative_weight"][-1] == result.candidates["match_weight"][0]


def test_query_without_candidates_gives_empty_result(index: OnlineIndex) -> None:
    result = index.query({"surname": "unknown"})
    assert result.candidates.height == 0
    assert result.n_candidates == 0
    assert result.margin is None


def test_single_candidate_has_no_margin(index: OnlineIndex) -> None:
    result = index.query({"surname": "schulz"})
    assert result.candidates["rec_id"].to_list() == ["r3"]
    assert result.margin is None


def test_query_as_one_row_frame_equals_query_as_mapping(index: OnlineIndex) -> None:
    as_frame = index.query(pl.DataFrame([QUERY])).candidates
    assert as_frame.equals(index.query(QUERY).candidates)


def test_query_of_several_rows_is_rejected(index: OnlineIndex) -> None:
    with pytest.raises(MatchingError, match="one record"):
        index.query(pl.DataFrame([QUERY, QUERY]))


def test_reference_without_a_spec_column_is_rejected() -> None:
    with pytest.raises(SpecError, match="city"):
        OnlineIndex(REFERENCE.drop("city"), model())


names = st.sampled_from(["meyer", "maier", "schulz", "meier", None])
first_names = st.sampled_from(["anna", "anne", "karl", "jonas", None])


@settings(max_examples=40, deadline=None)
@given(surname=names, first_name=first_names, year=st.sampled_from([1975, 1980, 1990, None]))
def test_online_candidates_and_weights_match_batch_for_any_query(
    index: OnlineIndex, surname: str | None, first_name: str | None, year: int | None
) -> None:
    query = {"surname": surname, "first_name": first_name, "birth_year": year, "city": "koeln"}
    assert_equals_batch(index.query(query, top_k=10).candidates, query)


def test_query_values_are_cast_to_the_reference_types(index: OnlineIndex) -> None:
    as_text = index.query({**QUERY, "birth_year": "1980"}).candidates
    assert as_text.equals(index.query(QUERY).candidates)
    with pytest.raises(MatchingError, match="do not fit"):
        index.query({**QUERY, "birth_year": "nineteen eighty"})


def test_blocking_on_an_expression_key_finds_its_block() -> None:
    spec = model().spec.model_copy(update={"blocking": [block_on("substr(surname, 1, 2)")]})
    expression_model = model().model_copy(update={"spec": spec})
    result = OnlineIndex(REFERENCE, expression_model).query({"surname": "meier"}, top_k=10)
    assert sorted(result.candidates["rec_id"].to_list()) == ["r0", "r1", "r5"]
