"""Reconciliation runs started over HTTP: one background thread each, progress by stage.

Input files are referenced by name inside ``<runs_dir>/inputs/<tenant>/`` (never an arbitrary
server path); each run writes ``<runs_dir>/<tenant>/<run id>`` and is then loaded into the store,
so its links and review items are served and its decisions audited.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regmod.audit.log import AuditWriter
from regmod.errors import InputError, ReconciliationUnavailableError, RegmodError
from regmod.reconcile.stages import STAGES
from regmod.settings import Settings
from regmod.store.engine import Store
from regmod.store.runs import load_run

if TYPE_CHECKING:
    from regmod.reconcile.run import RunRequest


class JobState(StrEnum):
    """Where a run is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass
class Job:
    """One reconciliation run started through the API."""

    id: str
    tenant: str
    state: JobState = JobState.QUEUED
    stage: str | None = None
    stages_done: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    error: str | None = None
    manifest: dict[str, Any] | None = None

    @property
    def progress(self) -> float:
        """Share of stages finished (0 … 1)."""
        return self.stages_done / len(STAGES)


class _Progress:
    """Stage observer that moves a job forward."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def started(self, stage: str) -> None:
        self.job.stage = stage

    def finished(self, stage: str, seconds: float) -> None:
        self.job.stages_done += 1


class ReconciliationJobs:
    """The runs of this process, by id; a tenant sees only its own."""

    def __init__(self, store: Store, writer: AuditWriter, settings: Settings) -> None:
        self.store = store
        self.writer = writer
        self.runs_dir = settings.runs_dir
        self._jobs: dict[str, Job] = {}

    def inputs_dir(self, tenant: str) -> Path:
        """Where a tenant's register and reference files are placed for API runs."""
        return self.runs_dir / "inputs" / tenant

    def _input(self, tenant: str, name: str) -> Path:
        path = self.inputs_dir(tenant) / name
        if Path(name).name != name or not path.is_file():
            raise InputError(
                f"no input file {name!r}; name a file placed in the tenant's input folder",
                field="file",
            )
        return path

    def start(self, tenant: str, register: str, reference: str) -> Job:
        """Check the inputs and start a run in a background thread."""
        try:  # the batch stack loads on first use, so the API starts without it
            from regmod.reconcile.run import RunRequest
        except ImportError as error:
            raise ReconciliationUnavailableError(
                f"the reconciliation service is not available here ({error})"
            ) from error
        request = RunRequest(
            register=self._input(tenant, register),
            reference=self._input(tenant, reference),
            out=self.runs_dir / tenant / f"api-{uuid.uuid4().hex[:12]}",
        )
        job = Job(id=request.out.name, tenant=tenant)
        self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, request), daemon=True).start()
        return job

    def get(self, tenant: str, job_id: str) -> Job | None:
        """The job ``job_id`` when it belongs to ``tenant``."""
        job = self._jobs.get(job_id)
        return job if job is not None and job.tenant == tenant else None

    def _run(self, job: Job, request: RunRequest) -> None:
        from regmod.reconcile.run import reconcile

        job.state = JobState.RUNNING
        try:
            result = reconcile(request, _Progress(job))
            with self.store.write() as conn:
                load_run(conn, self.writer, job.tenant, result.run_dir)
            job.manifest = result.manifest.model_dump(mode="json")
            job.state = JobState.SUCCEEDED
        except RegmodError as error:
            job.error, job.state = str(error), JobState.FAILED
        except Exception as error:  # a crashed run is reported, never left 'running'
            job.error, job.state = f"internal error: {type(error).__name__}", JobState.FAILED
        finally:
            job.finished_at = datetime.now(UTC)
