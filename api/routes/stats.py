"""``/v1/stats``: how often evidence was delivered, and how often the citizen had to bring paper."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Auditor, StoreDep
from api.schemas.bounds import UtcDatetime
from api.schemas.stats import OutcomeCountOut, StatsOut
from regmod.evidence.transfers import count_outcomes
from regmod.store.transfers import TransferOutcome

router = APIRouter(prefix="/stats", tags=["stats"])

UNRESOLVED = {TransferOutcome.REFUSED, TransferOutcome.AMBIGUOUS, TransferOutcome.BLOCKED}


@router.get("", response_model=StatsOut, summary="Evidence requests per day, service and outcome")
def stats(
    auditor: Auditor,
    store: StoreDep,
    since: Annotated[UtcDatetime | None, Query(title="Only requests at or after")] = None,
) -> StatsOut:
    """Counts of the auditor's tenant per UTC day, service, evidence type and outcome."""
    with store.read() as conn:
        counts = count_outcomes(conn, auditor.tenant, since)
    return StatsOut(
        counts=[OutcomeCountOut(**asdict(count)) for count in counts],
        total=sum(count.count for count in counts),
        unresolved=sum(count.count for count in counts if count.outcome in UNRESOLVED),
    )
