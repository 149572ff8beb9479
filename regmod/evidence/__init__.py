"""Once-only evidence: entitlement check, subject resolution, evidence assembly, transfer logging."""

from regmod.errors import PreviewRejectedError
from regmod.evidence.model import (
    Answer,
    EvidenceRequest,
    EvidenceType,
    RefusalReason,
    Requester,
    SubjectAttributes,
)
from regmod.evidence.previews import PreviewSigner, derive_preview_key
from regmod.evidence.resolution import Candidate, CandidateSource, ResolutionPolicy, decide
from regmod.evidence.service import EvidenceService, valid_idnr

__all__ = [
    "Answer",
    "Candidate",
    "CandidateSource",
    "EvidenceRequest",
    "EvidenceService",
    "EvidenceType",
    "PreviewRejectedError",
    "PreviewSigner",
    "RefusalReason",
    "Requester",
    "ResolutionPolicy",
    "SubjectAttributes",
    "decide",
    "derive_preview_key",
    "valid_idnr",
]
