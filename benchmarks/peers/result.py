"""What one tool run reports back to the comparison."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolResult:
    """Stage timings (seconds), candidate pairs and the predicted links as record-id pairs."""

    timings: dict[str, float]
    candidate_pairs: int
    predicted: list[tuple[str, str]]
