"""One-to-one assignment of scored pairs: greedy by weight, near-ties withheld for review.

The result is defined as the sequential greedy procedure: walk the pairs in descending weight
(ties broken by ``idx_l`` then ``idx_r``); a pair whose two records are both still open is decided.
Its margin is its weight minus the best other pair still open on either of its records. With a margin
of at least ``tie_margin`` it is ``assigned``; otherwise it and its open competitors within the margin
are marked ``tie`` for review. Either way its two records are closed, and every other pair still
touching them becomes ``outranked``; the other records of tied competitors stay open.

The walk is computed in vectorised rounds on NumPy arrays: a round decides every pair that is
first on both of its records and whose competitors' other records have no earlier open pair;
such decisions cannot interact, so the rounds reproduce the sequential walk exactly.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.errors import MatchingError

ASSIGNED: Final = "assigned"
TIE: Final = "tie"
OUTRANKED: Final = "outranked"
ASSIGNMENT_STATUS: Final = pl.Enum([ASSIGNED, TIE, OUTRANKED])

_REQUIRED: Final = ("idx_l", "idx_r", "match_weight")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def assign_one_to_one(
    pairs: pl.DataFrame, *, tie_margin: float = 1.0, weight_column: str = "match_weight"
) -> pl.DataFrame:
    """Decide every pair as assigned, tie or outranked so each record has at most one assignment.

    Returns ``idx_l, idx_r, match_weight, status, margin`` for every input pair, sorted by
    ``idx_l, idx_r``. ``margin`` is the weight minus the strongest open competitor when the pair
    was decided (null without competitor), for a tied competitor its distance below the tied leader,
    and null for outranked pairs. The competing candidates of a record under review are its pairs
    with status ``tie``.

    >>> pairs = pl.DataFrame({"idx_l": [0, 0, 1], "idx_r": [0, 1, 1], "match_weight": [9.0, 8.5, 3.0]})
    >>> assign_one_to_one(pairs, tie_margin=1.0)["status"].to_list()
    ['tie', 'tie', 'assigned']
    """
    if tie_margin < 0:
        raise MatchingError(f"tie_margin must be zero or positive, got {tie_margin}")
    frame = _validated(pairs, weight_column)
    left, right = (_compact(frame[side].to_numpy()) for side in ("idx_l", "idx_r"))
    weight = frame["match_weight"].to_numpy()
    # The frame is sorted by idx_l, idx_r, so a stable sort by weight alone breaks ties by them
    # (cheaper than sorting by all three).
    greedy = (
        frame.select(pl.arg_sort_by("match_weight", descending=True, maintain_order=True))
        .to_series()
        .to_numpy()
    )
    status = np.empty(frame.height, dtype=np.int8)
    margin = np.empty(frame.height)
    status[greedy], margin[greedy] = _walk(left[greedy], right[greedy], weight[greedy], tie_margin)
    return frame.with_columns(
        pl.Series("status", status).replace_strict(
            list(_CODES), list(_CODES.values()), return_dtype=ASSIGNMENT_STATUS
        ),
        pl.Series("margin", margin, nan_to_null=True),
    )


def _validated(pairs: pl.DataFrame, weight_column: str) -> pl.DataFrame:
    """``idx_l, idx_r, match_weight`` of a valid pair frame (no null weight, no pair twice),
    sorted by ``idx_l, idx_r``."""
    missing = [c for c in ("idx_l", "idx_r", weight_column) if c not in pairs.columns]
    if missing:
        raise MatchingError(
            f"pair frame lacks column(s) {missing}; expected {list(_REQUIRED)} "
            f"(weight column {weight_column!r}), got {pairs.columns}"
        )
    frame = pairs.select(
        pl.col("idx_l").cast(pl.UInt32),
        pl.col("idx_r").cast(pl.UInt32),
        pl.col(weight_column).cast(pl.Float64).alias("match_weight"),
    )
    if frame["match_weight"].is_null().any() or frame["match_weight"].is_nan().any():
        raise MatchingError(f"column {weight_column!r} holds null or NaN weights; score every pair")
    frame = frame.sort("idx_l", "idx_r")
    left, right = frame["idx_l"].to_numpy(), frame["idx_r"].to_numpy()
    if np.any((left[1:] == left[:-1]) & (right[1:] == right[:-1])):
        raise MatchingError("pair frame holds a pair (idx_l, idx_r) more than once; deduplicate it")
    return frame


_ASSIGNED, _TIE, _OUTRANKED = 0, 1, 2
_CODES: Final = {_ASSIGNED: ASSIGNED, _TIE: TIE, _OUTRANKED: OUTRANKED}
"""Status codes of the walk and the status each stands for."""


def _walk(
    left: IntArray, right: IntArray, weight: FloatArray, tie_margin: float
) -> tuple[npt.NDArray[np.int8], FloatArray]:
    """Status code and margin (NaN for none) of each pair, the pairs given in greedy order."""
    status = np.full(len(weight), _OUTRANKED, dtype=np.int8)
    margin = np.full(len(weight), np.nan)
    span = int(max(left.max(initial=-1), right.max(initial=-1))) + 1
    active = np.arange(len(weight))
    while active.size:
        rows_l, rows_r, rows_w = left[active], right[active], weight[active]
        order = np.arange(active.size)
        top_l, top_r = _group_min(order, rows_l, span), _group_min(order, rows_r, span)
        # A leader is first on both of its records, and no competitor's other record has an
        # earlier open pair: leaders of one round share no competitor, so they cannot interact.
        leaders = np.flatnonzero(
            (top_l == order)
            & (top_r == order)
            & (_group_min(top_r, rows_l, span) == order)
            & (_group_min(top_l, rows_r, span) == order)
        )
        runner_up = np.fmax(
            _second_weight(rows_l, rows_w, top_l, span)[leaders],
            _second_weight(rows_r, rows_w, top_r, span)[leaders],
        )
        lead = rows_w[leaders] - runner_up
        tied = lead < tie_margin  # no competitor: NaN, never below
        status[active[leaders]] = np.where(tied, _TIE, _ASSIGNED)
        margin[active[leaders]] = lead
        closed = _touching(rows_l, rows_l[leaders], span) | _touching(rows_r, rows_r[leaders], span)
        competitor = closed.copy()
        competitor[leaders] = False
        # Competitors of a tied leader within the margin are tied too, at their distance below it.
        tied_weight = np.fmax(
            _leader_weight(rows_l, rows_l[leaders[tied]], rows_w[leaders[tied]], span),
            _leader_weight(rows_r, rows_r[leaders[tied]], rows_w[leaders[tied]], span),
        )
        close_tie = np.flatnonzero(competitor & (rows_w > tied_weight - tie_margin))
        status[active[close_tie]] = _TIE
        margin[active[close_tie]] = rows_w[close_tie] - tied_weight[close_tie]
        active = active[~closed]
    return status, margin


def _compact(ids: npt.NDArray[np.uint32]) -> IntArray:
    """Record ids as they are when they are few compared to the pairs (the walk keeps arrays
    indexed by record id), else as dense ranks."""
    if len(ids) == 0 or int(ids.max()) < 4 * len(ids):
        return ids.astype(np.int64)
    ranks: IntArray = np.unique(ids, return_inverse=True)[1].astype(np.int64)
    return ranks


def _group_min(values: IntArray, keys: IntArray, span: int) -> IntArray:
    """Per element, the smallest of ``values`` among the elements with its key."""
    smallest = np.full(span, len(values), dtype=np.int64)
    np.minimum.at(smallest, keys, values)
    found: IntArray = smallest[keys]
    return found


def _second_weight(keys: IntArray, weights: FloatArray, top: IntArray, span: int) -> FloatArray:
    """Per element, the weight of the second pair in greedy order with its key (NaN if none);
    ``top`` is the position of each element's first pair with its key."""
    order = np.arange(len(keys))
    second = _group_min(np.where(order != top, order, len(keys)), keys, span)
    found: FloatArray = np.where(
        second < len(keys), weights[np.minimum(second, len(keys) - 1)], np.nan
    )
    return found


def _touching(keys: IntArray, chosen: IntArray, span: int) -> BoolArray:
    """Per element, whether its key is one of ``chosen``."""
    flags = np.zeros(span, dtype=bool)
    flags[chosen] = True
    touching: BoolArray = flags[keys]
    return touching


def _leader_weight(
    keys: IntArray, leader_keys: IntArray, leader_weights: FloatArray, span: int
) -> FloatArray:
    """Per element, the weight of the leader with its key (NaN if none)."""
    by_key = np.full(span, np.nan)
    by_key[leader_keys] = leader_weights
    found: FloatArray = by_key[keys]
    return found
