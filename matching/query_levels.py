"""Comparison levels of one query record against a few reference rows, in NumPy and Python.

The batch path (``matching.comparisons``) pays a fixed cost per Polars operation, which rules
when a query has a few hundred candidates. Here the reference columns are held once as NumPy
arrays (numbers) or dictionary codes (everything else), so exact levels compare integers, and
string metrics run per distinct candidate value through the scalar rapidfuzz functions that the
polars-ds kernels wrap (same rapidfuzz algorithms, bit-identical similarities). The levels equal
``compute_levels`` level for level; tests/matching/test_query_levels.py checks that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

from matching.comparisons import NULL_LEVEL, day_number
from matching.encoding import Codes, Dictionary, encode, hashable
from matching.errors import SpecError
from matching.kernels import Metric
from matching.spec import (
    Comparison,
    DateLevel,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    ListOverlapLevel,
    NumericLevel,
    SimilarityLevel,
    level_date_columns,
    level_pairs,
    null_columns,
)

Mask = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.uint32]
Levels = npt.NDArray[np.int8]
PairLevel = ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel
_Test = Callable[[Any], Callable[[Any], bool]]
"""Given the query value, a predicate on one non-null reference value."""


@dataclass(frozen=True)
class CodedColumn:
    """A non-numeric column as codes into a dictionary shared by every column of its dtype."""

    dtype: pl.DataType
    codes: Codes
    dictionary: Dictionary


@dataclass(frozen=True)
class NumericColumn:
    """A numeric or boolean column as a NumPy array (nulls filled) and a validity mask."""

    dtype: pl.DataType
    values: npt.NDArray[Any]
    valid: Mask


Column = CodedColumn | NumericColumn


def reference_columns(frame: pl.DataFrame) -> dict[str, Column]:
    """Every column of ``frame`` held for lookups; columns of one dtype share a dictionary."""
    columns: dict[str, Column] = {}
    by_dtype: dict[pl.DataType, list[str]] = {}
    for name, dtype in frame.schema.items():
        if dtype.is_numeric() or dtype == pl.Boolean:
            series = frame[name]
            values = series.fill_null(False if dtype == pl.Boolean else 0).to_numpy()
            columns[name] = NumericColumn(dtype, values, series.is_not_null().to_numpy())
        else:
            by_dtype.setdefault(dtype, []).append(name)
    for dtype, names in by_dtype.items():
        dictionary, codes = encode([frame[name] for name in names])
        for name, column_codes in zip(names, codes, strict=True):
            columns[name] = CodedColumn(dtype, column_codes, dictionary)
    return columns


def check_levels(spec: LinkageSpec, columns: Mapping[str, Column]) -> None:
    """Refuse level and column-type combinations that batch comparison refuses too."""
    for comparison in spec.comparisons:
        for level in comparison.agreement_levels:
            if isinstance(level, DateLevel):
                dates = level_date_columns(comparison, level)
                for name in (dates.year, dates.month, dates.day):
                    if not isinstance(columns[name], NumericColumn):
                        raise SpecError(f"date column {name!r} must be numeric for queries")
            elif isinstance(level, SimilarityLevel):
                for left, right in level_pairs(comparison, level):
                    dtypes = {columns[left].dtype, columns[right].dtype}
                    if not dtypes <= {pl.String, pl.Null} and not _jaccard_of_lists(level, dtypes):
                        raise SpecError(
                            f"{level.metric} needs String columns (jaccard also List); "
                            f"{left!r} and {right!r} are {sorted(map(str, dtypes))}"
                        )


@dataclass
class QueryPairs:
    """One query record against the reference ``rows``: gathered values, cached similarities.

    Candidates are few (about 15 at a median query of a million persons), so each level is
    tested candidate by candidate in Python: at that size a NumPy call costs more than the
    comparison it vectorises.
    """

    query: Mapping[str, Any]
    columns: Mapping[str, Column]
    rows: Rows
    _gathered: dict[str, list[Any]] = field(default_factory=dict)
    scores: dict[tuple[Metric, str, str], dict[int, float]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.rows.size)

    def gathered(self, name: str) -> list[Any]:
        """Per candidate: the code of coded column ``name`` (negative for null), or the value of
        numeric column ``name`` (None for null)."""
        if name not in self._gathered:
            column = self.columns[name]
            if isinstance(column, CodedColumn):
                self._gathered[name] = column.codes[self.rows].tolist()
            else:
                values = column.values[self.rows].tolist()
                valid = column.valid[self.rows].tolist()
                self._gathered[name] = [
                    v if ok else None for v, ok in zip(values, valid, strict=True)
                ]
        return self._gathered[name]

    def is_null(self, name: str) -> list[bool]:
        """Per candidate, whether its value of ``name`` is null."""
        gathered = self.gathered(name)
        if isinstance(self.columns[name], CodedColumn):
            return [code < 0 for code in gathered]
        return [value is None for value in gathered]

    def where(self, check: Callable[[Any], bool], name: str) -> Candidate:
        """``check`` of the candidate's non-null value of ``name`` (False for null), evaluated
        once per distinct value of a coded column."""
        gathered = self.gathered(name)
        column = self.columns[name]
        if isinstance(column, NumericColumn):
            return lambda i: gathered[i] is not None and check(gathered[i])
        entries = column.dictionary.values
        verdicts: dict[int, bool] = {}

        def test(i: int) -> bool:
            code = gathered[i]
            if code < 0:
                return False
            if code not in verdicts:
                verdicts[code] = check(entries[code])
            return verdicts[code]

        return test

    def similar(self, metric: Metric, left: str, right: str, threshold: float) -> Candidate:
        """String similarity of the query's ``left`` and the candidate's ``right`` at or above
        ``threshold`` (equal strings: 1.0), each distinct pair scored once per query."""
        value = self.query[left]
        column = self.columns[right]
        if value is None or not isinstance(column, CodedColumn):
            return _never
        gathered = self.gathered(right)
        known = self.scores.setdefault((metric, left, right), {})
        kernel, entries = _METRICS[metric], column.dictionary.values

        def test(i: int) -> bool:
            code = gathered[i]
            if code < 0:
                return False
            if code not in known:
                other = entries[code]
                known[code] = 1.0 if value == other else kernel(value, other)
            return known[code] >= threshold

        return test


Candidate = Callable[[int], bool]
"""A test of one candidate, by its position among the query's candidates."""


def _never(_: int) -> bool:
    return False


def query_levels(comparison: Comparison, pairs: QueryPairs) -> Levels:
    """The Int8 level of each candidate: -1 null, then the first agreeing level, else last."""
    levels = comparison.agreement_levels
    nulls = null_columns(comparison)
    if any(pairs.query[name] is None for name in nulls):
        return np.full(pairs.size, NULL_LEVEL, dtype=np.int8)
    result = [len(levels) - 1] * pairs.size
    flags = [pairs.is_null(name) for name in nulls]
    is_null = [any(row) for row in zip(*flags, strict=True)] if flags else [False] * pairs.size
    pending = []
    for i, null in enumerate(is_null):
        if null:
            result[i] = NULL_LEVEL
        else:
            pending.append(i)
    for index, level in enumerate(levels):
        if isinstance(level, ElseLevel) or not pending:
            break
        agrees = _condition(comparison, level, pairs)
        undecided = []
        for i in pending:
            if agrees(i):
                result[i] = index
            else:
                undecided.append(i)
        pending = undecided
    return np.array(result, dtype=np.int8)


def _condition(comparison: Comparison, level: object, pairs: QueryPairs) -> Candidate:
    if isinstance(level, DateLevel):
        return _date_condition(comparison, level, pairs)
    assert isinstance(level, PairLevel)
    tests = [
        _pair_condition(level, left, right, pairs) for left, right in level_pairs(comparison, level)
    ]
    if len(tests) == 1:
        return tests[0]
    return lambda i: any(test(i) for test in tests)


def _pair_condition(level: PairLevel, left: str, right: str, pairs: QueryPairs) -> Candidate:
    value = pairs.query[left]
    if isinstance(level, ExactLevel):
        return _exact(left, right, pairs)
    if value is None:
        return _never
    if isinstance(level, NumericLevel):
        return pairs.where(_within(level.max_difference)(value), right)
    if isinstance(level, ListOverlapLevel):
        overlap = _first_agrees if level.mode == "first" else _shares_any
        return pairs.where(overlap(value), right)
    threshold = level.threshold
    if level.metric == "jaccard" and _jaccard_of_lists(
        level, {pairs.columns[left].dtype, pairs.columns[right].dtype}
    ):
        return pairs.where(_jaccard_at_least(threshold)(value), right)
    return pairs.similar(level.metric, left, right, threshold)


def _exact(left: str, right: str, pairs: QueryPairs) -> Candidate:
    """Equal codes when both columns share a dictionary, equal numbers, else equal values."""
    value = pairs.query[left]
    left_column, right_column = pairs.columns[left], pairs.columns[right]
    if value is None:
        return _never
    if (
        isinstance(right_column, CodedColumn)
        and isinstance(left_column, CodedColumn)
        and left_column.dictionary is right_column.dictionary
    ):
        codes, code = pairs.gathered(right), right_column.dictionary.code(value)
        return lambda i: codes[i] == code
    if isinstance(right_column, NumericColumn) and isinstance(left_column, NumericColumn):
        numbers = pairs.gathered(right)
        if isinstance(value, float) and value != value:
            return lambda i: numbers[i] is not None and numbers[i] != numbers[i]
        return lambda i: numbers[i] is not None and numbers[i] == value
    return pairs.where(_equal_to(value), right)


def _equal_to(value: Any) -> Callable[[Any], bool]:
    key = hashable(value)
    return lambda other: hashable(other) == key


def _within(limit: float) -> _Test:
    """Absolute difference as Float64 at most ``limit``."""

    def test(value: Any) -> Callable[[Any], bool]:
        number = float(value)
        return lambda other: abs(number - float(other)) <= limit

    return test


def _first_agrees(value: list[Any]) -> Callable[[list[Any]], bool]:
    """Both lists start with the same non-null element."""
    first = hashable(value[0]) if value else None
    return lambda other: first is not None and bool(other) and hashable(other[0]) == first


def _shares_any(value: list[Any]) -> Callable[[list[Any]], bool]:
    """The lists share an element (a null in both counts, as in Polars set intersection)."""
    items = {hashable(item) for item in value}
    return lambda other: not items.isdisjoint(map(hashable, other))


def _jaccard_at_least(threshold: float) -> _Test:
    """Jaccard similarity of two lists taken as sets at or above ``threshold``."""

    def test(value: list[Any]) -> Callable[[list[Any]], bool]:
        return lambda other: _jaccard(value, other) >= threshold

    return test


def _jaccard(left: list[Any], right: list[Any]) -> float:
    """Jaccard similarity of two lists as sets; two empty lists: 0."""
    left_set = {hashable(item) for item in left}
    right_set = {hashable(item) for item in right}
    union = len(left_set | right_set)
    return len(left_set & right_set) / union if union else 0.0


def _token_jaccard(left: str, right: str) -> float:
    """Jaccard similarity of the space-separated tokens of two strings."""
    return _jaccard(left.split(" "), right.split(" "))


def _jaccard_of_lists(level: SimilarityLevel, dtypes: set[pl.DataType]) -> bool:
    return level.metric == "jaccard" and any(isinstance(dtype, pl.List) for dtype in dtypes)


_METRICS: dict[Metric, Callable[[str, str], float]] = {
    "jaro_winkler": JaroWinkler.normalized_similarity,
    "levenshtein": Levenshtein.normalized_similarity,
    "damerau_levenshtein": DamerauLevenshtein.normalized_similarity,
    "jaccard": _token_jaccard,
}


def _date_condition(comparison: Comparison, level: DateLevel, pairs: QueryPairs) -> Candidate:
    """``date_parts_agreement`` per candidate: a comparison with a null part is no agreement."""
    dates = level_date_columns(comparison, level)
    y_l, m_l, d_l = (pairs.query[name] for name in (dates.year, dates.month, dates.day))
    years, months, days = (pairs.gathered(name) for name in (dates.year, dates.month, dates.day))
    if y_l is None:
        return _never
    if level.match == "exact":

        def exact(i: int) -> bool:
            month, day = months[i], days[i]
            return (
                years[i] == y_l
                and (m_l is None or month is None or month == m_l)
                and (d_l is None or day is None or day == d_l)
            )

        return exact
    if level.match == "within_years":
        tolerance = level.tolerance
        return lambda i: years[i] is not None and abs(years[i] - y_l) <= tolerance
    if m_l is None or d_l is None:
        return _never
    if level.match == "day_month_swap":
        return lambda i: years[i] == y_l and days[i] == m_l and months[i] == d_l
    query_day = day_number(y_l, m_l, d_l)
    tolerance = level.tolerance

    def within_days(i: int) -> bool:
        year, month, day = years[i], months[i], days[i]
        if year is None or month is None or day is None:
            return False
        distance: int = abs(day_number(year, month, day) - query_day)
        return distance <= tolerance

    return within_days
