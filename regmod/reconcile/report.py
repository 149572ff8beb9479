"""``report.html``: one self-contained page (inline CSS and SVG, no scripts, no network) that shows
what a reconciliation run decided and why."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import polars as pl

from regmod.reconcile import svg
from regmod.reconcile.manifest import RunManifest

HISTOGRAM_BINS = 40

_CSS = """
body{font-family:sans-serif;margin:2em auto;max-width:60em;color:#222;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .7em;border-bottom:1px solid #eee;
text-align:right}th:first-child,td:first-child{text-align:left}.note{color:#666;font-size:.9em}
code{background:#f4f4f4;padding:0 .2em}
"""


@dataclass(frozen=True)
class Waterfall:
    """One decided pair explained: the prior and each comparison's contribution in log2 odds."""

    record_id: str
    idnr: str
    decision: str
    steps: Sequence[tuple[str, float]]
    contradictions: Sequence[str] = ()
    """Comparisons whose level says the two records are different people (no automatic link)."""
    reason: str | None = None
    """Why the record was not linked automatically, when it went to review."""


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows; built by the run, rendered without further computation."""

    manifest: RunManifest
    best_weights: pl.Series
    parameters: pl.DataFrame
    """Columns ``comparison, level, m, u`` in level order."""
    quarantine_reasons: pl.DataFrame
    """Columns ``reason, rows``."""
    waterfalls: Sequence[Waterfall] = field(default_factory=tuple)


def probability_to_weight(probability: float) -> float:
    """The match weight (log2 odds) at which a pair reaches ``probability``."""
    return math.log2(probability / (1.0 - probability))


def render_report(data: ReportData) -> str:
    """The whole HTML document as text."""
    manifest = data.manifest
    sections = [
        _decisions_section(manifest),
        _weights_section(data),
        _quality_section(manifest),
        _parameters_section(data.parameters),
        _waterfalls_section(data.waterfalls),
        _quarantine_section(data.quarantine_reasons),
        _run_section(manifest),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>regmod reconciliation report</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Reconciliation report</h1>"
        f'<p class="note">model <code>{escape(manifest.model_hash[:16])}</code> · '
        f"regmod {escape(manifest.software_version)} · started {escape(manifest.started_at)}</p>"
        + "".join(sections)
        + "</body></html>\n"
    )


def _decisions_section(manifest: RunManifest) -> str:
    counts = manifest.counts
    items = [
        ("match (automatic link)", counts.linked, svg.PALETTE["match"]),
        ("review", counts.review, svg.PALETTE["review"]),
        ("no match", counts.unmatched, svg.PALETTE["no_match"]),
        ("quarantined", counts.quarantined, svg.PALETTE["quarantined"]),
    ]
    total = counts.rows_in or 1
    rows = "".join(
        f"<tr><td>{label}</td><td>{value:,}</td><td>{100 * value / total:.2f} %</td></tr>"
        for label, value, _ in items
    )
    chart = svg.horizontal_bars(
        [(label, float(value)) for label, value, _ in items],
        colours=[colour for _, _, colour in items],
    )
    return (
        "<h2>Decisions</h2>"
        f"<table><tr><th>decision</th><th>records</th><th>share</th></tr>{rows}"
        f"<tr><th>rows in</th><th>{counts.rows_in:,}</th><th></th></tr></table>{chart}"
        f'<p class="note">{counts.candidate_pairs:,} candidate pairs; '
        f"{counts.duplicate_clusters:,} clusters of duplicate records inside the register; "
        f"{counts.reference_shared_idnr_rows:,} reference rows share an IDNr with another row "
        "(quarantined, see quarantine.parquet).</p>"
    )


def _weights_section(data: ReportData) -> str:
    weights = data.best_weights.drop_nulls().drop_nans()
    if weights.is_empty():
        return "<h2>Match weights</h2><p>No candidate pairs.</p>"
    manifest = data.manifest
    markers = [
        ("match", probability_to_weight(manifest.match_threshold)),
        ("review", probability_to_weight(manifest.review_threshold)),
    ]
    low = math.floor(min(float(weights.min()), *(value for _, value in markers)))  # type: ignore[arg-type]
    high = math.ceil(max(float(weights.max()), *(value for _, value in markers)))  # type: ignore[arg-type]
    step = (high - low) / HISTOGRAM_BINS or 1.0
    edges = [low + i * step for i in range(HISTOGRAM_BINS + 1)]
    bins = ((weights - low) / step).floor().cast(pl.Int64).clip(0, HISTOGRAM_BINS - 1)
    tally = bins.value_counts().sort(bins.name)
    counts = [0] * HISTOGRAM_BINS
    for index, count in tally.iter_rows():
        counts[index] = count
    chart = svg.histogram(counts, edges, markers=markers, x_label="match weight (log2 odds)")
    return (
        "<h2>Match weights</h2><p>Best candidate of each register record, with the decision "
        f"thresholds.</p>{chart}"
    )


def _quality_section(manifest: RunManifest) -> str:
    quality = manifest.quality
    if quality is None:
        return ""
    return (
        "<h2>Quality against truth</h2><table>"
        f"<tr><td>precision of automatic links</td><td>{quality.precision:.4f}</td></tr>"
        f"<tr><td>recall (true links linked automatically)</td><td>{quality.recall:.4f}</td></tr>"
        f"<tr><td>true links in review</td><td>{quality.true_links_in_review:,}</td></tr>"
        f"<tr><td>records in review</td><td>{100 * quality.review_share:.2f} %</td></tr>"
        f"<tr><td>true links / automatic / correct</td><td>{quality.true_links:,} / "
        f"{quality.automatic_links:,} / {quality.correct_automatic_links:,}</td></tr></table>"
    )


def _parameters_section(parameters: pl.DataFrame) -> str:
    if parameters.is_empty():
        return ""
    rows = "".join(
        f"<tr><td>{escape(comparison)}</td><td>{escape(level)}</td><td>{m:.4f}</td>"
        f"<td>{u:.6f}</td><td>{_log2_ratio(m, u)}</td></tr>"
        for comparison, level, m, u in parameters.select(
            "comparison", "level", "m", "u"
        ).iter_rows()
    )
    return (
        "<h2>m and u per comparison level</h2><p class='note'>m: share among true matches, "
        "u: share among non-matches, weight: log2(m/u).</p>"
        "<table><tr><th>comparison</th><th>level</th><th>m</th><th>u</th><th>weight</th></tr>"
        f"{rows}</table>"
    )


def _waterfalls_section(waterfalls: Sequence[Waterfall]) -> str:
    if not waterfalls:
        return ""
    parts = [
        f"<h3>{escape(item.record_id)} → {escape(item.idnr)} ({escape(item.decision)})</h3>"
        + svg.waterfall(item.steps)
        for item in waterfalls
    ]
    return "<h2>Example decisions</h2>" + "".join(parts)


def _quarantine_section(reasons: pl.DataFrame) -> str:
    if reasons.is_empty():
        return "<h2>Quarantine</h2><p>No rows quarantined.</p>"
    items = [(str(reason), float(rows)) for reason, rows in reasons.iter_rows()]
    return "<h2>Quarantine reasons</h2>" + svg.horizontal_bars(
        items, colours=[svg.PALETTE["quarantined"]] * len(items)
    )


def _run_section(manifest: RunManifest) -> str:
    inputs = "".join(
        f"<tr><td>{escape(item.role)}</td><td>{escape(item.path)}</td>"
        f"<td><code>{item.sha256[:16]}</code></td><td>{'' if item.rows is None else item.rows}"
        "</td></tr>"
        for item in manifest.inputs
    )
    timings = [(stage, seconds) for stage, seconds in manifest.timings_seconds.items()]
    return (
        "<h2>Run</h2><table><tr><th>input</th><th>path</th><th>sha256</th><th>rows</th></tr>"
        f"{inputs}</table><p>Time per stage (seconds)</p>" + svg.horizontal_bars(timings, unit=" s")
    )


def _log2_ratio(m: float, u: float) -> str:
    if m <= 0 or u <= 0:
        return "–"
    return f"{math.log2(m / u):+.2f}"
