"""Edit-distance similarity levels in batch: packed words where at most one edit is allowed,
else the cheaper optimal-string-alignment kernel first and the exact kernel where it is unsure."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.arrays import BoolArray, Codes, null_mask
from matching.packed_strings import WORD_BYTES, at_least, at_most_one_edit, pack, same_length

if TYPE_CHECKING:
    from matching.arrays import Positions
    from matching.gathering import Gathered
    from matching.levels.base import ColumnPair
    from matching.preparation import PreparedFrames

EditMetric = Literal["levenshtein", "damerau_levenshtein"]


def edit_distance_agrees(
    metric: EditMetric, threshold: float, names: ColumnPair, data: Gathered, positions: Positions
) -> BoolArray:
    """Levenshtein or Damerau–Levenshtein similarity at or above the threshold.

    Where the threshold allows at most one edit for every pair, pairs of short ASCII values of
    equal length are settled on packed words (``packed_strings``); the others go to
    ``_edit_kernels_agree``.
    """
    left_name, right_name = names
    longest = np.array([data.longest("l", left_name), data.longest("r", right_name)])
    if _allowed_edits(threshold, longest).max() >= 2:
        return _edit_kernels_agree(
            metric, threshold, names, data, positions, one_edit_at_most=False
        )
    (codes_l, unfit_l), (codes_r, unfit_r) = (
        data.per_record(side, f"words {name}", partial(_words, name, data.prepared), positions)
        for side, name in (("l", left_name), ("r", right_name))
    )
    all_l, all_r = np.asarray(codes_l, dtype=np.uint64), np.asarray(codes_r, dtype=np.uint64)
    packed = ~(unfit_l | unfit_r) & same_length(all_l, all_r)
    words_l, words_r = all_l[packed], all_r[packed]
    agree = np.zeros(len(positions), dtype=bool)
    agree[packed] = words_l == words_r
    one_edit_from = _shortest_allowing_one_edit(threshold)
    if one_edit_from is not None:
        agree[packed] |= at_least(words_l, one_edit_from) & at_most_one_edit(
            words_l, words_r, transpositions=metric != "levenshtein"
        )
    rest = np.flatnonzero(~packed)
    if len(rest):
        agree[rest] = _edit_kernels_agree(
            metric, threshold, names, data, positions[rest], one_edit_at_most=True
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
    metric: EditMetric,
    threshold: float,
    names: ColumnPair,
    data: Gathered,
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
    osa = data.similarity(left_name, right_name, "optimal_string_alignment", positions)
    agree = osa >= threshold
    if metric == "levenshtein":
        unsure = agree.copy()
    elif one_edit_at_most:
        return agree
    else:
        longer = np.maximum(
            data.lengths("l", left_name, positions), data.lengths("r", right_name, positions)
        )
        unsure = ~agree & ~np.isnan(osa) & (_allowed_edits(threshold, longer) >= 2)
    if unsure.any():
        exact = data.similarity(left_name, right_name, metric, positions[unsure])
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
