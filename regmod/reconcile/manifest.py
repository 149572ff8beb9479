"""``manifest.json`` of a run: what went in (with SHA-256), what came out, which model decided."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from regmod import __version__


class InputFile(BaseModel):
    """One input file as read: where, its SHA-256, and how many rows it held."""

    model_config = ConfigDict(frozen=True)

    role: str = Field(description="register, reference, mapping, reference_mapping, model, truth …")
    path: str
    sha256: str
    rows: int | None = None


class DecisionCounts(BaseModel):
    """Every register row accounted for: rows in = linked + review + unmatched + quarantined."""

    model_config = ConfigDict(frozen=True)

    rows_in: int
    linked: int
    review: int
    unmatched: int
    quarantined: int
    reference_rows: int
    reference_quarantined: int
    reference_shared_idnr_rows: int = 0
    """Reference rows whose IDNr another row holds too: quarantined, never linked blindly."""
    candidate_pairs: int
    duplicate_clusters: int

    @property
    def balanced(self) -> bool:
        """True when the accounting identity holds."""
        return self.rows_in == self.linked + self.review + self.unmatched + self.quarantined


class Quality(BaseModel):
    """Precision and recall of automatic links against a truth file."""

    model_config = ConfigDict(frozen=True)

    true_links: int
    automatic_links: int
    correct_automatic_links: int
    true_links_in_review: int
    precision: float
    recall: float
    review_share: float = Field(description="Share of accepted register records sent to review.")


class RunManifest(BaseModel):
    """The manifest of one reconciliation run."""

    model_config = ConfigDict(frozen=True)

    run_id: str = Field(description="Name of the run directory; the store keys loaded runs by it.")
    software_version: str = __version__
    started_at: str
    inputs: list[InputFile]
    counts: DecisionCounts
    model_hash: str
    match_threshold: float
    review_threshold: float
    tie_margin: float
    timings_seconds: dict[str, float]
    quality: Quality | None = None


def sha256_of(path: Path) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
