"""Decisions per register record: each record on its own evidence; clear winners link, weak,
contested or contradicted ones go to review, and duplicate clusters never join two links."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from regmod.reconcile.decide import (
    CLAIMED,
    DUPLICATE_CONFLICT,
    NEAR_TIE,
    SAME_IDNR_TWICE,
    TWO_IDNR,
    DecisionRules,
    Decisions,
    decide,
)

RULES = DecisionRules(match_threshold=0.999, review_threshold=0.5, tie_margin=4.0)

Pair = tuple[int, int, float] | tuple[int, int, float, list[str]]


def _frame(rows: list[Pair]) -> pl.DataFrame:
    full = [(*row[:3], ", ".join(row[3] if len(row) == 4 else [])) for row in rows]
    frame = pl.DataFrame(
        full,
        schema={
            "idx_l": pl.UInt32,
            "idx_r": pl.UInt32,
            "match_weight": pl.Float64,
            "contradictions": pl.String,
        },
        orient="row",
    )
    return frame.with_columns(
        match_probability=1 / (1 + 2 ** (-pl.col("match_weight"))),
        decisively_equal=pl.col("contradictions") == "",
        same_residence=pl.lit(True),
    )


def _decide(rows: list[Pair], count: int, dedupe: list[Pair] | None = None) -> Decisions:
    return decide(_frame(rows), _frame(dedupe or []), count, RULES)


def _decisions(rows: list[Pair], count: int, dedupe: list[Pair] | None = None) -> list[str]:
    return _decide(rows, count, dedupe).records["decision"].cast(str).to_list()


def test_clear_winner_above_match_threshold_is_linked() -> None:
    assert _decisions([(0, 0, 25.0), (0, 1, 3.0)], 1) == ["match"]


def test_winner_below_match_threshold_goes_to_review() -> None:
    assert _decisions([(0, 0, 5.0)], 1) == ["review"]


def test_near_tie_between_two_strong_candidates_goes_to_review_with_both() -> None:
    decisions = _decide([(0, 0, 25.0), (0, 1, 23.0)], 1)
    assert decisions.records["decision"].cast(str).to_list() == ["review"]
    assert decisions.review_candidates["rank"].to_list() == [1, 2]


def test_record_without_candidate_above_review_threshold_is_no_match() -> None:
    decisions = _decide([(0, 0, -3.0)], 2)
    assert decisions.records["decision"].cast(str).to_list() == ["no_match", "no_match"]
    assert decisions.records["idx_r"].to_list() == [0, None]


def test_contradicted_candidate_is_never_linked_however_high_its_weight() -> None:
    decisions = _decide([(0, 0, 60.0, ["first_names"])], 1)
    assert decisions.records["decision"].cast(str).to_list() == ["review"]
    assert decisions.records["reason"][0] == "contradicted by first_names"


def test_twins_each_take_their_own_idnr() -> None:
    # Twin records 0 and 1 score against both twins' reference rows; each leads on its own.
    rows: list[Pair] = [(0, 0, 40.0), (0, 1, 30.0), (1, 0, 30.0), (1, 1, 40.0)]
    decisions = _decide(rows, 2, dedupe=[(0, 1, 35.0, ["first_names"])])
    assert decisions.records["decision"].cast(str).to_list() == ["match", "match"]
    assert decisions.records["idx_r"].to_list() == [0, 1]
    assert decisions.clusters["cluster_id"].to_list() == [0, 1]


def test_records_deduplication_joins_but_that_link_apart_go_to_review() -> None:
    rows: list[Pair] = [(0, 0, 40.0), (0, 1, 30.0), (1, 0, 30.0), (1, 1, 40.0)]
    decisions = _decide(rows, 2, dedupe=[(0, 1, 35.0)])
    assert decisions.records["idx_r"].to_list() == [0, 1]
    assert decisions.records["decision"].cast(str).to_list() == ["review", "review"]
    assert decisions.records["reason"].to_list() == [DUPLICATE_CONFLICT] * 2


def test_twin_whose_own_row_is_missing_does_not_take_the_other_twins_idnr() -> None:
    decisions = _decide([(0, 0, 40.0), (1, 0, 31.0, ["first_names"])], 2)
    assert decisions.records["decision"].cast(str).to_list() == ["match", "review"]


def test_duplicates_in_register_share_one_link() -> None:
    decisions = _decide([(0, 0, 25.0), (1, 0, 22.0)], 2, dedupe=[(0, 1, 30.0)])
    assert decisions.records["decision"].cast(str).to_list() == ["match", "match"]
    assert decisions.records["idx_r"].to_list() == [0, 0]
    assert decisions.clusters["cluster_id"].to_list() == [0, 0]


def test_two_different_records_claiming_one_idnr_leave_the_weaker_in_review() -> None:
    decisions = _decide([(0, 0, 35.0), (1, 0, 22.0)], 2)
    assert decisions.records["decision"].cast(str).to_list() == ["match", "review"]
    assert decisions.records["reason"][1] == CLAIMED
    assert decisions.clusters["cluster_id"].to_list() == [0, 1]


def test_two_different_records_claiming_one_idnr_closely_both_go_to_review() -> None:
    assert _decisions([(0, 0, 25.0), (1, 0, 23.0)], 2) == ["review", "review"]


def test_contradicting_dedupe_pair_is_no_duplicate() -> None:
    decisions = _decide([(0, 0, 35.0), (1, 0, 22.0)], 2, dedupe=[(0, 1, 30.0, ["birth_date"])])
    assert decisions.records["decision"].cast(str).to_list() == ["match", "review"]


_rows = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, 5),
        st.floats(-20, 40),
        st.sampled_from([[], [], ["first_names"]]),
    ),
    unique_by=lambda row: (row[0], row[1]),
    max_size=25,
)
_dedupe = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(-5, 40), st.just([])).filter(
        lambda row: row[0] < row[1]
    ),
    unique_by=lambda row: (row[0], row[1]),
    max_size=8,
)


@given(_rows, _dedupe)
def test_every_record_gets_one_decision_and_clusters_never_join_two_links(
    rows: list[Pair], dedupe: list[Pair]
) -> None:
    decisions = _decide(rows, 6, dedupe)
    records = decisions.records
    assert records["idx_l"].to_list() == list(range(6))
    linked = records.filter(pl.col("decision") == "match").join(
        decisions.clusters.rename({"idx": "idx_l"}), on="idx_l"
    )
    per_cluster = linked.group_by("cluster_id").agg(pl.col("idx_r").n_unique())
    assert (per_cluster["idx_r"] == 1).all()
    contradicted = _frame(rows).filter(pl.col("contradictions") != "")
    assert linked.join(contradicted, on=["idx_l", "idx_r"], how="semi").is_empty()


@given(_rows, _dedupe, st.integers(0, 5), st.floats(-20, 60))
def test_an_unrelated_contradicted_record_changes_no_other_decision(
    rows: list[Pair], dedupe: list[Pair], target: int, weight: float
) -> None:
    before = _decide(rows, 6, dedupe).records
    twin: list[Pair] = [(6, target, weight, ["first_names"])]
    after = _decide([*rows, *twin], 7, [*dedupe, (target, 6, 50.0, ["first_names"])]).records
    assert after.head(6).equals(before)


@given(st.permutations(list(range(6))))
def test_input_row_order_does_not_change_decisions(order: list[int]) -> None:
    rows: list[Pair] = [
        (0, 0, 25.0),
        (0, 1, 23.0),
        (1, 1, 30.0),
        (2, 2, 5.0),
        (3, 3, 12.0),
        (4, 3, 11.0),
    ]
    expected = _decide(rows, 5).records
    assert _decide([rows[i] for i in order], 5).records.equals(expected)


def test_a_near_tie_between_two_rows_of_one_idnr_is_named() -> None:
    ids = pl.Series(["36574261809", "36574261809"])
    decisions = decide(
        _frame([(0, 0, 30.0), (0, 1, 29.0)]), _frame([]), 1, RULES, reference_ids=ids
    )
    assert decisions.records["reason"][0] == SAME_IDNR_TWICE


def test_two_strong_uncontradicted_candidates_suggest_two_idnr_for_one_person() -> None:
    assert _decide([(0, 0, 30.0), (0, 1, 29.0)], 1).records["reason"][0] == TWO_IDNR
    contradicted = _decide([(0, 0, 30.0), (0, 1, 29.0, ["first_names"])], 1)
    assert contradicted.records["reason"][0] == NEAR_TIE


def test_deduplication_never_joins_a_linked_record_to_an_unlinked_one() -> None:
    # Record 1 fits no reference row well enough, though deduplication calls it record 0's double.
    decisions = _decide([(0, 0, 30.0), (1, 0, 5.0)], 2, dedupe=[(0, 1, 40.0)])
    assert decisions.records["decision"].cast(str).to_list() == ["match", "review"]
    assert decisions.clusters["cluster_id"].to_list() == [0, 1]
