"""Blocking: equi-join pairs, earlier rules win, counts before joining, partitions, guard."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    BlockingExplosionError,
    LinkageSpec,
    analyse_blocking,
    block,
    block_on,
    block_partition,
    exact_comparison,
    rule_agreement,
)
from matching.blocking import _largest_group_bound, rule_column, rule_ids

RULES = [block_on("a"), block_on("b", "c"), block_on("substr(d, 1, 1)")]


def spec_for(rules: list[object] | None = None, **changes: object) -> LinkageSpec:
    arguments: dict[str, object] = {
        "record_id": "id",
        "blocking": rules or RULES,
        "comparisons": [exact_comparison("a")],
    }
    arguments.update(changes)
    return LinkageSpec.model_validate(arguments)


small_values = st.one_of(st.none(), st.integers(0, 2))
rows = st.fixed_dictionaries(
    {
        "a": small_values,
        "b": small_values,
        "c": small_values,
        "d": st.sampled_from([None, "x1", "x2", "y"]),
    }
)


def frame(records: list[dict[str, object]]) -> pl.DataFrame:
    schema = {"a": pl.Int64, "b": pl.Int64, "c": pl.Int64, "d": pl.String}
    data = pl.DataFrame(records, schema=schema) if records else pl.DataFrame(schema=schema)
    return data.with_row_index("id").with_columns(pl.col("id").cast(pl.String))


def agrees(left: dict[str, object], right: dict[str, object]) -> bool:
    def same(key: str, first: object, second: object) -> bool:
        return first is not None and second is not None and first == second

    d_left = None if left["d"] is None else str(left["d"])[:1]
    d_right = None if right["d"] is None else str(right["d"])[:1]
    return (
        same("a", left["a"], right["a"])
        or (same("b", left["b"], right["b"]) and same("c", left["c"], right["c"]))
        or same("d", d_left, d_right)
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(rows, max_size=12), st.lists(rows, max_size=12))
def test_pairs_are_exactly_those_agreeing_on_some_rule(
    left_rows: list[dict[str, object]], right_rows: list[dict[str, object]]
) -> None:
    pairs = block(frame(left_rows), frame(right_rows), spec_for())
    expected = [
        (i, j)
        for (i, left), (j, right) in itertools.product(enumerate(left_rows), enumerate(right_rows))
        if agrees(left, right)
    ]
    assert pairs.rows() == expected
    assert pairs.schema == {"idx_l": pl.UInt32, "idx_r": pl.UInt32}


@settings(max_examples=60, deadline=None)
@given(st.lists(rows, max_size=12), st.lists(rows, max_size=12))
def test_analysis_counts_match_the_pairs_produced(
    left_rows: list[dict[str, object]], right_rows: list[dict[str, object]]
) -> None:
    left, right = frame(left_rows), frame(right_rows)
    report = analyse_blocking(left, right, spec_for())
    assert report.total_pairs == block(left, right, spec_for()).height
    for index, rule in enumerate(RULES):
        alone = block(left, right, spec_for([rule])).height
        assert report.rules[index].pairs == alone
    # The guard's cheap bound (groups counted by hashed bin) is never below the rules' pairs.
    rules = [rule_column(index) for index in range(len(RULES))]
    bound = _largest_group_bound(rule_ids(left, right, RULES), rules)
    assert bound >= sum(rule.pairs for rule in report.rules)


@settings(max_examples=40, deadline=None)
@given(st.lists(rows, max_size=14))
def test_dedupe_pairs_each_record_pair_once_with_smaller_index_left(
    records: list[dict[str, object]],
) -> None:
    data = frame(records)
    pairs = block(data, None, spec_for(link_type="dedupe"))
    expected = [
        (i, j)
        for i, j in itertools.combinations(range(len(records)), 2)
        if agrees(records[i], records[j])
    ]
    assert pairs.rows() == expected
    assert analyse_blocking(data, None, spec_for(link_type="dedupe")).total_pairs == len(expected)


@settings(max_examples=30, deadline=None)
@given(st.lists(rows, max_size=12), st.lists(rows, max_size=12), st.integers(2, 4))
def test_partitions_together_give_exactly_the_whole(
    left_rows: list[dict[str, object]], right_rows: list[dict[str, object]], partitions: int
) -> None:
    left, right = frame(left_rows), frame(right_rows)
    parts = [
        block_partition(left, right, RULES, partition=p, partitions=partitions)
        for p in range(partitions)
    ]
    assert pl.concat(parts).sort("idx_l", "idx_r").rows() == block(left, right, spec_for()).rows()


def test_null_keys_never_match() -> None:
    left = frame([{"a": None, "b": None, "c": None, "d": None}])
    assert block(left, left, spec_for()).is_empty()


def test_pair_found_by_an_earlier_rule_is_not_repeated_by_a_later_one() -> None:
    record = {"a": 1, "b": 2, "c": 3, "d": "x"}
    left = frame([record])
    report = analyse_blocking(left, left, spec_for())
    assert [r.pairs for r in report.rules] == [1, 1, 1]
    assert [r.new_pairs for r in report.rules] == [1, 0, 0]
    assert block(left, left, spec_for()).height == 1


def test_guard_refuses_a_rule_that_would_explode() -> None:
    data = frame([{"a": 1, "b": 0, "c": 0, "d": None}] * 50)
    with pytest.raises(BlockingExplosionError, match="rule 0 on \\['a'\\]"):
        block(data, data, spec_for(max_pairs=100))


def test_guard_passes_blocking_that_only_a_loose_bound_puts_over_the_limit() -> None:
    left = frame([{"a": 1, "b": None, "c": None, "d": None}] * 10)
    right = frame([{"a": 2, "b": None, "c": None, "d": None}] * 10)
    # largest left group (10) times keyed right rows (10) exceeds 50; the real count is 0
    assert block(left, right, spec_for(max_pairs=50)).is_empty()
    with pytest.raises(BlockingExplosionError):
        block(left, left, spec_for(max_pairs=50))


def test_rule_agreement_flags_every_rule_a_pair_agrees_on() -> None:
    left = frame([{"a": 1, "b": 2, "c": 3, "d": "x"}])
    right = frame([{"a": 1, "b": 2, "c": 4, "d": "xy"}])
    pairs = block(left, right, spec_for())
    flags = rule_agreement(left, right, pairs, RULES)
    assert flags.row(0) == (True, False, True)


def test_rule_agreement_never_flags_a_rule_whose_keys_are_null_on_both_sides() -> None:
    left = frame([{"a": 1, "b": None, "c": 3, "d": None}, {"a": 2, "b": 5, "c": 6, "d": "y"}])
    right = frame([{"a": 1, "b": None, "c": 3, "d": None}, {"a": 2, "b": 5, "c": 6, "d": "y"}])
    pairs = block(left, right, spec_for())
    flags = rule_agreement(left, right, pairs, RULES)
    assert pairs.rows() == [(0, 0), (1, 1)]
    assert flags.rows() == [(True, False, False), (True, True, True)]


def test_report_renders_as_a_table() -> None:
    left = frame([{"a": 1, "b": 2, "c": 3, "d": "x"}])
    table = analyse_blocking(left, left, spec_for()).to_frame()
    assert table.columns == ["rule", "keys", "pairs", "new_pairs"]
    assert table["keys"].to_list() == ["a", "b, c", "substr(d, 1, 1)"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-(2**62), 2**62), st.floats(-2, 2)), max_size=10),
    st.lists(st.tuples(st.integers(-(2**62), 2**62), st.floats(-2, 2)), max_size=10),
)
def test_keys_too_wide_to_pack_into_one_id_still_block_exactly(
    left_rows: list[tuple[int, float]], right_rows: list[tuple[int, float]]
) -> None:
    # Two 63-bit-wide integer keys cannot share one 64-bit id; floats are ranked.
    wide = [(x, x // 3, y) for x, y in left_rows], [(x, x // 3, y) for x, y in right_rows]
    schema = {"p": pl.Int64, "q": pl.Int64, "f": pl.Float64}
    left, right = (
        pl.DataFrame(rows, schema=schema, orient="row").with_row_index("id") for rows in wide
    )
    spec = spec_for([block_on("p", "q"), block_on("f")])
    expected = [
        (i, j)
        for (i, a), (j, b) in itertools.product(enumerate(wide[0]), enumerate(wide[1]))
        if a[:2] == b[:2] or a[2] == b[2]
    ]
    assert block(left, right, spec).rows() == expected


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([pl.Int8, pl.UInt8, pl.Int32, pl.UInt32]),
    st.lists(st.integers(0, 3), max_size=8),
    st.lists(st.integers(0, 3), max_size=8),
)
def test_narrow_integer_keys_block_exactly_across_their_whole_range(
    dtype: type[pl.DataType], left_picks: list[int], right_picks: list[int]
) -> None:
    info = {pl.Int8: (-(2**7), 2**7 - 1), pl.UInt8: (0, 2**8 - 1)}
    info |= {pl.Int32: (-(2**31), 2**31 - 1), pl.UInt32: (0, 2**32 - 1)}
    low, high = info[dtype]
    values = [low, low + 1, high - 1, high]
    left, right = (
        pl.DataFrame({"k": [values[p] for p in picks]}, schema={"k": dtype}).with_row_index("id")
        for picks in (left_picks, right_picks)
    )
    expected = [
        (i, j)
        for (i, a), (j, b) in itertools.product(enumerate(left_picks), enumerate(right_picks))
        if a == b
    ]
    assert block(left, right, spec_for([block_on("k")])).rows() == expected
