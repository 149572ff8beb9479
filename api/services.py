"""What one running app holds: settings, the store, the audit writer and the regmod services."""

from __future__ import annotations

from dataclasses import dataclass

from api.jobs import ReconciliationJobs
from api.metrics import ApiMetrics
from api.security import PrincipalCache
from regmod.audit.log import AuditWriter
from regmod.evidence import EvidenceService, PreviewSigner, derive_preview_key
from regmod.evidence.online import TenantIndexes
from regmod.settings import Settings
from regmod.store.engine import Store


@dataclass
class Services:
    """Created once by ``create_app`` and kept on ``app.state.services``."""

    settings: Settings
    store: Store
    writer: AuditWriter
    evidence: EvidenceService
    indexes: TenantIndexes
    jobs: ReconciliationJobs
    metrics: ApiMetrics
    principals: PrincipalCache

    @classmethod
    def build(cls, settings: Settings, store: Store, indexes: TenantIndexes) -> Services:
        """Wire the services for ``store``; subjects by attributes resolve through ``indexes``."""
        writer = AuditWriter.from_settings(settings)
        previews = PreviewSigner(derive_preview_key(settings.api_preview_secret))
        evidence = EvidenceService(store, writer, previews, candidates=indexes)
        jobs = ReconciliationJobs(store, writer, settings)
        return cls(settings, store, writer, evidence, indexes, jobs, ApiMetrics(), PrincipalCache())
