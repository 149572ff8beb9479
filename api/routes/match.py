"""``/v1/match``: one register record against the tenant's reference, through the online index."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import RegisterOffice, ServicesDep
from api.schemas.match import ExplanationStep, MatchBody, MatchCandidate, MatchResult
from regmod.evidence.online import attributes_as_raw, linkable
from regmod.record import RECORD_ID

router = APIRouter(prefix="/match", tags=["match"])


@router.post(
    "",
    response_model=MatchResult,
    responses={503: {"description": "No trained model configured (problem)"}},
    summary="Match one record against the reference",
)
def match_record(body: MatchBody, office: RegisterOffice, services: ServicesDep) -> MatchResult:
    """Scored candidates with their waterfall explanations, strongest first."""
    record = linkable(attributes_as_raw(body.record.attributes()))
    result = services.indexes.query(office.tenant, record, top_k=body.top_k)
    candidates = [
        MatchCandidate(
            idnr=str(row[RECORD_ID]),
            match_weight=float(row["match_weight"]),
            match_probability=float(row["match_probability"]),
            margin=None if row["margin"] is None else float(row["margin"]),
            explanation=[
                ExplanationStep.model_validate(step)
                for step in result.explanation(rank).iter_rows(named=True)
            ],
        )
        for rank, row in enumerate(result.rows)
    ]
    return MatchResult(
        candidates=candidates,
        candidates_scored=result.n_candidates,
        margin=result.margin,
        model_hash=result.model.model_hash,
    )
