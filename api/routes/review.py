"""``/v1/review``: the register office works the review queue; every decision is audited."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum

from fastapi import APIRouter

from api.deps import RegisterOffice, StoreDep, WriterDep
from api.problems import ProblemError, ProblemKind
from api.schemas.bounds import PageLimit, PageOffset, RowId
from api.schemas.review import (
    ReviewDecisionBody,
    ReviewDecisionOut,
    ReviewItemOut,
    ReviewQueuePage,
)
from regmod.errors import InputError, NotFoundError
from regmod.store.review import decide_review, list_review_queue

router = APIRouter(prefix="/review", tags=["review"])


class QueueStatus(StrEnum):
    """Which items to list."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@router.get("", response_model=ReviewQueuePage, summary="The review queue")
def review_queue(
    office: RegisterOffice,
    store: StoreDep,
    status: QueueStatus = QueueStatus.OPEN,
    limit: PageLimit = 100,
    offset: PageOffset = 0,
) -> ReviewQueuePage:
    """The office's review items with ``status``, one page at a time."""
    with store.read() as conn:
        items = list_review_queue(
            conn, office.tenant, status=status.value, limit=limit, offset=offset
        )
    fields = ReviewItemOut.model_fields
    return ReviewQueuePage(
        items=[
            ReviewItemOut(**{k: v for k, v in asdict(item).items() if k in fields})
            for item in items
        ],
        limit=limit,
        offset=offset,
    )


@router.post(
    "/{item_id}/decision",
    response_model=ReviewDecisionOut,
    status_code=201,
    responses={
        404: {"description": "No such item in this tenant"},
        409: {"description": "Decided"},
    },
    summary="Accept or reject a review item",
)
def decide(
    body: ReviewDecisionBody,
    office: RegisterOffice,
    store: StoreDep,
    writer: WriterDep,
    item_id: RowId,
) -> ReviewDecisionOut:
    """Record the decision (accepting links the record) and append it to the audit log."""
    try:
        with store.write() as conn:
            decision = decide_review(
                conn,
                writer,
                office.tenant,
                item_id,
                office.key_id,
                accept=body.accept,
                reason=body.reason,
            )
    except NotFoundError as error:
        raise ProblemError(ProblemKind.NOT_FOUND, f"review item {item_id} not found") from error
    except InputError as error:
        if error.field == "item_id":
            raise ProblemError(ProblemKind.CONFLICT, str(error)) from error
        raise
    return ReviewDecisionOut(**asdict(decision))
