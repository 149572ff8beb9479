"""Evidence requests and their answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.subject import SubjectByAttributes, SubjectByIdnr
from regmod.evidence import EvidenceType

Purpose = Annotated[str, Field(min_length=1, max_length=200)]


class EvidenceRequestBody(BaseModel):
    """What an online service asks for, on which legal basis, for which purpose, about whom."""

    model_config = ConfigDict(extra="forbid")

    evidence_type: EvidenceType
    legal_basis: Purpose = Field(examples=["§ 18 BMG"])
    purpose: Purpose = Field(examples=["Anwohnerparkausweis"])
    subject: SubjectByIdnr | SubjectByAttributes
    preview: bool = Field(
        default=False,
        description="Return a preview token instead of the evidence; confirm releases it.",
    )


class ConfirmBody(BaseModel):
    """The preview token received with the preview."""

    model_config = ConfigDict(extra="forbid")

    preview_token: str = Field(min_length=1, max_length=200)


class AnswerStatus(StrEnum):
    """How the request was answered (refusals are problem responses instead)."""

    DELIVERED = "delivered"
    PREVIEW = "preview"


class EvidenceAnswer(BaseModel):
    """The answer to an evidence request: evidence, a preview token, or manual handling."""

    request_id: str
    status: AnswerStatus
    evidence_type: EvidenceType
    occurred_at: datetime
    evidence: dict[str, Any] | None = Field(
        default=None, description="The evidence document (delivered only)."
    )
    deceased: bool | None = Field(
        default=None, description="True when the person has died (delivered only)."
    )
    preview_token: str | None = None
    preview_expires_at: datetime | None = None
    preview_fields: list[str] | None = Field(
        default=None, description="The fields the evidence will disclose once confirmed."
    )
    detail: str | None = None
