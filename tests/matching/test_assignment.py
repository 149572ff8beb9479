"""Specification of the 1:1 assignment: greedy by weight, near-ties withheld for review."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.assignment import ASSIGNED, OUTRANKED, TIE, assign_one_to_one
from matching.errors import MatchingError


def pair_frame(rows: list[tuple[int, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32, "match_weight": pl.Float64},
        orient="row",
    )


def statuses(result: pl.DataFrame) -> dict[tuple[int, int], str]:
    return {(row[0], row[1]): row[2] for row in result.select("idx_l", "idx_r", "status").rows()}


def sequential_reference(
    rows: list[tuple[int, int, float]], tie_margin: float
) -> dict[tuple[int, int], tuple[str, float | None]]:
    """The greedy walk written out pair by pair, as the definition to compare against."""
    ordered = sorted(rows, key=lambda p: (-p[2], p[0], p[1]))
    decided: dict[tuple[int, int], tuple[str, float | None]] = {}
    for left, right, weight in ordered:
        if (left, right) in decided:
            continue
        rivals = [
            p
            for p in ordered
            if (p[0], p[1]) not in decided
            and (p[0], p[1]) != (left, right)
            and (p[0] == left or p[1] == right)
        ]
        margin = weight - max(p[2] for p in rivals) if rivals else None
        if margin is None or margin >= tie_margin:
            decided[(left, right)] = (ASSIGNED, margin)
        else:
            decided[(left, right)] = (TIE, margin)
            for p in rivals:
                if p[2] > weight - tie_margin:
                    decided[(p[0], p[1])] = (TIE, p[2] - weight)
        for p in rivals:
            decided.setdefault((p[0], p[1]), (OUTRANKED, None))
    return decided


def test_heavier_pair_wins_a_contested_right_record() -> None:
    result = assign_one_to_one(pair_frame([(0, 0, 12.0), (1, 0, 4.0)]), tie_margin=1.0)
    assert statuses(result) == {(0, 0): ASSIGNED, (1, 0): OUTRANKED}
    assert result.filter(status=ASSIGNED)["margin"].to_list() == [8.0]


def test_left_record_with_two_near_equal_candidates_goes_to_review_with_both() -> None:
    result = assign_one_to_one(pair_frame([(0, 0, 9.0), (0, 1, 8.7), (0, 2, 2.0)]), tie_margin=1.0)
    assert statuses(result) == {(0, 0): TIE, (0, 1): TIE, (0, 2): OUTRANKED}
    tied = result.filter(status=TIE).sort("match_weight", descending=True)
    assert tied["margin"].to_list() == pytest.approx([0.3, -0.3])


def test_right_record_contested_by_two_near_equal_left_records_goes_to_review() -> None:
    result = assign_one_to_one(pair_frame([(0, 5, 7.0), (1, 5, 6.5)]), tie_margin=1.0)
    assert statuses(result) == {(0, 5): TIE, (1, 5): TIE}


def test_competitor_already_taken_by_a_stronger_pair_does_not_cause_a_tie() -> None:
    rows = [(1, 1, 20.0), (0, 0, 10.0), (0, 1, 9.9)]
    result = assign_one_to_one(pair_frame(rows), tie_margin=1.0)
    assert statuses(result) == {(1, 1): ASSIGNED, (0, 0): ASSIGNED, (0, 1): OUTRANKED}


def test_zero_tie_margin_breaks_equal_weights_by_lowest_indices() -> None:
    result = assign_one_to_one(pair_frame([(1, 0, 5.0), (0, 0, 5.0)]), tie_margin=0.0)
    assert statuses(result) == {(0, 0): ASSIGNED, (1, 0): OUTRANKED}


def test_record_ids_far_above_the_pair_count_are_decided_alike() -> None:
    rows = [(0, 1, 9.0), (0, 2, 8.5), (3, 2, 3.0)]
    far = [(left + 4_000_000_000, right + 3_000_000_000, w) for left, right, w in rows]
    near = assign_one_to_one(pair_frame(rows), tie_margin=1.0)["status"].to_list()
    assert assign_one_to_one(pair_frame(far), tie_margin=1.0)["status"].to_list() == near
    assert near == [TIE, TIE, ASSIGNED]


def test_empty_pair_frame_gives_empty_result_with_schema() -> None:
    result = assign_one_to_one(pair_frame([]))
    assert result.height == 0
    assert result.columns == ["idx_l", "idx_r", "match_weight", "status", "margin"]


def test_missing_weight_column_is_reported_by_name() -> None:
    with pytest.raises(MatchingError, match="match_weight"):
        assign_one_to_one(pl.DataFrame({"idx_l": [0], "idx_r": [0]}))


def test_duplicate_pair_is_rejected() -> None:
    with pytest.raises(MatchingError, match="more than once"):
        assign_one_to_one(pair_frame([(0, 0, 1.0), (0, 0, 2.0)]))


def test_negative_tie_margin_is_rejected() -> None:
    with pytest.raises(MatchingError, match="tie_margin"):
        assign_one_to_one(pair_frame([(0, 0, 1.0)]), tie_margin=-1.0)


scored_pairs = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.integers(0, 6),
        st.sampled_from([-2.0, 0.0, 1.0, 1.5, 3.0, 3.25, 8.0]),
    ),
    max_size=30,
    unique_by=lambda p: (p[0], p[1]),
)


@settings(max_examples=150, deadline=None)
@given(rows=scored_pairs, tie_margin=st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_rounds_reproduce_the_sequential_greedy_walk(
    rows: list[tuple[int, int, float]], tie_margin: float
) -> None:
    result = assign_one_to_one(pair_frame(rows), tie_margin=tie_margin)
    got = {
        (r[0], r[1]): (r[2], r[3])
        for r in result.select("idx_l", "idx_r", "status", "margin").rows()
    }
    assert got == sequential_reference(rows, tie_margin)


@settings(max_examples=100, deadline=None)
@given(rows=scored_pairs, tie_margin=st.sampled_from([0.0, 1.0]), seed=st.integers(0, 2**16))
def test_assignment_is_one_to_one_and_independent_of_row_order(
    rows: list[tuple[int, int, float]], tie_margin: float, seed: int
) -> None:
    frame = pair_frame(rows)
    result = assign_one_to_one(frame, tie_margin=tie_margin)
    shuffled = assign_one_to_one(
        frame.sample(fraction=1.0, shuffle=True, seed=seed), tie_margin=tie_margin
    )
    assert result.equals(shuffled)
    assigned = result.filter(status=ASSIGNED)
    assert assigned["idx_l"].n_unique() == assigned.height
    assert assigned["idx_r"].n_unique() == assigned.height
    assert result.height == len(rows)
