"""A trained model: the spec plus its parameters, one JSON document with a content hash.

The hash is the SHA-256 of the canonical JSON (sorted keys, no whitespace) of spec and
parameters; every decision names it. Loading checks it, so an edited file is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Self

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from matching.errors import MatchingError, SpecError
from matching.spec import LinkageSpec


class ComparisonParameters(BaseModel):
    """m and u per agreement level (index 0, 1, …; the null level has none)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    m: list[float]
    u: list[float]

    @model_validator(mode="after")
    def _check(self) -> ComparisonParameters:
        if len(self.m) != len(self.u) or not self.m:
            raise SpecError(
                f"m and u need one value per level, got {len(self.m)} and {len(self.u)}"
            )
        if any(not 0.0 < p <= 1.0 for p in [*self.m, *self.u]):
            raise SpecError("m and u probabilities must lie in (0, 1]")
        return self

    def log2_bayes_factors(self) -> list[float]:
        """log2(m/u) per level: the weight a pair at that level adds."""
        return [math.log2(m / u) for m, u in zip(self.m, self.u, strict=True)]


class Parameters(BaseModel):
    """Prior λ (probability that two random records match), m/u per comparison, tf tables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prior: float = Field(gt=0.0, lt=1.0)
    comparisons: dict[str, ComparisonParameters]
    term_frequencies: dict[str, dict[str, float]] = Field(default_factory=dict)

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds λ / (1 − λ)."""
        return math.log2(self.prior / (1.0 - self.prior))


class TrainedModel(BaseModel):
    """Spec and parameters together; ``model_hash`` identifies the pair exactly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["matching.trained-model"] = "matching.trained-model"
    spec: LinkageSpec
    parameters: Parameters
    _tf_frames: dict[str, pl.DataFrame] | None = PrivateAttr(default=None)
    _hash: str | None = PrivateAttr(default=None)
    _level_labels: dict[str, list[str]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_parameters_fit_spec(self) -> TrainedModel:
        for comparison in self.spec.comparisons:
            parameters = self.parameters.comparisons.get(comparison.name)
            if parameters is None:
                raise SpecError(f"model has no parameters for comparison {comparison.name!r}")
            if len(parameters.m) != len(comparison.agreement_levels):
                raise SpecError(
                    f"comparison {comparison.name!r} has {len(comparison.agreement_levels)} "
                    f"levels but {len(parameters.m)} parameters"
                )
        return self

    @property
    def model_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of spec and parameters (computed once: frozen)."""
        if self._hash is None:
            self._hash = hashlib.sha256(canonical_json(self._content()).encode()).hexdigest()
        return self._hash

    def __eq__(self, other: object) -> bool:
        """Same spec and parameters; what is cached from them does not count."""
        if not isinstance(other, TrainedModel):
            return NotImplemented
        return self.spec == other.spec and self.parameters == other.parameters

    __hash__ = None  # type: ignore[assignment]  # holds lists and dicts

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy whose cached hash, labels and tables are rebuilt from its own content."""
        copy = super().model_copy(update=update, deep=deep)
        copy._hash, copy._level_labels, copy._tf_frames = None, None, None
        return copy

    def level_labels(self) -> dict[str, list[str]]:
        """Each comparison's agreement-level labels by comparison name (built once per model)."""
        if self._level_labels is None:
            self._level_labels = {c.name: c.level_labels() for c in self.spec.comparisons}
        return self._level_labels

    def tf_tables(self) -> dict[str, pl.DataFrame]:
        """Term-frequency tables as ``value, frequency`` frames (built once per model)."""
        if self._tf_frames is None:
            self._tf_frames = tf_frames(self.parameters.term_frequencies)
        return self._tf_frames

    def to_json(self) -> str:
        """The model as one JSON document including its hash."""
        return json.dumps({**self._content(), "hash": self.model_hash}, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainedModel:
        """Read a model document, refusing it when the stored hash does not match the content."""
        document = json.loads(text)
        stored = document.pop("hash", None)
        model = cls.model_validate(document)
        if stored is not None and stored != model.model_hash:
            raise MatchingError(
                f"model hash mismatch: the document says {stored}, its content hashes to "
                f"{model.model_hash}; the file was changed after it was saved"
            )
        return model

    def save(self, path: Path) -> str:
        """Write the model document to ``path`` and return its hash."""
        path.write_text(self.to_json(), encoding="utf-8")
        return self.model_hash

    @classmethod
    def load(cls, path: Path) -> TrainedModel:
        """Read a model document written by ``save``."""
        return cls.from_json(path.read_text(encoding="utf-8"))

    def _content(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal content, equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def tf_frames(term_frequencies: Mapping[str, Mapping[str, float]]) -> dict[str, pl.DataFrame]:
    """Term-frequency tables (value → share, per comparison) as ``value, frequency`` frames."""
    return {
        name: pl.DataFrame(
            {"value": list(table), "frequency": list(table.values())},
            schema={"value": pl.String, "frequency": pl.Float64},
        )
        for name, table in term_frequencies.items()
    }
