"""Online matching of one register record against the tenant's reference."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.subject import SubjectByAttributes


class MatchBody(BaseModel):
    """The record to match and how many candidates to return."""

    model_config = ConfigDict(extra="forbid")

    record: SubjectByAttributes
    top_k: Annotated[int, Field(ge=1, le=20)] = 5


class ExplanationStep(BaseModel):
    """One step of the waterfall: the prior, or a comparison's level and the weight it adds."""

    component: str
    level: str
    log2_bayes_factor: float
    cumulative_weight: float


class MatchCandidate(BaseModel):
    """A reference person scored against the record."""

    idnr: str
    match_weight: float
    match_probability: float
    margin: float | None = Field(description="Weight minus the best other candidate's weight.")
    contradictions: list[str] = Field(
        description="Comparisons whose supplied value says this is another person (decisive "
        "negative evidence); a candidate with any is never a confident match.",
        examples=[["first_names"]],
    )
    explanation: list[ExplanationStep]


class MatchResult(BaseModel):
    """Candidates strongest first; ``margin`` is the lead of the best over the runner-up."""

    candidates: list[MatchCandidate]
    candidates_scored: int
    margin: float | None
    model_hash: str
