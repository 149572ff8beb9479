"""Values of candidate pairs gathered by pair index, once per column and side, for the levels.

A level reads its columns through ``Gathered``: whole columns of numbers and codes are gathered
once and kept, text and lists only at the positions a level still tests, and string
similarities are computed at most once per pair, metric and column pair.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.arrays import BoolArray, Codes, FloatArray, Positions, null_mask
from matching.kernels import Metric
from matching.string_similarity import string_similarity

if TYPE_CHECKING:
    from matching.preparation import PreparedFrames


class Gathered:
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
        Polars spreads the columns over its threads."""
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
        or lists, which one level each reads and whose 16-byte views per pair would be most of
        a pair set's memory."""
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
                # for): holding both costs memory at scale.
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
