"""``/v1/cockpit``: the citizen's own transfers (Datenschutzcockpit)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Citizen, StoreDep
from api.schemas.bounds import PageLimit, PageOffset
from api.schemas.cockpit import TransferItem, TransferPage
from regmod.evidence.transfers import list_transfers

router = APIRouter(prefix="/cockpit", tags=["cockpit"])


@router.get("/transfers", response_model=TransferPage, summary="Transfers about me")
def my_transfers(
    citizen: Citizen,
    store: StoreDep,
    limit: PageLimit = 100,
    offset: PageOffset = 0,
) -> TransferPage:
    """Every logged request about the IDNr the citizen's token is bound to, newest first."""
    assert citizen.idnr is not None  # citizen keys always name their IDNr
    with store.read() as conn:
        rows = list_transfers(conn, citizen.tenant, idnr=citizen.idnr, limit=limit, offset=offset)
    items = [
        TransferItem(
            request_id=row.request_id,
            occurred_at=row.occurred_at,
            requester=row.requester_name,
            service=row.service,
            evidence_type=row.evidence_type,
            legal_basis=row.legal_basis,
            purpose=row.purpose,
            outcome=row.outcome,
        )
        for row in rows
    ]
    return TransferPage(items=items, limit=limit, offset=offset)
