"""Decisions per register record: clear winners link, weak or contested ones go to review."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from regmod.reconcile.decide import DecisionRules, decide

RULES = DecisionRules(match_threshold=0.999, review_threshold=0.5, tie_margin=4.0)


def _scored(rows: list[tuple[int, int, float]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32, "match_weight": pl.Float64},
        orient="row",
    )
    return frame.with_columns(match_probability=1 / (1 + 2 ** (-pl.col("match_weight"))))


def _singletons(count: int) -> pl.Series:
    return pl.Series(range(count), dtype=pl.UInt32)


def _decisions(rows: list[tuple[int, int, float]], count: int) -> list[str]:
    return decide(_scored(rows), _singletons(count), RULES).records["decision"].cast(str).to_list()


def test_clear_winner_above_match_threshold_is_linked() -> None:
    assert _decisions([(0, 0, 25.0), (0, 1, 3.0)], 1) == ["match"]


def test_winner_below_match_threshold_goes_to_review() -> None:
    assert _decisions([(0, 0, 5.0)], 1) == ["review"]


def test_near_tie_between_two_strong_candidates_goes_to_review_with_both() -> None:
    decisions = decide(_scored([(0, 0, 25.0), (0, 1, 23.0)]), _singletons(1), RULES)
    assert decisions.records["decision"].cast(str).to_list() == ["review"]
    assert decisions.review_candidates["rank"].to_list() == [1, 2]


def test_record_without_candidate_above_review_threshold_is_no_match() -> None:
    decisions = decide(_scored([(0, 0, -3.0)]), _singletons(2), RULES)
    assert decisions.records["decision"].cast(str).to_list() == ["no_match", "no_match"]
    assert decisions.records["idx_r"].to_list() == [0, None]


def test_duplicates_in_register_share_one_link() -> None:
    persons = pl.Series([0, 0], dtype=pl.UInt32)
    decisions = decide(_scored([(0, 0, 25.0), (1, 0, 22.0)]), persons, RULES)
    assert decisions.records["decision"].cast(str).to_list() == ["match", "match"]
    assert decisions.records["idx_r"].to_list() == [0, 0]


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(-20, 40)),
        unique_by=lambda row: (row[0], row[1]),
        max_size=25,
    )
)
def test_every_record_gets_exactly_one_decision_and_links_are_one_to_one(
    rows: list[tuple[int, int, float]],
) -> None:
    records = decide(_scored(rows), _singletons(6), RULES).records
    assert records["idx_l"].to_list() == list(range(6))
    linked = records.filter(pl.col("decision") == "match")["idx_r"]
    assert linked.n_unique() == linked.len()


@given(st.permutations(list(range(6))))
def test_input_row_order_does_not_change_decisions(order: list[int]) -> None:
    rows = [(0, 0, 25.0), (0, 1, 23.0), (1, 1, 30.0), (2, 2, 5.0), (3, 3, 12.0), (4, 3, 11.0)]
    expected = decide(_scored(rows), _singletons(5), RULES).records
    shuffled = decide(_scored([rows[i] for i in order]), _singletons(5), RULES).records
    assert shuffled.equals(expected)
