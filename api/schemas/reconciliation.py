"""Reconciliation runs started over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

FileName = Field(min_length=1, max_length=200, pattern=r"^[\w.\-]+$")


class ReconciliationBody(BaseModel):
    """File names inside the tenant's input folder on the server."""

    model_config = ConfigDict(extra="forbid")

    register_file: str = FileName
    reference_file: str = FileName


class ReconciliationStatus(BaseModel):
    """A run's state and progress by stage."""

    id: str
    state: str
    stage: str | None
    progress: float
    created_at: datetime
    finished_at: datetime | None
    error: str | None


class ReconciliationResults(BaseModel):
    """The manifest of a finished run: counts, model hash, thresholds, timings, quality."""

    id: str
    manifest: dict[str, Any]
