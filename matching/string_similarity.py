"""String similarity of pairs of dictionary codes: the native kernel once per distinct pair.

Equal codes short-cut to 1.0; where values repeat, the kernel runs once per distinct (left value,
right value) pair rather than once per pair.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.arrays import Codes, FloatArray
from matching.kernels import Metric, similarity_expr

DEDUPE_FROM_ROWS = 50_000
"""Below this many pairs the kernel runs on every pair: finding the distinct pairs costs more
than it saves (benchmarks/README.md has the measurements)."""
DEDUPE_BELOW_SHARE = 0.5
"""Above this many pairs, the kernel runs once per distinct pair when a sample finds fewer than
this share distinct (birth places repeat a lot, family names little)."""
_CODE_SPAN = 2**32


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
    than ``combinations_below_share`` of the pairs, looked up by array index; else, when a sample
    says few pairs are distinct, once per distinct code pair, found by a hash ``unique`` of a 64-bit pair key and looked up by a binary search (a
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
