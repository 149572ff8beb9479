"""The review queue and reviewers' decisions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ReviewItemOut(BaseModel):
    """One candidate IDNr for a register record that a run could not decide."""

    id: int
    run_id: str
    record_id: str
    idnr: str
    match_weight: float | None
    match_probability: float | None
    rank: int
    model_hash: str | None
    status: str


class ReviewQueuePage(BaseModel):
    """One page of the queue, by record and rank."""

    items: list[ReviewItemOut]
    limit: int
    offset: int


class ReviewDecisionBody(BaseModel):
    """Accept (link the record to this IDNr) or reject, with a reason for the audit log."""

    model_config = ConfigDict(extra="forbid")

    accept: bool
    reason: str = Field(min_length=1, max_length=1000)


class ReviewDecisionOut(BaseModel):
    """The recorded decision."""

    item_id: int
    reviewer: str
    decided_at: datetime
    accept: bool
    reason: str
