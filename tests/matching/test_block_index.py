"""The single-query blocking lookup: its hash, and blocks that stay exact when hashes collide."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching import block_index
from matching.block_index import BlockIndex
from matching.spec import block_on

REFERENCE = pl.DataFrame(
    {"surname": ["a", "a", "b", None, "a"], "year": [1, 1, 1, 2, 2]},
    schema={"surname": pl.String, "year": pl.Int64},
)
SCHEMA = REFERENCE.schema


@given(st.lists(st.integers(min_value=0, max_value=2**31 - 1), min_size=1, max_size=4))
def test_one_row_hash_equals_the_column_hash(codes: list[int]) -> None:
    columns = [np.array([code], dtype=np.int32) for code in codes]
    assert block_index._mix_one(codes) == int(block_index._mix(columns)[0])


def _rows(index: BlockIndex, surname: str | None, year: int) -> list[int]:
    return index.rows({"surname": surname, "year": year}, SCHEMA).tolist()


def _constant_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every key tuple hashes alike, so each lookup meets a collision."""
    monkeypatch.setattr(block_index, "_mix", lambda codes: np.zeros(len(codes[0]), dtype=np.uint64))
    monkeypatch.setattr(block_index, "_mix_one", lambda codes: 0)


def test_blocks_hold_exactly_the_rows_sharing_the_key() -> None:
    index = BlockIndex(REFERENCE, [block_on("surname", "year")])
    assert _rows(index, "a", 1) == [0, 1]
    assert _rows(index, "a", 2) == [4]
    assert _rows(index, "b", 2) == []
    assert _rows(index, None, 1) == []


def test_colliding_key_tuples_in_the_reference_are_told_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _constant_hash(monkeypatch)
    index = BlockIndex(REFERENCE, [block_on("surname", "year")])
    assert _rows(index, "a", 1) == [0, 1]
    assert _rows(index, "b", 1) == [2]
    assert _rows(index, "b", 2) == []


def test_a_query_key_colliding_with_the_only_reference_key_finds_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _constant_hash(monkeypatch)
    reference = REFERENCE.head(2).vstack(REFERENCE.slice(3, 1))  # keys (a, 1) twice; (null, 2)
    index = BlockIndex(reference, [block_on("surname", "year")])
    assert _rows(index, "a", 1) == [0, 1]
    assert _rows(index, "a", 2) == []  # both values known, the tuple is not: same hash run
