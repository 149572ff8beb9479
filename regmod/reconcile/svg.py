"""Small inline SVG charts for the self-contained HTML report (no scripts, no network).

Each function returns one ``<svg>`` element as text; labels are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
BAR_HEIGHT = 22
PALETTE = {
    "match": "#2e7d32",
    "review": "#f9a825",
    "no_match": "#9e9e9e",
    "quarantined": "#c62828",
    "positive": "#2e7d32",
    "negative": "#c62828",
    "neutral": "#1565c0",
}


def horizontal_bars(
    items: Sequence[tuple[str, float]], *, colours: Sequence[str] | None = None, unit: str = ""
) -> str:
    """Labelled horizontal bars, one per ``(label, value)``; values must be non-negative."""
    label_width, value_width = 200, 90
    scale_width = WIDTH - label_width - value_width
    largest = max((value for _, value in items), default=0.0) or 1.0
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * BAR_HEIGHT
        colour = colours[i] if colours else PALETTE["neutral"]
        length = scale_width * value / largest
        rows.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{BAR_HEIGHT - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 15}">{_number(value)}{unit}</text>'
        )
    return _svg(WIDTH, max(len(items), 1) * BAR_HEIGHT, "".join(rows))


def histogram(
    counts: Sequence[int],
    edges: Sequence[float],
    *,
    markers: Sequence[tuple[str, float]] = (),
    x_label: str = "",
) -> str:
    """Vertical histogram of ``counts`` between ``edges`` (len(counts) + 1), with labelled
    vertical marker lines (e.g. decision thresholds)."""
    height, left, bottom, top = 220, 50, 30, 18
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top
    low, high = edges[0], edges[-1]
    span = (high - low) or 1.0
    largest = max(counts, default=0) or 1

    def x_of(value: float) -> float:
        return left + plot_w * (value - low) / span

    bars = []
    for count, start, stop in zip(counts, edges[:-1], edges[1:], strict=True):
        bar_h = plot_h * count / largest
        bars.append(
            f'<rect x="{x_of(start):.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{max(x_of(stop) - x_of(start) - 1, 0.5):.1f}" height="{bar_h:.1f}" '
            f'fill="{PALETTE["neutral"]}"><title>{_number(start)}…{_number(stop)}: {count}'
            "</title></rect>"
        )
    lines = []
    for label, value in markers:
        x = x_of(min(max(value, low), high))
        lines.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + plot_h}" '
            f'stroke="{PALETTE["negative"]}" stroke-dasharray="4 3"/>'
            f'<text x="{x + 3:.1f}" y="{top + 6}" fill="{PALETTE["negative"]}">{escape(label)}</text>'
        )
    axis = (
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        'stroke="#333"/>'
        f'<text x="{left}" y="{height - 8}">{_number(low)}</text>'
        f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end">{_number(high)}</text>'
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle">{escape(x_label)}'
        "</text>"
        f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{largest}</text>'
    )
    return _svg(WIDTH, height, "".join(bars) + "".join(lines) + axis)


def waterfall(steps: Sequence[tuple[str, float]], *, total_label: str = "match weight") -> str:
    """A waterfall of additive contributions (prior first), ending in a total bar."""
    label_width, value_width = 230, 70
    plot_w = WIDTH - label_width - value_width
    running, positions = 0.0, []
    for _, value in steps:
        positions.append((running, running + value))
        running += value
    ends = [edge for pair in positions for edge in pair] + [0.0, running]
    low, high = min(ends), max(ends)
    span = (high - low) or 1.0

    def x_of(value: float) -> float:
        return label_width + plot_w * (value - low) / span

    rows = []
    for i, ((label, value), (start, stop)) in enumerate(zip(steps, positions, strict=True)):
        rows.append(_waterfall_row(i, label, value, x_of(start), x_of(stop)))
    rows.append(_waterfall_row(len(steps), total_label, running, x_of(0.0), x_of(running), True))
    zero = x_of(0.0)
    height = (len(steps) + 1) * BAR_HEIGHT
    rows.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="0" y2="{height}" stroke="#333"/>')
    return _svg(WIDTH, height, "".join(rows))


def _waterfall_row(
    index: int, label: str, value: float, x_from: float, x_to: float, total: bool = False
) -> str:
    y = index * BAR_HEIGHT
    colour = PALETTE["neutral"] if total else PALETTE["positive" if value >= 0 else "negative"]
    left, width = min(x_from, x_to), max(abs(x_to - x_from), 1.0)
    weight = ' font-weight="bold"' if total else ""
    return (
        f'<text x="224" y="{y + 15}" text-anchor="end"{weight}>{escape(label)}</text>'
        f'<rect x="{left:.1f}" y="{y + 3}" width="{width:.1f}" height="{BAR_HEIGHT - 6}" '
        f'fill="{colour}"/>'
        f'<text x="{WIDTH - 66}" y="{y + 15}"{weight}>{value:+.2f}</text>'
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _svg(width: int, height: int, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img">'
        f"{body}</svg>"
    )
