"""``/v1/audit``: the tenant's audit log and its verification, for auditors."""

from __future__ import annotations

from dataclasses import asdict
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Auditor, SettingsDep, StoreDep
from api.schemas.audit import (
    AuditEntryItem,
    AuditEntryPage,
    VerificationProblem,
    VerificationResult,
)
from regmod.audit.log import read_entries
from regmod.audit.trust import expectations
from regmod.audit.verify import verify_tenant

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("/entries", response_model=AuditEntryPage, summary="Read the audit log")
def list_entries(
    auditor: Auditor,
    store: StoreDep,
    first_seq: Annotated[int, Query(ge=1, le=2**62)] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditEntryPage:
    """Up to ``limit`` entries of the auditor's tenant from ``first_seq`` on, in chain order."""
    with store.read() as conn:
        entries = list(islice(read_entries(conn, auditor.tenant, first_seq=first_seq), limit + 1))
    page = entries[:limit]
    items = [
        AuditEntryItem(
            seq=entry.seq,
            kind=entry.kind,
            recorded_at=entry.recorded_at,
            actor=entry.actor,
            payload=entry.payload_value(),
            prev_hash=entry.prev_hash,
            entry_hash=entry.entry_hash,
        )
        for entry in page
    ]
    return AuditEntryPage(
        items=items, next_seq=entries[limit].seq if len(entries) > limit else None
    )


@router.get("/verify", response_model=VerificationResult, summary="Verify the audit log")
def verify(auditor: Auditor, store: StoreDep, settings: SettingsDep) -> VerificationResult:
    """Recompute the tenant's chain, checkpoints and witnessed heads, as `regmod audit verify` does.

    Names the first place that fails.
    """
    expect = expectations(settings)
    with store.read() as conn:
        report = verify_tenant(conn, auditor.tenant, expect=expect)
    problems = [VerificationProblem(**asdict(problem)) for problem in report.problems]
    first = report.first_problem
    return VerificationResult(
        ok=report.ok,
        entries_checked=report.entries_checked,
        last_seq=report.last_seq,
        last_hash=report.last_hash,
        checkpoints_checked=report.checkpoints_checked,
        signatures_verified=report.signatures_verified,
        witnessed_checked=report.witnessed_checked,
        first_problem=VerificationProblem(**asdict(first)) if first else None,
        problems=problems,
        notes=report.notes,
    )
