"""The HTML report is one self-contained file: inline SVG, no scripts, no links to the network."""

from __future__ import annotations

import re

import polars as pl

from regmod.reconcile.manifest import DecisionCounts, InputFile, Quality, RunManifest
from regmod.reconcile.report import ReportData, Waterfall, probability_to_weight, render_report
from regmod.reconcile.svg import waterfall


def _manifest(quality: Quality | None = None) -> RunManifest:
    return RunManifest(
        run_id="run-1",
        started_at="2024-06-01T10:00:00+00:00",
        inputs=[InputFile(role="register", path="r.csv", sha256="ab" * 32, rows=10)],
        counts=DecisionCounts(
            rows_in=10,
            linked=6,
            review=1,
            unmatched=2,
            quarantined=1,
            reference_rows=12,
            reference_quarantined=0,
            candidate_pairs=30,
            duplicate_clusters=1,
        ),
        model_hash="f" * 64,
        match_threshold=0.999,
        review_threshold=0.5,
        tie_margin=4.0,
        timings_seconds={"read": 0.1, "score": 0.2},
        quality=quality,
    )


def _report(quality: Quality | None = None) -> str:
    return render_report(
        ReportData(
            manifest=_manifest(quality),
            best_weights=pl.Series([12.0, 20.5, -3.0, None]),
            parameters=pl.DataFrame(
                {
                    "comparison": ["sex", "sex"],
                    "level": ["exact", "else"],
                    "m": [0.99, 0.01],
                    "u": [0.5, 0.5],
                }
            ),
            quarantine_reasons=pl.DataFrame({"reason": ["impossible date <x>"], "rows": [1]}),
            waterfalls=[Waterfall("R1", "36574261809", "match", [("prior", -16.0), ("sex", 1.0)])],
        )
    )


def test_report_is_self_contained() -> None:
    html = _report()
    assert "<script" not in html
    assert not re.search(r"(src|href)=\"https?://", html)
    assert html.count("<svg") >= 4


def test_report_shows_counts_thresholds_and_escapes_labels() -> None:
    html = _report()
    assert "rows in" in html and ">10<" in html
    assert "impossible date &lt;x&gt;" in html
    assert "36574261809" in html


def test_precision_and_recall_appear_only_with_truth() -> None:
    assert "precision" not in _report()
    quality = Quality(
        true_links=8,
        automatic_links=6,
        correct_automatic_links=6,
        true_links_in_review=1,
        precision=1.0,
        recall=0.75,
        review_share=0.1,
    )
    assert "0.7500" in _report(quality)


def test_weight_of_probability_is_log2_odds() -> None:
    assert probability_to_weight(0.5) == 0.0
    assert round(probability_to_weight(0.999), 3) == 9.964


def test_waterfall_has_a_bar_per_step_and_a_total() -> None:
    assert waterfall([("prior", -10.0), ("name", 12.0)]).count("<rect") == 3
