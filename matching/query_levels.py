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

from matching.comparisons import NULL_LEVEL
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
    """One query record against the reference ``rows``: gathered columns, cached similarities."""

    query: Mapping[str, Any]
    columns: Mapping[str, Column]
    rows: Rows
    _codes: dict[str, Codes] = field(default_factory=dict)
    _numbers: dict[str, tuple[npt.NDArray[Any], Mask]] = field(default_factory=dict)
    scores: dict[tuple[Metric, str, str], dict[int, float]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.rows.size)

    def codes(self, name: str) -> Codes:
        """Codes of coded column ``name`` at the candidate rows."""
        if name not in self._codes:
            column = self.columns[name]
            assert isinstance(column, CodedColumn)
            self._codes[name] = column.codes[self.rows]
        return self._codes[name]

    def numbers(self, name: str) -> tuple[npt.NDArray[Any], Mask]:
        """Values and validity of numeric column ``name`` at the candidate rows."""
        if name not in self._numbers:
            column = self.columns[name]
            assert isinstance(column, NumericColumn)
            self._numbers[name] = (column.values[self.rows], column.valid[self.rows])
        return self._numbers[name]

    def is_null(self, name: str) -> Mask:
        """Candidates where the reference value of ``name`` is null."""
        if isinstance(self.columns[name], CodedColumn):
            return self.codes(name) < 0
        return ~self.numbers(name)[1]

    def where(self, test: _Test, left: str, right: str, pending: Mask) -> Mask:
        """``test(query value)(reference value)`` at the pending candidates where both are
        non-null, once per distinct reference value; False elsewhere."""
        result = np.zeros(self.size, dtype=np.bool_)
        value = self.query[left]
        if value is None:
            return result
        check = test(value)
        column = self.columns[right]
        if isinstance(column, NumericColumn):
            numbers, valid = self.numbers(right)
            chosen = np.flatnonzero(pending & valid)
            result[chosen] = [check(other) for other in numbers[chosen].tolist()]
            return result
        chosen, codes = self._pending_codes(right, pending)
        entries = column.dictionary.values
        verdicts = {code: check(entries[code]) for code in set(codes)}
        result[chosen] = [verdicts[code] for code in codes]
        return result

    def similar(
        self, metric: Metric, left: str, right: str, threshold: float, pending: Mask
    ) -> Mask:
        """String similarity of the query's ``left`` and the candidates' ``right`` at or above
        ``threshold`` (equal strings: 1.0), each distinct pair scored once per query."""
        result = np.zeros(self.size, dtype=np.bool_)
        value = self.query[left]
        column = self.columns[right]
        if value is None or not isinstance(column, CodedColumn):
            return result
        chosen, codes = self._pending_codes(right, pending)
        known = self.scores.setdefault((metric, left, right), {})
        kernel, entries = _METRICS[metric], column.dictionary.values
        for code in set(codes) - known.keys():
            other = entries[code]
            known[code] = 1.0 if value == other else kernel(value, other)
        result[chosen] = [known[code] >= threshold for code in codes]
        return result

    def _pending_codes(self, name: str, pending: Mask) -> tuple[npt.NDArray[np.intp], list[int]]:
        """Pending candidates with a non-null ``name``, and their codes as Python ints (a query
        has few candidates: dict lookups per code beat ``np.unique`` at that size)."""
        codes = self.codes(name)
        chosen = np.flatnonzero(pending & (codes >= 0))
        return chosen, codes[chosen].tolist()


def query_levels(comparison: Comparison, pairs: QueryPairs) -> Levels:
    """The Int8 level of each candidate: -1 null, then the first agreeing level, else last."""
    levels = comparison.agreement_levels
    decided = np.zeros(pairs.size, dtype=np.bool_)
    for name in null_columns(comparison):
        decided |= pairs.is_null(name) | (pairs.query[name] is None)
    result = np.where(decided, NULL_LEVEL, len(levels) - 1).astype(np.int8)
    for index, level in enumerate(levels):
        pending = ~decided
        if isinstance(level, ElseLevel) or not pending.any():
            break
        agree = _condition(comparison, level, pairs, pending) & pending
        result[agree] = index
        decided |= agree
    return result


def _condition(comparison: Comparison, level: object, pairs: QueryPairs, pending: Mask) -> Mask:
    if isinstance(level, DateLevel):
        return _date_condition(comparison, level, pairs)
    assert isinstance(level, PairLevel)
    agree = np.zeros(pairs.size, dtype=np.bool_)
    for left, right in level_pairs(comparison, level):
        agree |= _pair_condition(level, left, right, pairs, pending & ~agree)
    return agree


def _pair_condition(
    level: PairLevel, left: str, right: str, pairs: QueryPairs, pending: Mask
) -> Mask:
    if isinstance(level, ExactLevel):
        return _exact(left, right, pairs, pending)
    if isinstance(level, NumericLevel):
        return pairs.where(_within(level.max_difference), left, right, pending)
    if isinstance(level, ListOverlapLevel):
        overlap = _first_agrees if level.mode == "first" else _shares_any
        return pairs.where(overlap, left, right, pending)
    threshold = level.threshold
    if level.metric == "jaccard" and _jaccard_of_lists(
        level, {pairs.columns[left].dtype, pairs.columns[right].dtype}
    ):
        return pairs.where(_jaccard_at_least(threshold), left, right, pending)
    return pairs.similar(level.metric, left, right, threshold, pending)


def _exact(left: str, right: str, pairs: QueryPairs, pending: Mask) -> Mask:
    """Equality in NumPy when both columns are numbers or share a dictionary, else per value."""
    value = pairs.query[left]
    left_column, right_column = pairs.columns[left], pairs.columns[right]
    if value is None:
        return np.zeros(pairs.size, dtype=np.bool_)
    if (
        isinstance(right_column, CodedColumn)
        and isinstance(left_column, CodedColumn)
        and left_column.dictionary is right_column.dictionary
    ):
        same_code: Mask = pairs.codes(right) == right_column.dictionary.code(value)
        return same_code
    if isinstance(right_column, NumericColumn) and isinstance(left_column, NumericColumn):
        numbers, valid = pairs.numbers(right)
        is_nan = isinstance(value, float) and value != value
        same_number: Mask = valid & (np.isnan(numbers) if is_nan else numbers == value)
        return same_number
    return pairs.where(_equal_to, left, right, pending)


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


def _date_condition(comparison: Comparison, level: DateLevel, pairs: QueryPairs) -> Mask:
    """``date_parts_agreement`` in NumPy: a comparison with a null part is not an agreement."""
    dates = level_date_columns(comparison, level)
    names = (dates.year, dates.month, dates.day)
    query = [pairs.query[name] for name in names]
    parts = [pairs.numbers(name) for name in names]
    (y_l, m_l, d_l), (y_r, m_r, d_r) = query, [values.astype(np.int64) for values, _ in parts]
    valid_y, valid_m, valid_d = (valid for _, valid in parts)
    agree: Mask = np.zeros(pairs.size, dtype=np.bool_)
    if y_l is None:
        return agree
    if level.match == "exact":
        month_fits = ~valid_m | (m_r == m_l) if m_l is not None else ~agree
        day_fits = ~valid_d | (d_r == d_l) if d_l is not None else ~agree
        agree = valid_y & (y_r == y_l) & month_fits & day_fits
    elif level.match == "within_years":
        agree = valid_y & (np.abs(y_r - y_l) <= level.tolerance)
    elif m_l is None or d_l is None:
        pass
    elif level.match == "day_month_swap":
        agree = valid_y & valid_m & valid_d & (y_r == y_l) & (d_r == m_l) & (m_r == d_l)
    else:
        days = np.abs(_day_number(y_r, m_r, d_r) - _day_number(y_l, m_l, d_l))
        agree = valid_y & valid_m & valid_d & (days <= level.tolerance)
    return agree


def _day_number(year: Any, month: Any, day: Any) -> Any:
    """``matching.comparisons.day_number`` for NumPy arrays and Python ints alike."""
    shifted = year - (month <= 2) * 1
    era = shifted // 400
    year_of_era = shifted - era * 400
    month_index = np.where(month > 2, month - 3, month + 9)
    day_of_year = (153 * month_index + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468
