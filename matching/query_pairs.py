"""One query record against a few reference rows: the reference held as NumPy arrays and codes.

The batch path pays a fixed cost per Polars operation, which rules when a query has a few hundred
candidates. Here the reference columns are held once as NumPy arrays (numbers) or dictionary
codes (everything else), and each level kind tests the candidates one by one in Python
(``LevelKind.candidate``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.encoding import Codes, Dictionary, encode
from matching.kernels import Metric

Mask = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.uint32]


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


Candidate = Callable[[int], bool]
"""A test of one candidate, by its position among the query's candidates."""


def never(_: int) -> bool:
    """The test of a level no candidate can reach (e.g. the query value is null)."""
    return False
