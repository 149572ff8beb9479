"""Usage statistics of the evidence API."""

from __future__ import annotations

from pydantic import BaseModel


class OutcomeCountOut(BaseModel):
    """Requests of one service and evidence type that ended in ``outcome`` on ``day`` (UTC)."""

    day: str
    service: str
    evidence_type: str
    outcome: str
    count: int


class StatsOut(BaseModel):
    """Counts over time, and the share a citizen had to bring paper for (not resolved)."""

    counts: list[OutcomeCountOut]
    total: int
    unresolved: int
