"""``/v1/reconciliations``: start a run on server-side files, follow its progress, read results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import JobsDep, RegisterOffice
from api.jobs import Job, JobState
from api.problems import ProblemError, ProblemKind
from api.schemas.reconciliation import (
    ReconciliationBody,
    ReconciliationResults,
    ReconciliationStatus,
)
from regmod.errors import ReconciliationUnavailableError

router = APIRouter(prefix="/reconciliations", tags=["reconciliations"])

JobId = Annotated[str, Path(max_length=64)]


def _status(job: Job) -> ReconciliationStatus:
    return ReconciliationStatus(
        id=job.id,
        state=job.state.value,
        stage=job.stage,
        progress=job.progress,
        created_at=job.created_at,
        finished_at=job.finished_at,
        error=job.error,
    )


def _job(jobs: JobsDep, tenant: str, job_id: str) -> Job:
    job = jobs.get(tenant, job_id)
    if job is None:
        raise ProblemError(ProblemKind.NOT_FOUND, f"no reconciliation {job_id!r}")
    return job


@router.post(
    "",
    response_model=ReconciliationStatus,
    status_code=202,
    responses={501: {"description": "Reconciliation not available here (problem)"}},
    summary="Start a run",
)
def start(body: ReconciliationBody, office: RegisterOffice, jobs: JobsDep) -> ReconciliationStatus:
    """Run register against reference in the background; poll the status for progress."""
    try:
        job = jobs.start(office.tenant, body.register_file, body.reference_file)
    except ReconciliationUnavailableError as error:
        raise ProblemError(ProblemKind.NOT_IMPLEMENTED, str(error)) from error
    return _status(job)


@router.get("/{job_id}", response_model=ReconciliationStatus, summary="Status of a run")
def status(job_id: JobId, office: RegisterOffice, jobs: JobsDep) -> ReconciliationStatus:
    """State, current stage and share of stages done."""
    return _status(_job(jobs, office.tenant, job_id))


@router.get(
    "/{job_id}/results",
    response_model=ReconciliationResults,
    responses={409: {"description": "The run has not succeeded (problem)"}},
    summary="Results of a finished run",
)
def results(job_id: JobId, office: RegisterOffice, jobs: JobsDep) -> ReconciliationResults:
    """The run's manifest; links and review items are in the store (see ``/v1/review``)."""
    job = _job(jobs, office.tenant, job_id)
    if job.state is not JobState.SUCCEEDED or job.manifest is None:
        raise ProblemError(ProblemKind.CONFLICT, f"run {job_id} is {job.state.value}")
    return ReconciliationResults(id=job.id, manifest=job.manifest)
