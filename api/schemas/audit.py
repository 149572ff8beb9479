"""Audit-log entries and verification results as auditors read them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class AuditEntryItem(BaseModel):
    """One entry of the tenant's hash chain, payload parsed."""

    seq: int
    kind: str
    recorded_at: str
    actor: str
    payload: Any
    prev_hash: str
    entry_hash: str


class AuditEntryPage(BaseModel):
    """Entries ``first_seq`` … in order; ``next_seq`` continues the listing, null at the end."""

    items: list[AuditEntryItem]
    next_seq: int | None


class VerificationProblem(BaseModel):
    """Where the chain stops fitting."""

    seq: int
    field: str
    expected: str
    found: str
    message: str


class VerificationResult(BaseModel):
    """The outcome of recomputing the tenant's chain and checkpoints."""

    ok: bool
    entries_checked: int
    last_seq: int
    last_hash: str
    checkpoints_checked: int
    signatures_verified: int
    witnessed_checked: int
    first_problem: VerificationProblem | None
    problems: list[VerificationProblem]
    notes: list[str]
