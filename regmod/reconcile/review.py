"""Working the review queue of a run: accept or reject a candidate pair with a reason.

Each decision is kept in the run directory as a labelled pair (``labels.parquet``), which
``regmod train --labels`` reads as training data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import polars as pl

from regmod.errors import InputError, NotFoundError
from regmod.reconcile.rundir import read_table

LABELS_FILE: Final = "labels.parquet"
LABEL_SCHEMA: Final[dict[str, pl.DataType]] = {
    "record_id": pl.String(),
    "idnr": pl.String(),
    "is_match": pl.Boolean(),
    "reason": pl.String(),
    "reviewer": pl.String(),
    "decided_at": pl.String(),
}


@dataclass(frozen=True)
class ReviewDecision:
    """A reviewer's verdict on one candidate pair of the review queue."""

    record_id: str
    idnr: str
    is_match: bool
    reason: str
    reviewer: str


def review_queue(run_dir: Path) -> pl.DataFrame:
    """The review queue with the labels decided so far (``label`` null while open)."""
    queue = read_table(run_dir, "review")
    labels = read_labels(run_dir).select("record_id", "idnr", label="is_match")
    return queue.join(labels, on=["record_id", "idnr"], how="left").sort("record_id", "rank")


def record_decision(run_dir: Path, decision: ReviewDecision) -> pl.DataFrame:
    """Store ``decision`` in ``labels.parquet`` (replacing an earlier verdict on the same pair) and
    return the updated labels; the pair must be one of the queue's candidates."""
    if not decision.reason.strip():
        raise InputError("a review decision needs a reason, e.g. --reason 'same birth name'")
    queue = read_table(run_dir, "review")
    candidates = queue.filter(pl.col("record_id") == decision.record_id)
    if candidates.is_empty():
        raise NotFoundError(
            f"record {decision.record_id!r} is not in the review queue of {run_dir}"
        )
    if decision.idnr not in candidates["idnr"].to_list():
        raise NotFoundError(
            f"IDNr {decision.idnr} is not a candidate of record {decision.record_id!r}; "
            f"candidates: {', '.join(candidates['idnr'].to_list())}"
        )
    if decision.is_match:
        _refuse_second_acceptance(read_labels(run_dir), decision)
    entry = pl.DataFrame(
        [
            {
                "record_id": decision.record_id,
                "idnr": decision.idnr,
                "is_match": decision.is_match,
                "reason": decision.reason.strip(),
                "reviewer": decision.reviewer,
                "decided_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        ],
        schema=LABEL_SCHEMA,
    )
    labels = (
        pl.concat([read_labels(run_dir), entry])
        .unique(["record_id", "idnr"], keep="last", maintain_order=True)
        .sort("record_id", "idnr")
    )
    _replace_file(run_dir / LABELS_FILE, labels)
    return labels


def _refuse_second_acceptance(labels: pl.DataFrame, decision: ReviewDecision) -> None:
    """A record accepted for one IDNr cannot also be accepted for another: reject that first."""
    accepted = labels.filter(
        (pl.col("record_id") == decision.record_id)
        & pl.col("is_match")
        & (pl.col("idnr") != decision.idnr)
    )
    if accepted.height:
        raise InputError(
            f"record {decision.record_id!r} is already accepted for IDNr {accepted['idnr'][0]}; "
            f"reject that pair first ('regmod review reject … {accepted['idnr'][0]}')"
        )


def read_labels(run_dir: Path) -> pl.DataFrame:
    """The labelled pairs of a run (empty when nothing was reviewed yet)."""
    path = run_dir / LABELS_FILE
    if not path.is_file():
        return pl.DataFrame(schema=LABEL_SCHEMA)
    return pl.read_parquet(path)


def _replace_file(path: Path, frame: pl.DataFrame) -> None:
    """Write beside ``path`` and rename over it, so readers never see half a file."""
    partial = path.with_name(f".{path.name}.partial")
    frame.write_parquet(partial, compression="zstd", statistics=False)
    os.replace(partial, path)
