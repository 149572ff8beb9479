"""Liveness, readiness (indexes built, store answers) and Prometheus metrics; no authentication."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from api.deps import IndexesDep, MetricsDep, StoreDep
from api.problems import ProblemError, ProblemKind

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    """``ok`` when the check passed."""

    status: str


@router.get("/healthz", response_model=HealthStatus, summary="The process is alive")
def healthz() -> HealthStatus:
    """Always ``ok`` while the process answers."""
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    response_model=HealthStatus,
    responses={503: {"description": "The store is not reachable or indexes are being built"}},
    summary="The store is reachable and the online indexes are built",
)
def readyz(indexes: IndexesDep, store: StoreDep) -> HealthStatus:
    """``ok`` when the start-up index build is done and the store answers, else a 503 problem."""
    if not indexes.warmed.is_set():
        raise ProblemError(
            ProblemKind.UNAVAILABLE, "the online indexes are still being built after start-up"
        )
    try:
        with store.read() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        raise ProblemError(
            ProblemKind.UNAVAILABLE, f"the store is not reachable ({type(error).__name__})"
        ) from error
    return HealthStatus(status="ok")


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    summary="Prometheus metrics",
)
def metrics(api_metrics: MetricsDep) -> Response:
    """Request counts and latencies per route, evidence outcomes, in the text exposition format."""
    return Response(generate_latest(api_metrics.registry), media_type=CONTENT_TYPE_LATEST)
