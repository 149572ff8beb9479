"""Packed short strings: one edit apart exactly where the edit distances say so."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA, DamerauLevenshtein, Levenshtein

from matching.packed_strings import WORD_BYTES, at_least, at_most_one_edit, pack, same_length

short = st.text(alphabet="019ab\0~", max_size=WORD_BYTES)


def words_of(values: list[str | None]) -> np.ndarray:
    words, fits = pack(pl.Series(values, dtype=pl.String))
    assert fits.all()
    return words


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(short, short), min_size=1, max_size=30))
@example(values=[("19560409", "19560490"), ("19560409", "19650409"), ("ab", "ba")])
@example(values=[("abc", "acb"), ("abcd", "badc"), ("a\0", "\0a"), ("", "")])
def test_one_edit_apart_exactly_where_the_distances_say(values: list[tuple[str, str]]) -> None:
    left, right = words_of([a for a, _ in values]), words_of([b for _, b in values])
    lengths_equal = same_length(left, right)
    assert lengths_equal.tolist() == [len(a) == len(b) for a, b in values]
    assert (left == right).tolist() == [a == b for a, b in values]
    equal = np.flatnonzero(lengths_equal)
    kept = [values[i] for i in equal]
    substitutions = at_most_one_edit(left[equal], right[equal], transpositions=False)
    swaps = at_most_one_edit(left[equal], right[equal], transpositions=True)
    assert substitutions.tolist() == [Levenshtein.distance(a, b) <= 1 for a, b in kept]
    assert swaps.tolist() == [OSA.distance(a, b) <= 1 for a, b in kept]
    assert swaps.tolist() == [DamerauLevenshtein.distance(a, b) <= 1 for a, b in kept]


@given(st.lists(short, min_size=1, max_size=20), st.integers(1, WORD_BYTES))
def test_at_least_reads_the_length(values: list[str], length: int) -> None:
    assert at_least(words_of(values), length).tolist() == [len(v) >= length for v in values]


def test_values_that_do_not_fit_are_flagged() -> None:
    _, fits = pack(pl.Series(["12345678", "123456789", "müller", None, ""]))
    assert fits.tolist() == [True, False, False, False, True]
