"""``/v1/match``: one record against the tenant's reference, through the online index."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response

from api.deps import IndexesDep, RegisterOffice
from api.schemas.match import MatchBody, MatchResult
from regmod.evidence.online import linkable_subject
from regmod.record import RECORD_ID

router = APIRouter(prefix="/match", tags=["match"])


@router.post(
    "",
    response_model=MatchResult,
    responses={503: {"description": "No trained model configured (problem)"}},
    summary="Match one record against the reference",
)
async def match_record(body: MatchBody, office: RegisterOffice, indexes: IndexesDep) -> Response:
    """Scored candidates with their waterfall explanations, strongest first.

    Async: a query of a built index is about a millisecond of CPU, cheaper on the event loop
    than a hand-off to a worker thread; building or re-checking the index reads the store and
    runs in a worker thread.
    """
    record = linkable_subject(body.record.attributes())
    index = indexes.fresh(office.tenant)
    if index is None:
        index = await asyncio.to_thread(indexes.index, office.tenant)
    result = index.query(record, top_k=body.top_k)
    # One validation of the whole answer (in pydantic's core), not one per model instance.
    answer = MatchResult.model_validate(
        {
            "candidates": [
                {
                    "idnr": str(row[RECORD_ID]),
                    "match_weight": row["match_weight"],
                    "match_probability": row["match_probability"],
                    "margin": row["margin"],
                    "contradictions": indexes.contradictions(row),
                    "explanation": result.steps(rank),
                }
                for rank, row in enumerate(result.rows)
            ],
            "candidates_scored": result.n_candidates,
            "margin": result.margin,
            "model_hash": result.model.model_hash,
        }
    )
    return Response(answer.model_dump_json(), media_type="application/json")
