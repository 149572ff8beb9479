"""Comparison levels of candidate pairs: one Int8 ``gamma_<name>`` column per comparison.

The driver: values are gathered by pair index (``matching.gathering``), each level kind tests the
pairs the levels before it left undecided (``LevelKind.holds``), comparisons run in a thread pool
at scale; term frequencies follow (``matching.term_frequencies``).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.arrays import BoolArray, FloatArray
from matching.gamma import GAMMA_DTYPE, NULL_LEVEL, gamma_column
from matching.gathering import Gathered
from matching.levels import LevelKind, Suffixes
from matching.preparation import PreparedFrames, prepare
from matching.spec import Comparison, LinkageSpec, comparison_columns
from matching.term_frequencies import TermFrequencyTables, with_term_frequencies

THREADS_FROM_PAIRS = 20_000
"""From this many pairs the comparisons run in a thread pool; below, threads cost more."""
GATHER_AHEAD_BELOW_PAIRS = 5_000_000
"""Below this many pairs every flat column is gathered up front, in one frame gather per side
(the faster way); from it on, a column is gathered when first read and dropped after the last
comparison reading it, which bounds memory at scale."""


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
    gathered = Gathered(prepared, pairs["idx_l"], pairs["idx_r"])
    columns = [
        pl.Series(gamma_column(comparison.name), gamma, dtype=GAMMA_DTYPE)
        for comparison, (gamma, _) in zip(
            spec.comparisons, _each_comparison(spec, gathered, sample=None), strict=True
        )
    ]
    return with_term_frequencies(pairs.with_columns(columns), gathered, spec)


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
    gathered = Gathered(prepared, pairs["idx_l"], pairs["idx_r"])
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
    spec: LinkageSpec, gathered: Gathered, sample: int | None
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
    # core keeps both cores busy between the parallel kernels.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(levels, spec.comparisons))


class _ReleasingLevels:
    """``_levels`` of one comparison after another, dropping each gathered column once the last
    comparison reading it is done, so memory holds the columns of the comparisons in progress."""

    def __init__(self, spec: LinkageSpec, gathered: Gathered, sample: int | None) -> None:
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


def _levels(
    comparison: Comparison, data: Gathered, sample: int | None
) -> tuple[npt.NDArray[np.int8], FloatArray | None]:
    """The first agreeing level per pair, each level seeing only the pairs still undecided;
    and each pair's weight when sampling (1, or more for the pairs of a sample, see
    ``sampled_level_counts``; pairs left out of it get ``UNCOMPARED_LEVEL``), else None (every
    pair weighs 1)."""
    levels = comparison.agreement_levels
    gamma = np.full(data.height, len(levels) - 1, dtype=np.int8)
    weight = None if sample is None else np.ones(data.height)
    null_level = comparison.null_level
    if null_level is None:
        undecided = np.ones(data.height, dtype=bool)
    else:
        is_null = null_level.holds(comparison, data, data.everything)
        gamma[is_null] = NULL_LEVEL
        undecided = ~is_null
    settled: dict[int, BoolArray] = {}
    # The last level is else: what no earlier level caught stays there.
    for index, level in enumerate(levels[:-1]):
        if not undecided.any():
            break
        if weight is not None and sample is not None and not level.cheap:
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
    data: Gathered,
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
        for index, level in enumerate(comparison.agreement_levels[:-1])
        if index >= first and level.cheap
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


def _agreeing(
    comparison: Comparison, level: LevelKind, data: Gathered, undecided: BoolArray
) -> BoolArray:
    """Which ``undecided`` pairs agree at ``level``, as a mask over all pairs. Cheap levels on
    many pairs run on every pair of the cached whole columns: that beats gathering the subset."""
    count = np.count_nonzero(undecided)
    if count == data.height or (level.cheap and 4 * count > data.height):
        agree: BoolArray = level.holds(comparison, data, data.everything) & undecided
        return agree
    positions = np.flatnonzero(undecided).astype(np.uint32)
    result = np.zeros(data.height, dtype=bool)
    result[positions[level.holds(comparison, data, positions)]] = True
    return result


def level_expressions(
    spec: LinkageSpec,
    schema: Mapping[str, pl.DataType],
    *,
    left_suffix: str = "_l",
    right_suffix: str = "_r",
) -> list[pl.Expr]:
    """One Int8 ``gamma_<name>`` expression per comparison, over a frame holding each input
    column twice, as ``<col>_l`` and ``<col>_r``; ``schema`` gives the unsuffixed dtypes.

    The same levels as ``compute_levels`` in a single ``select``, from each level kind's
    ``expression``: the Polars evaluation the batch and online paths are tested against.
    """
    sides = Suffixes(schema, left_suffix, right_suffix)
    return [_level_expression(comparison, sides) for comparison in spec.comparisons]


def _level_expression(comparison: Comparison, sides: Suffixes) -> pl.Expr:
    conditions = [
        level.expression(comparison, sides).fill_null(False)
        for level in comparison.agreement_levels[:-1]
    ]
    null_level = comparison.null_level
    is_null = pl.lit(False) if null_level is None else null_level.expression(comparison, sides)
    first_agreeing = pl.coalesce(
        pl.when(is_null).then(pl.lit(NULL_LEVEL)),
        *(pl.when(condition).then(pl.lit(i)) for i, condition in enumerate(conditions)),
        pl.lit(len(conditions)),
    )
    return first_agreeing.cast(GAMMA_DTYPE).alias(gamma_column(comparison.name))
