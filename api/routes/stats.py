"""``/v1/stats``: how often evidence was delivered, and how often the citizen had to bring paper."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import OfficeOrAuditor, ServicesDep
from api.schemas.stats import OutcomeCountOut, StatsOut
from regmod.evidence.transfers import count_outcomes
from regmod.store.transfers import TransferOutcome

router = APIRouter(prefix="/stats", tags=["stats"])

UNRESOLVED = {TransferOutcome.REFUSED, TransferOutcome.AMBIGUOUS, TransferOutcome.BLOCKED}


@router.get("", response_model=StatsOut, summary="Evidence requests per day, service and outcome")
def stats(
    principal: OfficeOrAuditor,
    services: ServicesDep,
    since: Annotated[datetime | None, Query(description="Only requests at or after")] = None,
) -> StatsOut:
    """Counts of the caller's tenant per UTC day, service, evidence type and outcome."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with services.store.read() as conn:
        counts = count_outcomes(conn, principal.tenant, since)
    return StatsOut(
        counts=[OutcomeCountOut(**asdict(count)) for count in counts],
        total=sum(count.count for count in counts),
        unresolved=sum(count.count for count in counts if count.outcome in UNRESOLVED),
    )
