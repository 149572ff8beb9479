"""What an evidence request is and what it can come to (values shared by service, API and cockpit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from regmod.record import PartialDate
from regmod.store.transfers import TransferOutcome


class EvidenceType(StrEnum):
    """Evidence a register can deliver once-only."""

    PROOF_OF_RESIDENCE = "proof_of_residence"  # Meldebescheinigung
    CIVIL_STATUS_BASE_DATA = "civil_status_base_data"  # Personenstandsdaten (Grunddaten)


class RefusalReason(StrEnum):
    """Why a request was not answered with evidence (stable codes the API maps to problems)."""

    NOT_ENTITLED = "not_entitled"
    SUBJECT_NOT_FOUND = "subject_not_found"
    SUBJECT_AMBIGUOUS = "subject_ambiguous"


@dataclass(frozen=True)
class SubjectAttributes:
    """Identifying attributes of a subject when the requester does not know the IDNr."""

    family_name: str
    first_names: str
    birth_date: PartialDate
    birth_place: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class Requester:
    """The authority and online service asking (bound to the API credential)."""

    id: int
    tenant: str
    name: str
    service: str


@dataclass(frozen=True)
class EvidenceRequest:
    """One request: what, on which legal basis and for which purpose, about whom."""

    evidence_type: EvidenceType
    legal_basis: str
    purpose: str
    idnr: str | None = None
    attributes: SubjectAttributes | None = None
    preview: bool = False


@dataclass(frozen=True)
class Answer:
    """The outcome of a request; ``evidence`` only when delivered, ``preview_token`` in preview."""

    request_id: str
    outcome: TransferOutcome
    evidence_type: EvidenceType
    occurred_at: datetime
    evidence: dict[str, Any] | None = None
    reason: RefusalReason | None = None
    detail: str = ""
    preview_token: str | None = None
    preview_expires_at: datetime | None = None
    preview_fields: tuple[str, ...] = ()
    candidates_considered: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
