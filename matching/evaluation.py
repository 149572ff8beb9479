"""Link quality against known true links: confusion counts, precision, recall, F1, threshold sweep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from matching.errors import MatchingError

ID_COLUMNS = ("id_l", "id_r")


@dataclass(frozen=True, slots=True)
class LinkQuality:
    """Confusion counts of predicted against true links and the measures derived from them."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of predicted links that are true (1.0 when nothing was predicted)."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of true links that were predicted (1.0 when there are none)."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / total if total else 1.0


def record_id_pairs(
    pairs: pl.DataFrame, left_ids: pl.Series, right_ids: pl.Series | None = None
) -> pl.DataFrame:
    """Add ``id_l, id_r`` to a pair frame by gathering record ids with ``idx_l, idx_r``.

    For dedupe pass only ``left_ids``; both indices then point into the one frame.
    """
    right = left_ids if right_ids is None else right_ids
    return pairs.with_columns(
        id_l=left_ids.gather(pairs["idx_l"]), id_r=right.gather(pairs["idx_r"])
    )


def evaluate_links(
    predicted: pl.DataFrame, truth: pl.DataFrame, *, dedupe: bool = False
) -> LinkQuality:
    """Compare predicted links with true links, both frames of record-id pairs ``id_l, id_r``.

    With ``dedupe`` a pair and its mirror are the same link; repeated pairs count once.

    >>> truth = pl.DataFrame({"id_l": ["a", "b"], "id_r": ["x", "y"]})
    >>> evaluate_links(pl.DataFrame({"id_l": ["a", "c"], "id_r": ["x", "z"]}), truth).f1
    0.5
    """
    found = _link_set(predicted, dedupe, "predicted")
    actual = _link_set(truth, dedupe, "truth")
    true_positives = found.join(actual, on=list(ID_COLUMNS), how="semi", nulls_equal=True).height
    return LinkQuality(
        true_positives=true_positives,
        false_positives=found.height - true_positives,
        false_negatives=actual.height - true_positives,
    )


def threshold_sweep(
    scored: pl.DataFrame,
    truth: pl.DataFrame,
    thresholds: Sequence[float],
    *,
    score_column: str = "match_weight",
    dedupe: bool = False,
) -> pl.DataFrame:
    """Quality of predicting ``score_column >= threshold`` for each threshold.

    ``scored`` holds record-id pairs ``id_l, id_r`` (see ``record_id_pairs``) and the score; a pair
    scored twice counts with its higher score. Returns ``threshold, n_predicted, true_positives,
    precision, recall, f1``, one row per threshold in the given order.
    """
    if score_column not in scored.columns:
        raise MatchingError(f"scored frame lacks {score_column!r}; columns are {scored.columns}")
    actual = _link_set(truth, dedupe, "truth")
    best = (
        _normalised(scored, dedupe, "scored")
        .group_by(ID_COLUMNS)
        .agg(pl.col(score_column).max().alias("score"))
        .join(actual.with_columns(is_true=pl.lit(True)), on=list(ID_COLUMNS), how="left")
        .sort("score", descending=True)
    )
    descending_scores = best["score"].to_numpy()
    true_so_far = np.concatenate([[0], np.cumsum(best["is_true"].fill_null(False).to_numpy())])
    cut = np.array(thresholds, dtype=np.float64)
    n_predicted = np.searchsorted(-descending_scores, -cut, side="right")
    true_positives = true_so_far[n_predicted]
    n_true = actual.height
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(n_predicted > 0, true_positives / n_predicted, 1.0)
        recall = true_positives / n_true if n_true else np.ones_like(cut)
        denominator = n_predicted + n_true
        f1 = np.where(denominator > 0, 2 * true_positives / denominator, 1.0)
    return pl.DataFrame(
        {
            "threshold": cut,
            "n_predicted": pl.Series(n_predicted, dtype=pl.UInt64),
            "true_positives": pl.Series(true_positives, dtype=pl.UInt64),
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    )


def _normalised(pairs: pl.DataFrame, dedupe: bool, role: str) -> pl.DataFrame:
    """The pair frame with ``id_l, id_r`` checked; for dedupe ordered ascending, self-links dropped."""
    missing = [c for c in ID_COLUMNS if c not in pairs.columns]
    if missing:
        raise MatchingError(
            f"{role} frame lacks column(s) {missing}; give record-id pairs as {list(ID_COLUMNS)} "
            "(record_id_pairs adds them to a scored pair frame)"
        )
    if not dedupe:
        return pairs
    return pairs.filter(pl.col("id_l") != pl.col("id_r")).with_columns(
        id_l=pl.min_horizontal(ID_COLUMNS), id_r=pl.max_horizontal(ID_COLUMNS)
    )


def _link_set(pairs: pl.DataFrame, dedupe: bool, role: str) -> pl.DataFrame:
    """Distinct ``id_l, id_r`` links of a frame."""
    return _normalised(pairs, dedupe, role).select(ID_COLUMNS).unique()
