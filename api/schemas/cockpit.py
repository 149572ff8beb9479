"""The citizen's Datenschutzcockpit view of transfers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class TransferItem(BaseModel):
    """One request about the citizen: who asked, when, what, why, on which basis, outcome."""

    request_id: str
    occurred_at: datetime
    requester: str
    service: str
    evidence_type: str
    legal_basis: str
    purpose: str
    outcome: str


class TransferPage(BaseModel):
    """One page of transfers, newest first."""

    items: list[TransferItem]
    limit: int
    offset: int
