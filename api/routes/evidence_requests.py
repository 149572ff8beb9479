"""``/v1/evidence-requests``: once-only evidence for online services, with optional preview."""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi import APIRouter, Path, status
from fastapi.responses import Response

from api.deps import EvidenceDep, MetricsDep, OnlineService
from api.problems import ProblemError, ProblemKind
from api.schemas.evidence import AnswerStatus, ConfirmBody, EvidenceAnswer, EvidenceRequestBody
from api.schemas.subject import SubjectByIdnr
from regmod.errors import NotFoundError, PreviewRejectedError
from regmod.evidence import Answer, EvidenceRequest, RefusalReason
from regmod.store.access import Principal as StorePrincipal
from regmod.store.transfers import TransferOutcome

router = APIRouter(prefix="/evidence-requests", tags=["evidence"])

_REFUSAL_PROBLEM = {
    RefusalReason.NOT_ENTITLED: ProblemKind.NOT_ENTITLED,
    RefusalReason.SUBJECT_NOT_FOUND: ProblemKind.SUBJECT_NOT_FOUND,
    RefusalReason.SUBJECT_AMBIGUOUS: ProblemKind.SUBJECT_AMBIGUOUS,
}
_PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    403: {"description": "Wrong role, or the requester is not entitled (problem)"},
    404: {"description": "Subject not found (problem); send the IDNr"},
    409: {"description": "Preview cannot be confirmed (problem)"},
    422: {"description": "Subject ambiguous or request invalid (problem); send the IDNr"},
}


def _requester_id(principal: StorePrincipal) -> int:
    if principal.requester_id is None:
        raise ProblemError(ProblemKind.FORBIDDEN, "this online-service key names no requester")
    return principal.requester_id


def _json(body: EvidenceAnswer, status_code: int = status.HTTP_200_OK) -> Response:
    """``body`` serialised by pydantic in one step (no dict in between)."""
    content = body.model_dump_json(exclude_none=True)
    return Response(content, status_code=status_code, media_type="application/json")


def _respond(metrics: MetricsDep, answer: Answer) -> Response:
    """The HTTP answer for a logged outcome: evidence, preview, or a problem."""
    metrics.evidence_outcomes.labels(answer.evidence_type.value, answer.outcome).inc()
    body = EvidenceAnswer(
        request_id=answer.request_id,
        status=AnswerStatus.DELIVERED,
        evidence_type=answer.evidence_type,
        occurred_at=answer.occurred_at,
    )
    if answer.outcome is TransferOutcome.DELIVERED:
        evidence = answer.evidence or {}
        body.evidence, body.deceased = evidence, bool(evidence.get("deceased"))
        return _json(body)
    if answer.outcome is TransferOutcome.PREVIEW:
        body.status = AnswerStatus.PREVIEW
        body.preview_token = answer.preview_token
        body.preview_expires_at = answer.preview_expires_at
        body.preview_fields = list(answer.preview_fields)
        return _json(body)
    kind = _REFUSAL_PROBLEM[answer.reason or RefusalReason.SUBJECT_NOT_FOUND]
    # A blocked person is answered exactly as one not found; only the log says blocked.
    blocked = answer.outcome is TransferOutcome.BLOCKED
    raise ProblemError(
        kind,
        answer.detail,
        request_id=answer.request_id,
        outcome=TransferOutcome.REFUSED.value if blocked else answer.outcome.value,
        candidates_considered=answer.candidates_considered,
    )


@router.post(
    "",
    response_model=EvidenceAnswer,
    response_model_exclude_none=True,
    responses={
        **_PROBLEM_RESPONSES,
    },
    summary="Request evidence about a citizen (once-only)",
)
async def request_evidence(
    body: EvidenceRequestBody, service: OnlineService, evidence: EvidenceDep, metrics: MetricsDep
) -> Response:
    """Check the entitlement, resolve the subject, and answer; every outcome is logged.

    Async: the request waits for the transfer writer without holding a threadpool thread.
    """
    subject = body.subject
    request = EvidenceRequest(
        evidence_type=body.evidence_type,
        legal_basis=body.legal_basis,
        purpose=body.purpose,
        idnr=subject.idnr if isinstance(subject, SubjectByIdnr) else None,
        attributes=None if isinstance(subject, SubjectByIdnr) else subject.attributes(),
        preview=body.preview,
    )
    submit = partial(
        evidence.submit,
        _requester_id(service),
        request,
        actor=service.key_id,
        tenant=service.tenant,
    )
    # A subject by attributes is matched while submitting: in a worker thread, not on the loop.
    submitted = submit() if request.idnr is not None else await asyncio.to_thread(submit)
    return _respond(metrics, await asyncio.wrap_future(submitted))


@router.post(
    "/{request_id}/confirm",
    response_model=EvidenceAnswer,
    response_model_exclude_none=True,
    responses=_PROBLEM_RESPONSES,
    summary="Release the evidence of a preview the citizen agreed to",
)
def confirm_preview(
    body: ConfirmBody,
    service: OnlineService,
    evidence: EvidenceDep,
    metrics: MetricsDep,
    request_id: str = Path(max_length=64),
) -> Response:
    """Deliver the previewed evidence once, before the token expires; logged like any request."""
    try:
        answer = evidence.confirm(
            _requester_id(service), request_id, body.preview_token, actor=service.key_id
        )
    except NotFoundError as error:
        raise ProblemError(ProblemKind.NOT_FOUND, str(error)) from error
    except PreviewRejectedError as error:
        raise ProblemError(ProblemKind.PREVIEW_INVALID, str(error)) from error
    return _respond(metrics, answer)
