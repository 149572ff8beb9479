"""Specification of link-quality measures on hand-made cases."""

from __future__ import annotations

import polars as pl
import pytest

from matching.errors import MatchingError
from matching.evaluation import LinkQuality, evaluate_links, record_id_pairs, threshold_sweep


def links(*pairs: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(list(pairs), schema={"id_l": pl.String, "id_r": pl.String}, orient="row")


TRUTH = links(("a", "x"), ("b", "y"), ("c", "z"), ("d", "w"))


def test_counts_true_false_positives_and_missed_links() -> None:
    quality = evaluate_links(links(("a", "x"), ("b", "y"), ("c", "q")), TRUTH)
    assert quality == LinkQuality(true_positives=2, false_positives=1, false_negatives=2)
    assert quality.precision == pytest.approx(2 / 3)
    assert quality.recall == pytest.approx(0.5)
    assert quality.f1 == pytest.approx(4 / 7)


def test_repeated_predictions_count_once() -> None:
    quality = evaluate_links(links(("a", "x"), ("a", "x")), TRUTH)
    assert quality.true_positives == 1
    assert quality.false_positives == 0


def test_dedupe_treats_a_pair_and_its_mirror_as_the_same_link() -> None:
    truth = links(("p1", "p2"), ("p3", "p4"))
    quality = evaluate_links(links(("p2", "p1"), ("p4", "p3"), ("p1", "p1")), truth, dedupe=True)
    assert quality == LinkQuality(true_positives=2, false_positives=0, false_negatives=0)


def test_link_mode_keeps_pair_direction() -> None:
    assert evaluate_links(links(("x", "a")), TRUTH).true_positives == 0


def test_nothing_predicted_has_full_precision_and_no_recall() -> None:
    quality = evaluate_links(links(), TRUTH)
    assert (quality.precision, quality.recall, quality.f1) == (1.0, 0.0, 0.0)


def test_missing_id_column_names_the_expected_columns() -> None:
    with pytest.raises(MatchingError, match="id_l"):
        evaluate_links(pl.DataFrame({"left": ["a"], "right": ["x"]}), TRUTH)


def test_record_ids_are_gathered_by_pair_indices() -> None:
    pairs = pl.DataFrame(
        {"idx_l": [1, 0], "idx_r": [0, 0]}, schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32}
    )
    named = record_id_pairs(pairs, pl.Series(["a", "b"]), pl.Series(["x"]))
    assert named.select("id_l", "id_r").rows() == [("b", "x"), ("a", "x")]


def test_threshold_sweep_counts_pairs_at_or_above_each_threshold() -> None:
    scored = links(("a", "x"), ("b", "y"), ("c", "q"), ("d", "w")).with_columns(
        match_weight=pl.Series([9.0, 5.0, 4.0, 1.0])
    )
    sweep = threshold_sweep(scored, TRUTH, [10.0, 5.0, 4.0, 0.0])
    assert sweep["n_predicted"].to_list() == [0, 2, 3, 4]
    assert sweep["true_positives"].to_list() == [0, 2, 2, 3]
    assert sweep["precision"].to_list() == pytest.approx([1.0, 1.0, 2 / 3, 3 / 4])
    assert sweep["recall"].to_list() == pytest.approx([0.0, 0.5, 0.5, 0.75])
    at_five = evaluate_links(scored.filter(pl.col("match_weight") >= 5.0), TRUTH)
    assert sweep["f1"][1] == pytest.approx(at_five.f1)


def test_threshold_sweep_on_dedupe_uses_best_score_of_mirrored_pairs() -> None:
    scored = links(("p2", "p1"), ("p1", "p2")).with_columns(match_probability=pl.Series([0.3, 0.8]))
    sweep = threshold_sweep(
        scored, links(("p1", "p2")), [0.5], score_column="match_probability", dedupe=True
    )
    assert sweep.row(0, named=True)["n_predicted"] == 1
    assert sweep.row(0, named=True)["f1"] == 1.0
