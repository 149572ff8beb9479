"""Comparison levels of candidate pairs: one Int8 ``gamma_<name>`` column per comparison.

Strings that a string metric or term frequencies read are dictionary-encoded once (columns
compared with each other share codes), other strings compare as they are; values are gathered by
pair index, equal codes short-cut to exact, and each string metric runs in the native kernel once
per distinct (left value, right value) pair where values repeat.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.errors import SpecError
from matching.kernels import Metric, list_jaccard, similarity_expr
from matching.packed_strings import (
    WORD_BYTES,
    at_least,
    at_most_one_edit,
    pack,
    same_length,
)
from matching.spec import (
    Comparison,
    DateColumns,
    DateLevel,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    ListOverlapLevel,
    NumericLevel,
    SimilarityLevel,
    comparison_columns,
    level_date_columns,
    level_pairs,
    null_columns,
)

NULL_LEVEL = -1
GAMMA_DTYPE = pl.Int8
DEDUPE_FROM_ROWS = 50_000
"""Below this many pairs the kernel runs on every pair: finding the distinct pairs costs more
than it saves (German 100k blocked pairs, median of 15: first names, 23k pairs, 45 % distinct,
13 ms either way; birth places, 175k pairs, 1 % distinct, 25 ms with the step, 42 ms without)."""
THREADS_FROM_PAIRS = 20_000
"""From this many pairs the comparisons run in a thread pool; below, threads cost more."""
GATHER_AHEAD_BELOW_PAIRS = 5_000_000
"""Below this many pairs every flat column is gathered up front, in one frame gather per side
(the faster way); from it on, a column is gathered when first read and dropped after the last
comparison reading it, which bounds memory at scale (German 1M, 21 M pairs: see
benchmarks/README.md)."""
DEDUPE_BELOW_SHARE = 0.5
"""Above this many pairs, the kernel runs once per distinct pair when a sample finds fewer than
this share distinct (German 100k: birth places 0.1 % distinct, family names 70 %)."""

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
TermFrequencyTables = Mapping[str, pl.DataFrame]
"""Per comparison name, a frame ``value: String, frequency: Float64``."""


def gamma_column(name: str) -> str:
    """Name of the level column of comparison ``name``."""
    return f"gamma_{name}"


def tf_column(name: str) -> str:
    """Name of the column holding the frequency of the agreeing value (exact level only)."""
    return f"tf_{name}"


@dataclass(frozen=True)
class PreparedFrames:
    """The columns the comparisons read; ``encoded`` strings as UInt32 codes into one dictionary."""

    left: pl.DataFrame
    right: pl.DataFrame
    dictionary: pl.Series
    encoded: frozenset[str]
    tf_by_code: dict[str, pl.Series] = field(default_factory=dict)
    per_record: dict[tuple[str, str], Codes] = field(default_factory=dict)
    """Values derived once per record and side (day numbers, list signatures), for every pair
    set compared."""
    deriving: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    """Held while deriving, so pair sets compared in parallel derive each value once."""

    def derived(self, side: str, name: str, derive: Callable[[pl.DataFrame], Codes]) -> Codes:
        """``derive`` (an integer per record, and where it is null) of the ``side`` frame."""
        key = (side, name)
        with self.deriving:
            if key not in self.per_record:
                self.per_record[key] = derive(self.left if side == "l" else self.right)
            return self.per_record[key]


def prepare(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    spec: LinkageSpec,
    tf_tables: TermFrequencyTables | None = None,
    text_codes: Mapping[str, tuple[pl.Series, pl.Series]] | None = None,
) -> PreparedFrames:
    """Select the comparison columns of both frames (``right=None``: dedupe) and encode the
    text columns that string metrics or term frequencies read; other text stays ``String``,
    unless ``text_codes`` (the blocking keys' codes, ``RuleIds.text_codes``) already hold codes
    for a column that only exact levels compare, and only with itself."""
    columns = sorted(set().union(*(comparison_columns(c) for c in spec.comparisons)))
    left_part = _select(left, columns, "left")
    right_part = left_part if right is None else _select(right, columns, "right")
    text = [name for name in columns if _is_text(left_part, right_part, name)]
    as_text = [pl.col(name).cast(pl.String) for name in text]
    left_part = left_part.with_columns(as_text)
    right_part = left_part if right is None else right_part.with_columns(as_text)
    groups = _dictionary_groups(spec, set(text))
    # A fresh set of categories per group: codes number the values in order of first sight.
    # Separate sets do not contend for one lock, and exact-only columns compare as strings,
    # which costs less than encoding them (German 100k: the address key alone took 0.11 s to
    # encode; prepare 0.44 → 0.12 s).
    categories = [pl.Categories.random() for _ in groups]
    encode = [
        pl.col(name).cast(pl.Categorical(group_categories)).to_physical()
        for group, group_categories in zip(groups, categories, strict=True)
        for name in group
    ]
    left_codes = left_part.with_columns(encode)
    right_codes = left_codes if right is None else right_part.with_columns(encode)
    # Each group's codes are shifted past the groups before it, into one shared code space.
    values = [group_categories.to_series() for group_categories in categories]
    offsets = np.cumsum([0, *(len(part) for part in values)])[:-1].tolist()
    # One chunk: gathering strings from a chunked series costs about four times as much.
    dictionary = pl.concat([pl.Series(dtype=pl.String), *values]).rename("value").rechunk()
    shift = [
        (pl.col(name) + offset).cast(pl.UInt32)
        for group, offset in zip(groups, offsets, strict=True)
        for name in group
    ]
    encoded = frozenset(name for group in groups for name in group)
    # Reused codes compare as integers: the exact levels of the German postcode and phonetic
    # codes cost about a quarter as much as on the strings, and the codes cost nothing more.
    known = text_codes or {}
    reused = sorted((set(known) & set(text) & _compared_only_by_equality(spec)) - encoded)
    left_codes = left_codes.with_columns(*shift, *(known[name][0].alias(name) for name in reused))
    right_codes = (
        left_codes
        if right is None
        else right_codes.with_columns(*shift, *(known[name][1].alias(name) for name in reused))
    )
    return PreparedFrames(
        left=left_codes,
        right=right_codes,
        dictionary=dictionary,
        encoded=encoded,
        tf_by_code=_tf_by_code(spec, dictionary, encoded, tf_tables or {}),
    )


def _dictionary_groups(spec: LinkageSpec, text: set[str]) -> list[list[str]]:
    """The text columns that need codes (read by a string metric or term frequencies), grouped
    so that columns compared with each other share one dictionary."""
    needed: set[str] = set()
    links: list[tuple[str, str]] = []
    for comparison in spec.comparisons:
        if comparison.tf_column is not None:
            needed.add(comparison.tf_column)
        for level in comparison.agreement_levels:
            if isinstance(level, ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel):
                for pair in level_pairs(comparison, level):
                    links.append(pair)
                    if isinstance(level, SimilarityLevel):
                        needed.update(pair)
    group_of = {name: {name} for name in text}
    for left_name, right_name in links:
        if {left_name, right_name} <= text and group_of[left_name] is not group_of[right_name]:
            merged = group_of[left_name] | group_of[right_name]
            for name in merged:
                group_of[name] = merged
    groups = {id(group): sorted(group) for group in group_of.values() if group & needed}
    return sorted(groups.values())


def _compared_only_by_equality(spec: LinkageSpec) -> set[str]:
    """The columns that only exact levels read, each compared with itself alone (so any codes
    for which equal codes mean equal values stand in for the values)."""
    exact: set[str] = set()
    other: set[str] = set()
    for comparison in spec.comparisons:
        for level in comparison.agreement_levels:
            if isinstance(level, ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel):
                for left_name, right_name in level_pairs(comparison, level):
                    same = isinstance(level, ExactLevel) and left_name == right_name
                    (exact if same else other).update((left_name, right_name))
    return exact - other


def attach_term_frequencies(
    prepared: PreparedFrames, spec: LinkageSpec, tf_tables: TermFrequencyTables
) -> PreparedFrames:
    """``prepared`` with term-frequency lookups, reusing its encoding (e.g. after training)."""
    return replace(
        prepared,
        tf_by_code=_tf_by_code(spec, prepared.dictionary, prepared.encoded, tf_tables),
    )


def compare(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    pairs: pl.DataFrame,
    spec: LinkageSpec,
    tf_tables: TermFrequencyTables | None = None,
) -> pl.DataFrame:
    """``pairs`` with a ``gamma_<name>`` column per comparison (and ``tf_<name>`` with tables)."""
    return compute_levels(prepare(left, right, spec, tf_tables), pairs, spec)


def compute_levels(
    prepared: PreparedFrames, pairs: pl.DataFrame, spec: LinkageSpec
) -> pl.DataFrame:
    """Add the level columns to ``pairs`` (``idx_l``, ``idx_r``) from prepared frames.

    Each level is tested only on the pairs that the null level and the levels before it left
    undecided, so a string kernel runs on what the cheap exact levels did not settle.
    """
    gathered = _Gathered(prepared, pairs["idx_l"], pairs["idx_r"])
    columns = [
        pl.Series(gamma_column(comparison.name), gamma, dtype=GAMMA_DTYPE)
        for comparison, (gamma, _) in zip(
            spec.comparisons, _each_comparison(spec, gathered, sample=None), strict=True
        )
    ]
    return _with_term_frequencies(pairs.with_columns(columns), gathered, spec)


def sampled_level_counts(
    prepared: PreparedFrames, pairs: pl.DataFrame, spec: LinkageSpec, sample: int | None
) -> dict[str, FloatArray]:
    """Per comparison, the number of ``pairs`` at each agreement level (null excluded), with
    string-similarity and list-overlap levels tested on at most ``sample`` of the pairs.

    For random pairs, where nearly every pair reaches those costly levels. The pairs that an
    earlier level or any later exact, date or numeric level settles are all counted (they hold
    the rare agreements); of the others, ``sample`` evenly spaced ones are compared and stand
    for all, so each count is an unbiased estimate. ``sample=None`` counts every pair.
    """
    gathered = _Gathered(prepared, pairs["idx_l"], pairs["idx_r"])
    counts: dict[str, FloatArray] = {}
    for comparison, (gamma, weight) in zip(
        spec.comparisons, _each_comparison(spec, gathered, sample=sample), strict=True
    ):
        counted = gamma >= 0
        counts[comparison.name] = np.bincount(
            gamma[counted],
            weights=None if weight is None else weight[counted],
            minlength=len(comparison.agreement_levels),
        ).astype(np.float64)
    return counts


def _each_comparison(
    spec: LinkageSpec, gathered: _Gathered, sample: int | None
) -> list[tuple[npt.NDArray[np.int8], FloatArray | None]]:
    """Levels and pair weights of every comparison."""
    levels: Callable[[Comparison], tuple[npt.NDArray[np.int8], FloatArray | None]]
    if gathered.height < GATHER_AHEAD_BELOW_PAIRS:
        gathered.gather_flat_columns()
        levels = partial(_levels, data=gathered, sample=sample)
    else:
        levels = _ReleasingLevels(spec, gathered, sample)
    if gathered.height < THREADS_FROM_PAIRS:
        return [levels(comparison) for comparison in spec.comparisons]
    # Comparisons are independent and Polars and NumPy release the GIL, so one thread per
    # core keeps both cores busy between the parallel kernels (German 100k: 3.0 → 1.75 s
    # on an idle 2-core machine; no gain when other work holds the cores).
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(levels, spec.comparisons))


class _ReleasingLevels:
    """``_levels`` of one comparison after another, dropping each gathered column once the last
    comparison reading it is done, so memory holds the columns of the comparisons in progress."""

    def __init__(self, spec: LinkageSpec, gathered: _Gathered, sample: int | None) -> None:
        self.gathered = gathered
        self.sample = sample
        self.readers = Counter(
            name for comparison in spec.comparisons for name in comparison_columns(comparison)
        )
        self.counting = threading.Lock()

    def __call__(self, comparison: Comparison) -> tuple[npt.NDArray[np.int8], FloatArray | None]:
        result = _levels(comparison, self.gathered, self.sample)
        names = comparison_columns(comparison)
        with self.counting:
            self.readers.subtract(names)
            unread = [name for name in names if self.readers[name] == 0]
        self.gathered.release(unread)
        return result


def add_term_frequencies(
    prepared: PreparedFrames,
    levels: pl.DataFrame,
    spec: LinkageSpec,
    tf_tables: TermFrequencyTables | None = None,
) -> pl.DataFrame:
    """Add the ``tf_<name>`` columns to a level frame computed without term-frequency tables,
    from the lookups ``prepared`` holds or, given ``tf_tables``, from those tables."""
    if tf_tables is not None:
        prepared = attach_term_frequencies(prepared, spec, tf_tables)
    return _with_term_frequencies(
        levels, _Gathered(prepared, levels["idx_l"], levels["idx_r"]), spec
    )


def _with_term_frequencies(
    levels: pl.DataFrame, gathered: _Gathered, spec: LinkageSpec
) -> pl.DataFrame:
    return levels.with_columns(
        _term_frequency(comparison, levels[gamma_column(comparison.name)], gathered)
        for comparison in spec.comparisons
        if comparison.name in gathered.prepared.tf_by_code
    )


Codes = tuple[npt.NDArray[np.integer], BoolArray]
"""Integer values of a column (0 where null) and its null mask."""
Positions = npt.NDArray[np.uint32]
"""Row positions into the pair frame (UInt32, so Polars takes them without a copy)."""


class _Gathered:
    """Columns gathered by pair index (whole columns at most once per side), and similarities
    per metric and column pair, each computed at most once per pair."""

    def __init__(self, prepared: PreparedFrames, idx_l: pl.Series, idx_r: pl.Series) -> None:
        self.prepared = prepared
        self.idx = {"l": idx_l, "r": idx_r}
        self.rows = {side: idx.to_numpy() for side, idx in self.idx.items()}
        self.cache: dict[tuple[str, str], pl.Series] = {}
        self.similarities: dict[tuple[str, str, str], tuple[FloatArray, BoolArray]] = {}
        self.height = len(idx_l)
        self.everything: Positions = np.arange(self.height, dtype=np.uint32)
        self.value_lengths: npt.NDArray[np.int64] | None = None
        self.arrays: dict[tuple[str, str], Codes | None] = {}

    def gather_flat_columns(self) -> None:
        """Gather every kept column (see ``get``) of both sides in one frame gather per side:
        Polars spreads the columns over its threads (German 100k: 9 → 4 ms per side and pair
        set)."""
        for side in ("l", "r"):
            frame = self._frame(side)
            flat = [name for name, dtype in frame.schema.items() if _kept(dtype)]
            if not flat:
                continue
            for column in frame.select(flat)[self.idx[side]].get_columns():
                self.cache[(side, column.name)] = column

    def release(self, names: list[str]) -> None:
        """Drop what was gathered or computed from columns ``names`` (gathered anew if read)."""
        for side in ("l", "r"):
            for name in names:
                self.cache.pop((side, name), None)
                self.arrays.pop((side, name), None)
        for key in [key for key in list(self.similarities) if set(key[1:]) & set(names)]:
            self.similarities.pop(key, None)

    def get(self, side: str, name: str) -> pl.Series:
        """Column ``name`` of ``side`` for every pair; kept for the next read unless it is text
        or lists, which one level each reads and whose 16-byte views per pair were most of a
        pair set's memory (German 100k, a run in a fresh process: about 105k → 77k page faults,
        0.26 → 0.20 s of system time)."""
        key = (side, name)
        if key in self.cache:
            return self.cache[key]
        column = self._frame(side)[name].gather(self.idx[side])
        if _kept(column.dtype):
            self.cache[key] = column
        return column

    def at(self, side: str, name: str, positions: Positions) -> pl.Series:
        """Column ``name`` of ``side`` for the pairs at ``positions`` (kept columns are
        gathered whole once, the others only at ``positions``)."""
        if positions is self.everything:
            return self.get(side, name)
        column = self._frame(side)[name]
        if not _kept(column.dtype):
            return column.gather(self.idx[side].gather(positions))
        return self.get(side, name).gather(positions)

    def nulls(self, side: str, name: str) -> BoolArray:
        """Where column ``name`` of ``side`` is null, for every pair (no gather of the values)."""
        null = null_mask(self._frame(side)[name])
        return null.take(self.rows[side]) if null.any() else np.zeros(self.height, dtype=bool)

    def similarity(
        self, left_name: str, right_name: str, metric: Metric, positions: Positions
    ) -> FloatArray:
        """String similarity of two encoded columns at ``positions`` (NaN where a side is null),
        computing only the pairs not scored before."""
        key = (metric, left_name, right_name)
        if key not in self.similarities:
            self.similarities[key] = (np.full(self.height, np.nan), np.zeros(self.height, bool))
        values, done = self.similarities[key]
        missing = positions[~done.take(positions)] if done.any() else positions
        if len(missing):
            values[missing] = string_similarity(
                self.codes("l", left_name, missing),
                self.codes("r", right_name, missing),
                self.prepared.dictionary,
                metric,
            )
            done[missing] = True
        return values.take(positions)

    def codes(self, side: str, name: str, positions: Positions) -> Codes:
        """``integers`` of an integer column (numbers or dictionary codes) at ``positions``."""
        whole = self.integers(side, name)
        assert whole is not None, f"{name} is not an integer column"
        if positions is self.everything:
            return whole
        return whole[0].take(positions), whole[1].take(positions)

    def integers(self, side: str, name: str) -> Codes | None:
        """Column ``name`` of ``side`` for every pair as a NumPy integer array (0 where null) and
        its null mask; None for a column that is not integer (NumPy compares them without the
        per-operation cost of a Polars frame)."""
        key = (side, name)
        if key not in self.arrays:
            if not self._frame(side).schema[name].is_integer():
                self.arrays[key] = None
            else:
                column = self.get(side, name)
                self.arrays[key] = (column.fill_null(0).to_numpy(), null_mask(column))
                # The NumPy copy replaces the gathered column (gathered again if ever asked
                # for): at 21 M pairs the two together held about 0.5 GB more.
                self.cache.pop(key, None)
        return self.arrays[key]

    def lengths(self, side: str, name: str, positions: Positions) -> npt.NDArray[np.int64]:
        """Length in characters of an encoded column's values at ``positions`` (0 for null)."""
        codes, null = self.codes(side, name, positions)
        lengths = self._value_lengths().take(np.where(null, len(self.prepared.dictionary), codes))
        return lengths.astype(np.int64)

    def longest(self, side: str, name: str) -> int:
        """Length in characters of the longest value of an encoded column on ``side``."""
        codes = self._frame(side)[name].drop_nulls().to_numpy()
        return int(self._value_lengths()[codes].max(initial=0))

    def _value_lengths(self) -> npt.NDArray[np.int64]:
        """Length of each dictionary value, and 0 after the last for a null."""
        if self.value_lengths is None:
            lengths = self.prepared.dictionary.str.len_chars().to_numpy()
            self.value_lengths = np.append(lengths, 0).astype(np.int64)
        return self.value_lengths

    def days(self, side: str, dates: DateColumns, positions: Positions) -> Codes:
        """Day numbers of ``dates`` at ``positions``, computed once per record, not per pair."""
        name = f"days {dates.year} {dates.month} {dates.day}"
        return self.per_record(side, name, partial(_day_numbers, dates), positions)

    def per_record(
        self,
        side: str,
        name: str,
        derive: Callable[[pl.DataFrame], Codes],
        positions: Positions,
    ) -> Codes:
        """A value derived once per record (``PreparedFrames.derived``) at ``positions``."""
        values, null = self.prepared.derived(side, name, derive)
        rows = self.rows[side] if positions is self.everything else self.rows[side].take(positions)
        return values.take(rows), null.take(rows) if null.any() else np.zeros(len(rows), dtype=bool)

    def _frame(self, side: str) -> pl.DataFrame:
        return self.prepared.left if side == "l" else self.prepared.right


def _kept(dtype: pl.DataType) -> bool:
    """Whether a gathered column of ``dtype`` is kept for later reads: numbers and codes."""
    return not dtype.is_nested() and dtype != pl.String


def _levels(
    comparison: Comparison, data: _Gathered, sample: int | None
) -> tuple[npt.NDArray[np.int8], FloatArray | None]:
    """The first agreeing level per pair, each level seeing only the pairs still undecided;
    and each pair's weight when sampling (1, or more for the pairs of a sample, see
    ``sampled_level_counts``; pairs left out of it get ``UNCOMPARED_LEVEL``), else None (every
    pair weighs 1)."""
    levels = comparison.agreement_levels
    gamma = np.full(data.height, len(levels) - 1, dtype=np.int8)
    weight = None if sample is None else np.ones(data.height)
    is_null = _null_condition(comparison, data)
    gamma[is_null] = NULL_LEVEL
    undecided = ~is_null
    settled: dict[int, BoolArray] = {}
    for index, level in enumerate(levels):
        if isinstance(level, ElseLevel) or not undecided.any():
            break
        if (
            weight is not None
            and sample is not None
            and isinstance(level, SimilarityLevel | ListOverlapLevel)
        ):
            undecided, settled = _thin(comparison, index, data, undecided, sample, gamma, weight)
            sample = None
        if index in settled:
            agree = settled[index] & undecided
        else:
            agree = _agreeing(comparison, level, data, undecided)
        gamma[agree] = index
        undecided &= ~agree
    return gamma, weight


UNCOMPARED_LEVEL = -2
"""Level of a pair left out of the sample of ``sampled_level_counts``: counted nowhere."""


def _thin(
    comparison: Comparison,
    first: int,
    data: _Gathered,
    undecided: BoolArray,
    sample: int,
    gamma: npt.NDArray[np.int8],
    weight: FloatArray,
) -> tuple[BoolArray, dict[int, BoolArray]]:
    """The undecided pairs that a cheap level from ``first`` on settles, and ``sample`` evenly
    spaced ones of the others, weighted to stand for all of them; the rest get
    ``UNCOMPARED_LEVEL``. Also the agreement of each of those cheap levels (over ``undecided``),
    which the later levels reuse."""
    agreeing = {
        index: _agreeing(comparison, level, data, undecided)
        for index, level in enumerate(comparison.agreement_levels)
        if index >= first and isinstance(level, ExactLevel | DateLevel | NumericLevel)
    }
    settled = np.zeros(data.height, dtype=bool)
    for agree in agreeing.values():
        settled |= agree
    others = np.flatnonzero(undecided & ~settled)
    if len(others) <= sample:
        return undecided, agreeing
    chosen = np.zeros(len(others), dtype=bool)
    chosen[np.arange(sample) * len(others) // sample] = True
    left_out = others[~chosen]
    gamma[left_out] = UNCOMPARED_LEVEL
    weight[others[chosen]] = len(others) / sample
    thinned = undecided.copy()
    thinned[left_out] = False
    return thinned, agreeing


def _null_condition(comparison: Comparison, data: _Gathered) -> BoolArray:
    result = np.zeros(data.height, dtype=bool)
    for name in null_columns(comparison):
        for side in ("l", "r"):
            values = data.integers(side, name)
            result |= data.nulls(side, name) if values is None else values[1]
    return result


def _agreeing(
    comparison: Comparison, level: object, data: _Gathered, undecided: BoolArray
) -> BoolArray:
    """Which ``undecided`` pairs agree at ``level``, as a mask over all pairs. Cheap levels on
    many pairs run on every pair of the cached whole columns: that beats gathering the subset."""
    count = np.count_nonzero(undecided)
    cheap = isinstance(level, ExactLevel | DateLevel | NumericLevel)
    if count == data.height or (cheap and 4 * count > data.height):
        agree: BoolArray = _condition_at(comparison, level, data, data.everything) & undecided
        return agree
    positions = np.flatnonzero(undecided).astype(np.uint32)
    result = np.zeros(data.height, dtype=bool)
    result[positions[_condition_at(comparison, level, data, positions)]] = True
    return result


def _condition_at(
    comparison: Comparison, level: object, data: _Gathered, positions: Positions
) -> BoolArray:
    if isinstance(level, DateLevel):
        return _date_condition(comparison, level, data, positions)
    assert isinstance(level, ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel)
    result = np.zeros(len(positions), dtype=bool)
    for left_name, right_name in level_pairs(comparison, level):
        result |= _pair_condition(level, left_name, right_name, data, positions)
    return result


def _pair_condition(
    level: ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel,
    left_name: str,
    right_name: str,
    data: _Gathered,
    positions: Positions,
) -> BoolArray:
    encoded = data.prepared.encoded
    if isinstance(level, SimilarityLevel) and left_name in encoded and right_name in encoded:
        if level.metric in ("levenshtein", "damerau_levenshtein"):
            return _edit_distance_agrees(level, (left_name, right_name), data, positions)
        similarity = data.similarity(left_name, right_name, level.metric, positions)
        return similarity >= level.threshold
    sides = (("l", left_name), ("r", right_name))
    if isinstance(level, ExactLevel) and all(data.integers(*side) is not None for side in sides):
        left, right = (data.codes(side, name, positions) for side, name in sides)
        return _equal_present(left, right)
    if isinstance(level, ListOverlapLevel) and level.mode == "any":
        return _lists_share_an_element(level, left_name, right_name, data, positions)
    return _pair_expression_holds(level, (left_name, right_name), data, positions)


def _pair_expression_holds(
    level: ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel,
    names: tuple[str, str],
    data: _Gathered,
    positions: Positions,
) -> BoolArray:
    """The level's Polars pair expression on the columns ``names`` at ``positions``."""
    left_name, right_name = names
    left, right = data.at("l", left_name, positions), data.at("r", right_name, positions)
    sides = _Suffixes({left_name: left.dtype, right_name: right.dtype}, "_l", "_r")
    frame = pl.DataFrame({f"{left_name}_l": left, f"{right_name}_r": right})
    agree = frame.select(_pair_expression(level, left_name, right_name, sides)).to_series()
    return agree.fill_null(False).to_numpy()


def _lists_share_an_element(
    level: ListOverlapLevel,
    left_name: str,
    right_name: str,
    data: _Gathered,
    positions: Positions,
) -> BoolArray:
    """Whether two lists share an element, tested exactly only where their 64-bit signatures
    (one bit per element hash) overlap: a pair without a common bit shares no element, which
    settles nearly all random pairs without touching the lists."""
    (left, _), (right, _) = (
        data.per_record(side, f"signature {name}", partial(_signatures, name), positions)
        for side, name in (("l", left_name), ("r", right_name))
    )
    result = np.zeros(len(positions), dtype=bool)
    maybe = np.flatnonzero(left & right)
    if len(maybe):
        result[maybe] = _pair_expression_holds(
            level, (left_name, right_name), data, positions[maybe]
        )
    return result


def _signatures(name: str, frame: pl.DataFrame) -> Codes:
    """Per record, one bit per element of list column ``name`` (bit = element hash mod 64),
    ORed; 0 for an empty or null list."""
    lists = frame[name]
    sizes = lists.list.len().fill_null(0).to_numpy()
    elements = lists.explode(empty_as_null=False, keep_nulls=False)
    bits = np.left_shift(np.uint64(1), elements.hash(seed=0).to_numpy() % np.uint64(64))
    starts = np.zeros(len(sizes), dtype=np.int64)
    starts[1:] = np.cumsum(sizes)[:-1]
    # A trailing 0 keeps every start in range; an empty list's slot is overwritten below.
    signatures = np.bitwise_or.reduceat(np.append(bits, np.uint64(0)), starts)
    signatures[sizes == 0] = 0
    return signatures, np.zeros(len(signatures), dtype=bool)


def _day_numbers(dates: DateColumns, frame: pl.DataFrame) -> Codes:
    """Day numbers of ``frame``'s date columns (0 where a part is null) and where one is."""
    parts = [frame[name] for name in (dates.year, dates.month, dates.day)]
    year, month, day = (part.cast(pl.Int64).fill_null(0).to_numpy() for part in parts)
    missing = null_mask(parts[0]) | null_mask(parts[1]) | null_mask(parts[2])
    return day_number(year, month, day), missing


def null_mask(column: pl.Series) -> BoolArray:
    """Where ``column`` is null, as a NumPy mask (no conversion when it has no nulls)."""
    if not column.has_nulls():
        return np.zeros(len(column), dtype=bool)
    mask: BoolArray = column.is_null().to_numpy()
    return mask


def _equal_present(left: Codes, right: Codes) -> BoolArray:
    """Whether both values are present and equal."""
    (left_values, left_null), (right_values, right_null) = left, right
    equal: BoolArray = (left_values == right_values) & ~left_null & ~right_null
    return equal


def string_similarity(
    left: Codes,
    right: Codes,
    dictionary: pl.Series,
    metric: Metric,
    *,
    dedupe_from_rows: int = DEDUPE_FROM_ROWS,
    dedupe_below_share: float = DEDUPE_BELOW_SHARE,
    combinations_below_share: float = DEDUPE_BELOW_SHARE,
) -> FloatArray:
    """Similarity per pair of dictionary codes, each side given as (codes, null mask): 1.0 when
    equal, NaN when either is null, else the kernel on the differing pairs.

    From ``dedupe_from_rows`` differing pairs the kernel runs once per distinct value pair where
    that is cheaper: on every (left value, right value) combination when there are fewer of them
    than ``combinations_below_share`` of the pairs, looked up by array index (German 100k birth
    places: 17 → 7 ms); else, when a sample says few pairs are distinct, once per distinct code
    pair, found by a hash ``unique`` of a 64-bit pair key and looked up by a binary search (a
    dense rank or a hash join back onto millions of pairs measured slower).
    """
    (left_codes, left_null), (right_codes, right_null) = left, right
    present = ~(left_null | right_null)
    result = np.where(present, 1.0, np.nan)
    rows = np.flatnonzero(present & (left_codes != right_codes))
    if len(rows) == 0:
        return result
    codes_l, codes_r = left_codes[rows], right_codes[rows]
    if len(rows) >= dedupe_from_rows:
        values_l, values_r = (
            _distinct_codes(codes, len(dictionary)) for codes in (codes_l, codes_r)
        )
        if len(values_l) * len(values_r) < combinations_below_share * len(rows):
            result[rows] = _every_combination(
                codes_l, codes_r, values_l, values_r, dictionary, metric
            )
            return result
        key = pl.Series(codes_l.astype(np.uint64) * _CODE_SPAN + codes_r)
        if distinct_share(key) < dedupe_below_share:
            distinct = key.unique().sort()
            scored = _kernel(
                dictionary.gather(distinct // _CODE_SPAN),
                dictionary.gather(distinct % _CODE_SPAN),
                metric,
            )
            result[rows] = scored.gather(distinct.search_sorted(key)).to_numpy()
            return result
    result[rows] = _kernel(
        dictionary.gather(codes_l), dictionary.gather(codes_r), metric
    ).to_numpy()
    return result


def _distinct_codes(codes: npt.NDArray[np.integer], span: int) -> npt.NDArray[np.intp]:
    """The distinct values of ``codes`` (all below ``span``), sorted, by marking, not sorting."""
    seen = np.zeros(span, dtype=bool)
    seen[codes] = True
    return np.flatnonzero(seen)


def _every_combination(
    codes_l: npt.NDArray[np.integer],
    codes_r: npt.NDArray[np.integer],
    values_l: npt.NDArray[np.intp],
    values_r: npt.NDArray[np.intp],
    dictionary: pl.Series,
    metric: Metric,
) -> FloatArray:
    """The kernel on every combination of the distinct ``values_l`` and ``values_r``, read per
    pair at (rank of the left code, rank of the right code)."""
    table = _kernel(
        dictionary.gather(np.repeat(values_l, len(values_r))),
        dictionary.gather(np.tile(values_r, len(values_l))),
        metric,
    ).to_numpy()
    rank = np.zeros(len(dictionary), dtype=np.int64)
    rank[values_r] = np.arange(len(values_r))
    right_rank = rank[codes_r]
    rank[values_l] = np.arange(len(values_l))
    scores: FloatArray = table[rank[codes_l] * len(values_r) + right_rank]
    return scores


def distinct_share(values: pl.Series, *, sample: int = 20_000) -> float:
    """Share of distinct values, estimated on every n-th value (an overestimate as values
    repeat; a stride is deterministic and, unlike a random sample, costs no shuffle)."""
    if len(values) == 0:
        return 1.0
    part = values.gather_every(max(1, len(values) // sample))
    return part.n_unique() / len(part)


def _kernel(left: pl.Series, right: pl.Series, metric: Metric) -> pl.Series:
    """The kernel on two columns of present strings."""
    strings = pl.DataFrame({"a": left, "b": right})
    if strings.height == 0:
        return pl.Series(values=[], dtype=pl.Float64)
    scores = strings.select(similarity_expr(pl.col("a"), pl.col("b"), metric, rows=strings.height))
    return scores.to_series()


_CODE_SPAN = 2**32


def _edit_distance_agrees(
    level: SimilarityLevel, names: tuple[str, str], data: _Gathered, positions: Positions
) -> BoolArray:
    """Levenshtein or Damerau–Levenshtein similarity at or above the threshold.

    Where the threshold allows at most one edit for every pair, pairs of short ASCII values of
    equal length are settled on packed words (``packed_strings``); the others go to
    ``_edit_kernels_agree``.
    """
    left_name, right_name = names
    longest = np.array([data.longest("l", left_name), data.longest("r", right_name)])
    if _allowed_edits(level.threshold, longest).max() >= 2:
        return _edit_kernels_agree(level, names, data, positions, one_edit_at_most=False)
    (codes_l, unfit_l), (codes_r, unfit_r) = (
        data.per_record(side, f"words {name}", partial(_words, name, data.prepared), positions)
        for side, name in (("l", left_name), ("r", right_name))
    )
    all_l, all_r = np.asarray(codes_l, dtype=np.uint64), np.asarray(codes_r, dtype=np.uint64)
    packed = ~(unfit_l | unfit_r) & same_length(all_l, all_r)
    words_l, words_r = all_l[packed], all_r[packed]
    agree = np.zeros(len(positions), dtype=bool)
    agree[packed] = words_l == words_r
    one_edit_from = _shortest_allowing_one_edit(level.threshold)
    if one_edit_from is not None:
        agree[packed] |= at_least(words_l, one_edit_from) & at_most_one_edit(
            words_l, words_r, transpositions=level.metric != "levenshtein"
        )
    rest = np.flatnonzero(~packed)
    if len(rest):
        agree[rest] = _edit_kernels_agree(
            level, names, data, positions[rest], one_edit_at_most=True
        )
    return agree


def _words(name: str, prepared: PreparedFrames, frame: pl.DataFrame) -> Codes:
    """Per record, its value of encoded column ``name`` as a packed word, and where it has none
    (null, or not short ASCII). Packs the dictionary range the column's codes span, once."""
    codes = frame[name]
    present = codes.drop_nulls()
    if present.is_empty():
        return np.zeros(len(codes), dtype=np.uint64), np.ones(len(codes), dtype=bool)
    low, high = int(present.min()), int(present.max())  # type: ignore[arg-type]
    words, fits = pack(prepared.dictionary.slice(low, high - low + 1))
    at = codes.fill_null(low).to_numpy().astype(np.int64) - low
    return words[at], ~fits[at] | null_mask(codes)


def _shortest_allowing_one_edit(threshold: float) -> int | None:
    """The fewest characters (up to ``WORD_BYTES``) at which ``threshold`` allows one edit."""
    lengths = np.arange(1, WORD_BYTES + 1)
    allowing = np.flatnonzero(_allowed_edits(threshold, lengths) >= 1)
    return int(lengths[allowing[0]]) if len(allowing) else None


def _edit_kernels_agree(
    level: SimilarityLevel,
    names: tuple[str, str],
    data: _Gathered,
    positions: Positions,
    *,
    one_edit_at_most: bool,
) -> BoolArray:
    """The edit-distance level by the kernels, the cheaper optimal-string-alignment kernel (OSA)
    settling what it can; the exact kernel runs only on the pairs OSA leaves unsure.

    Levenshtein: OSA distance ≤ Levenshtein distance (a swap of neighbours costs OSA one edit,
    not two), so an OSA similarity below the threshold is final; OSA agreements are confirmed.
    Damerau–Levenshtein: DL ≤ OSA distance, so OSA agreeing means DL agrees; the two distances
    are equal up to 1, so where the threshold allows at most one edit an OSA disagreement is
    final too; only pairs allowing two or more edits that OSA rejects run DL.
    """
    left_name, right_name = names
    threshold = level.threshold
    osa = data.similarity(left_name, right_name, "optimal_string_alignment", positions)
    agree = osa >= threshold
    if level.metric == "levenshtein":
        unsure = agree.copy()
    elif one_edit_at_most:
        return agree
    else:
        longer = np.maximum(
            data.lengths("l", left_name, positions), data.lengths("r", right_name, positions)
        )
        unsure = ~agree & ~np.isnan(osa) & (_allowed_edits(threshold, longer) >= 2)
    if unsure.any():
        exact = data.similarity(left_name, right_name, level.metric, positions[unsure])
        agree[unsure] = exact >= threshold
    return agree


def _allowed_edits(threshold: float, length: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The edits a similarity ``threshold`` allows between strings whose longer has ``length``."""
    edits: npt.NDArray[np.int64] = np.floor((1.0 - threshold) * length + _BOUND_MARGIN).astype(
        np.int64
    )
    return edits


_BOUND_MARGIN = 1e-9
"""Float slack when deriving the allowed number of edits from a threshold."""


def _date_condition(
    comparison: Comparison, level: DateLevel, data: _Gathered, positions: Positions
) -> BoolArray:
    dates = level_date_columns(comparison, level)
    if level.match == "within_days":
        (days_l, null_l), (days_r, null_r) = (data.days(side, dates, positions) for side in "lr")
        close: BoolArray = ~(null_l | null_r) & (np.abs(days_l - days_r) <= level.tolerance)
        return close
    names = [(side, name) for side in ("l", "r") for name in (dates.year, dates.month, dates.day)]
    if all(data.integers(side, name) is not None for side, name in names):
        return _date_parts_agree(level, [data.codes(side, name, positions) for side, name in names])
    frame = pl.DataFrame(
        {
            f"{part}_{side}": data.at(side, name, positions)
            for side in ("l", "r")
            for part, name in (("y", dates.year), ("m", dates.month), ("d", dates.day))
        },
        height=len(positions),
    ).select(pl.all().cast(pl.Int64))
    return frame.select(date_agreement(level)).to_series().fill_null(False).to_numpy()


def _date_parts_agree(level: DateLevel, parts: list[Codes]) -> BoolArray:
    """``date_parts_agreement`` in NumPy on (values, null mask) of year, month, day left then
    right."""
    (y_l, ny_l), (m_l, nm_l), (d_l, nd_l), (y_r, ny_r), (m_r, nm_r), (d_r, nd_r) = parts
    years_present = ~(ny_l | ny_r)
    if level.match == "within_years":
        distance = np.abs(y_l.astype(np.int64) - y_r.astype(np.int64))
        close: BoolArray = years_present & (distance <= level.tolerance)
        return close
    same_year = years_present & (y_l == y_r)
    if level.match == "exact":
        exact: BoolArray = same_year & (nm_l | nm_r | (m_l == m_r)) & (nd_l | nd_r | (d_l == d_r))
        return exact
    assert level.match == "day_month_swap"
    present = ~(nm_l | nd_l | nm_r | nd_r)
    swapped: BoolArray = same_year & present & (m_l == d_r) & (d_l == m_r)
    return swapped


def date_agreement(
    level: DateLevel, *, left_suffix: str = "_l", right_suffix: str = "_r"
) -> pl.Expr:
    """Agreement of (y, m, d) columns named ``y_l, m_l, d_l, y_r, m_r, d_r`` under a date level.

    ``exact`` lets a null month or day on either side agree (partial dates fit).
    """
    return date_parts_agreement(
        level,
        [pl.col(f"{part}{left_suffix}") for part in "ymd"],
        [pl.col(f"{part}{right_suffix}") for part in "ymd"],
    )


def date_parts_agreement(level: DateLevel, left: list[pl.Expr], right: list[pl.Expr]) -> pl.Expr:
    """Agreement of two (year, month, day) expression triples under a date level."""
    y_l, m_l, d_l = left
    y_r, m_r, d_r = right
    if level.match == "exact":
        month_fits = m_l.is_null() | m_r.is_null() | (m_l == m_r)
        day_fits = d_l.is_null() | d_r.is_null() | (d_l == d_r)
        return (y_l == y_r) & month_fits & day_fits
    if level.match == "day_month_swap":
        return (y_l == y_r) & (m_l == d_r) & (d_l == m_r)
    if level.match == "within_years":
        return (y_l - y_r).abs() <= level.tolerance
    days = (day_number(y_l, m_l, d_l) - day_number(y_r, m_r, d_r)).abs()
    return days <= level.tolerance


DateParts = TypeVar("DateParts", int, npt.NDArray[np.int64], pl.Expr)


def day_number(year: DateParts, month: DateParts, day: DateParts) -> DateParts:
    """Days since 1970-01-01 by civil-calendar arithmetic (no validation): for whole numbers,
    NumPy arrays and null-propagating Polars expressions alike, by operators alone."""
    month_index = (month + 9) % 12  # March is 0, so the leap day ends the year
    shifted = year - month_index // 10  # January and February count to the year before
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * month_index + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: DateParts = era * 146_097 + day_of_era - 719_468
    return days


def _term_frequency(comparison: Comparison, gamma: pl.Series, data: _Gathered) -> pl.Series:
    assert comparison.tf_column is not None and comparison.tf_level_index is not None
    codes = data.get("l", comparison.tf_column)
    frequency = data.prepared.tf_by_code[comparison.name].gather(codes)
    return (
        pl.DataFrame({"gamma": gamma, "frequency": frequency})
        .select(
            pl.when(pl.col("gamma") == comparison.tf_level_index)
            .then(pl.col("frequency"))
            .alias(tf_column(comparison.name))
        )
        .to_series()
    )


def _tf_by_code(
    spec: LinkageSpec,
    dictionary: pl.Series,
    encoded: frozenset[str],
    tf_tables: TermFrequencyTables,
) -> dict[str, pl.Series]:
    """Per tf comparison, the frequency of each dictionary code (null when not in the table)."""
    result: dict[str, pl.Series] = {}
    values = dictionary.to_frame("value")
    for comparison in spec.comparisons:
        if comparison.tf_column is None or comparison.name not in tf_tables:
            continue
        if comparison.tf_column not in encoded:
            raise SpecError(
                f"term-frequency column {comparison.tf_column!r} must be a String column"
            )
        table = tf_tables[comparison.name]
        result[comparison.name] = values.join(table, on="value", how="left", maintain_order="left")[
            "frequency"
        ]
    return result


def _select(frame: pl.DataFrame, columns: list[str], side: str) -> pl.DataFrame:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise SpecError(
            f"the {side} frame lacks columns {missing} that the comparisons read; "
            f"it has {frame.columns}"
        )
    return frame.select(columns)


def _is_text(left: pl.DataFrame, right: pl.DataFrame, name: str) -> bool:
    """A String column on one side, String or all-null on the other: dictionary-encoded."""
    dtypes = {left.schema[name], right.schema[name]}
    return pl.String in dtypes and dtypes <= {pl.String, pl.Null}


def level_expressions(
    spec: LinkageSpec,
    schema: Mapping[str, pl.DataType],
    *,
    left_suffix: str = "_l",
    right_suffix: str = "_r",
) -> list[pl.Expr]:
    """One Int8 ``gamma_<name>`` expression per comparison, over a frame holding each input
    column twice, as ``<col>_l`` and ``<col>_r``; ``schema`` gives the unsuffixed dtypes.

    The same levels as ``compute_levels`` in a single ``select``: no dictionary, no distinct
    pairs, so it suits a handful of pairs (an online query) where per-operation overhead rules.
    """
    sides = _Suffixes(schema, left_suffix, right_suffix)
    return [_level_expression(comparison, sides) for comparison in spec.comparisons]


@dataclass(frozen=True)
class _Suffixes:
    schema: Mapping[str, pl.DataType]
    left: str
    right: str

    def pair(self, left_name: str, right_name: str) -> tuple[pl.Expr, pl.Expr]:
        return pl.col(f"{left_name}{self.left}"), pl.col(f"{right_name}{self.right}")


def _level_expression(comparison: Comparison, sides: _Suffixes) -> pl.Expr:
    conditions: list[pl.Expr] = []
    for level in comparison.agreement_levels:
        if isinstance(level, ElseLevel):
            break
        conditions.append(_condition_expression(comparison, level, sides).fill_null(False))
    is_null = pl.lit(False)
    for name in null_columns(comparison):
        left, right = sides.pair(name, name)
        is_null = is_null | left.is_null() | right.is_null()
    first_agreeing = pl.coalesce(
        pl.when(is_null).then(pl.lit(NULL_LEVEL)),
        *(pl.when(condition).then(pl.lit(i)) for i, condition in enumerate(conditions)),
        pl.lit(len(conditions)),
    )
    return first_agreeing.cast(GAMMA_DTYPE).alias(gamma_column(comparison.name))


def _condition_expression(comparison: Comparison, level: object, sides: _Suffixes) -> pl.Expr:
    if isinstance(level, DateLevel):
        dates = level_date_columns(comparison, level)
        names = (dates.year, dates.month, dates.day)
        return date_parts_agreement(
            level,
            [pl.col(f"{name}{sides.left}").cast(pl.Int64) for name in names],
            [pl.col(f"{name}{sides.right}").cast(pl.Int64) for name in names],
        )
    assert isinstance(level, ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel)
    agreements = [
        _pair_expression(level, left_name, right_name, sides).fill_null(False)
        for left_name, right_name in level_pairs(comparison, level)
    ]
    return pl.any_horizontal(agreements)


def _pair_expression(
    level: ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel,
    left_name: str,
    right_name: str,
    sides: _Suffixes,
) -> pl.Expr:
    left, right = sides.pair(left_name, right_name)
    if isinstance(level, ExactLevel):
        return left == right
    if isinstance(level, NumericLevel):
        return (left.cast(pl.Float64) - right.cast(pl.Float64)).abs() <= level.max_difference
    if isinstance(level, ListOverlapLevel):
        if level.mode == "first":
            return left.list.first() == right.list.first()
        return left.list.set_intersection(right).list.len() > 0
    dtypes = {sides.schema[left_name], sides.schema[right_name]}
    if level.metric == "jaccard" and any(isinstance(dtype, pl.List) for dtype in dtypes):
        return list_jaccard(left, right) >= level.threshold
    if not dtypes <= {pl.String, pl.Null}:
        raise SpecError(
            f"{level.metric} needs String columns (jaccard also List); "
            f"{left_name!r} and {right_name!r} are {sorted(map(str, dtypes))}"
        )
    similarity = similarity_expr(left, right, level.metric, rows=0)
    return pl.when(left == right).then(1.0).otherwise(similarity) >= level.threshold
