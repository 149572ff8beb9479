"""Dictionary encoding of reference columns, so one query value is looked up, not scanned.

Each distinct non-null value gets a code ``0, 1, …`` and nulls get ``NULL_CODE``; a Python dict
maps a query value to its code. Values are grouped by Polars, then merged by Python equality
(``hashable``), so the dict and the codes agree even where Polars keeps two groups Python finds
equal (``0.0`` and ``-0.0``). NaN counts as equal to NaN, as in Polars comparisons.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

NULL_CODE = -1
UNSEEN_CODE = -2
"""Code of a query value the reference does not hold: equal to no reference code."""

Codes = npt.NDArray[np.int32]


class _NaN:
    """The one key every NaN maps to (NaN is not equal to itself in Python)."""


_NAN_KEY = _NaN()


def hashable(value: Any) -> Any:
    """A dict key for a column value: lists as tuples, structs as item tuples, NaN as one key."""
    if isinstance(value, list):
        return tuple(hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, hashable(item)) for key, item in value.items())
    if isinstance(value, float) and value != value:
        return _NAN_KEY
    return value


@dataclass(frozen=True)
class Dictionary:
    """The distinct values of one or more columns and the code of each."""

    values: list[Any]
    lookup: dict[Any, int]

    def code(self, value: Any) -> int:
        """Code of ``value``: ``NULL_CODE`` for None, ``UNSEEN_CODE`` when not in the reference."""
        if value is None:
            return NULL_CODE
        return self.lookup.get(hashable(value), UNSEEN_CODE)


def encode(columns: list[pl.Series]) -> tuple[Dictionary, list[Codes]]:
    """One shared dictionary over ``columns`` (all of one dtype) and each column's codes."""
    stacked = pl.concat([column.rename("value") for column in columns])
    groups = stacked.to_frame().with_row_index("row").group_by("value").agg(pl.col("row")).to_dict()
    values: list[Any] = []
    lookup: dict[Any, int] = {}
    group_codes = np.empty(len(groups["value"]), dtype=np.int32)
    for group, value in enumerate(groups["value"].to_list()):
        if value is None:
            group_codes[group] = NULL_CODE
            continue
        code = lookup.setdefault(hashable(value), len(values))
        if code == len(values):
            values.append(value)
        group_codes[group] = code
    codes = np.empty(stacked.len(), dtype=np.int32)
    sizes = groups["row"].list.len().to_numpy()
    codes[groups["row"].explode().to_numpy()] = np.repeat(group_codes, sizes)
    bounds = np.cumsum([0, *(column.len() for column in columns)])
    return Dictionary(values, lookup), [
        codes[start:end] for start, end in itertools.pairwise(bounds)
    ]
