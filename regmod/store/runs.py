"""Load a reconciliation run directory into the store, its link decisions into the audit log.

Run directory contract: ``records.parquet`` (canonical register records), ``links.parquet``
(record_id, idnr, match_weight, match_probability, decision, model_hash), ``review.parquet``
(record_id, idnr, match_weight, match_probability, rank) and ``manifest.json`` (run_id,
model_hash, thresholds, counts …).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from regmod.audit.canonical import canonical_json
from regmod.audit.chain import EntryKind
from regmod.audit.log import AuditWriter
from regmod.errors import InputError
from regmod.reconcile.staging import refuse_staging
from regmod.store.bulk import upsert
from regmod.store.persons import upsert_register_records
from regmod.store.schema import links, review_items, runs

DECISIONS = ("match", "review", "no_match")
LINK_COLUMNS = ("record_id", "idnr", "match_weight", "match_probability", "decision")
REVIEW_COLUMNS = ("record_id", "idnr", "match_weight", "match_probability", "rank")


@dataclass(frozen=True)
class RunLoad:
    """What loading a run wrote."""

    run_id: str
    records: int
    links: int
    review_items: int
    audit_entries: int


def _read_parquet(path: Path, required: tuple[str, ...]) -> pl.DataFrame:
    if not path.exists():
        raise InputError("run directory file missing", file=str(path))
    frame = pl.read_parquet(path)
    for name in required:
        if name not in frame.columns:
            raise InputError(
                f"column missing; the file has {frame.columns}", file=str(path), field=name
            )
    return frame


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """The run's ``manifest.json``; it must name ``run_id``."""
    refuse_staging(run_dir)
    path = run_dir / "manifest.json"
    if not path.exists():
        raise InputError("not a run directory: manifest.json missing", file=str(path))
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if not manifest.get("run_id"):
        raise InputError("manifest names no run", file=str(path), field="run_id")
    return manifest


def load_run(conn: sa.Connection, writer: AuditWriter, tenant: str, run_dir: Path) -> RunLoad:
    """Store a run's records, links and review items and audit every link decision (one lock).

    A run loads once: loading it again is an error, so decisions are never audited twice.
    """
    manifest = read_manifest(run_dir)
    run_id = str(manifest["run_id"])
    model_hash = manifest.get("model_hash")
    exists = conn.scalar(
        sa.select(runs.c.run_id).where(runs.c.tenant == tenant, runs.c.run_id == run_id)
    )
    if exists is not None:
        raise InputError(f"run {run_id!r} is already loaded for tenant {tenant!r}", field="run_id")
    records = _read_parquet(run_dir / "records.parquet", ("record_id",))
    decisions = _read_parquet(run_dir / "links.parquet", LINK_COLUMNS)
    unknown = decisions.filter(~pl.col("decision").is_in(DECISIONS))
    if unknown.height:
        raise InputError(
            f"decision {unknown.get_column('decision')[0]!r}; expected one of {DECISIONS}",
            file=str(run_dir / "links.parquet"),
            field="decision",
        )
    review = _read_parquet(run_dir / "review.parquet", REVIEW_COLUMNS)
    now = datetime.now(UTC)
    conn.execute(
        sa.insert(runs).values(
            tenant=tenant,
            run_id=run_id,
            model_hash=model_hash,
            loaded_at=now,
            manifest=canonical_json(manifest),
        )
    )
    record_count = upsert_register_records(conn, tenant, records, run_id)
    link_rows = _link_rows(decisions, tenant, run_id, model_hash, now)
    upsert(conn, links, link_rows, ("tenant", "run_id", "record_id", "idnr"))
    review_rows = review.select(
        pl.lit(tenant).alias("tenant"),
        pl.lit(run_id).alias("run_id"),
        *REVIEW_COLUMNS,
        pl.lit(model_hash, pl.String).alias("model_hash"),
        pl.lit("open").alias("status"),
    ).to_dicts()
    upsert(conn, review_items, review_rows, ("tenant", "run_id", "record_id", "idnr"))
    entries = writer.append_many(
        conn,
        tenant,
        EntryKind.LINK_DECISION,
        "reconciliation",
        _decision_payloads(decisions, run_id, model_hash, manifest.get("thresholds")),
    )
    return RunLoad(run_id, record_count, len(link_rows), len(review_rows), len(entries))


def _link_rows(
    decisions: pl.DataFrame, tenant: str, run_id: str, model_hash: str | None, now: datetime
) -> list[dict[str, Any]]:
    model = pl.col("model_hash") if "model_hash" in decisions.columns else pl.lit(model_hash)
    return (
        decisions.filter(pl.col("idnr").is_not_null())
        .select(
            pl.lit(tenant).alias("tenant"),
            pl.lit(run_id).alias("run_id"),
            *LINK_COLUMNS,
            model.cast(pl.String).alias("model_hash"),
            pl.lit("model").alias("decided_by"),
            pl.lit(now).alias("created_at"),
        )
        .to_dicts()
    )


def _decision_payloads(
    decisions: pl.DataFrame, run_id: str, model_hash: str | None, thresholds: Any
) -> list[dict[str, Any]]:
    """One link-decision payload per row: ids, weights and the model, no names."""
    model = pl.col("model_hash") if "model_hash" in decisions.columns else pl.lit(model_hash)
    rows = decisions.select(*LINK_COLUMNS, model.cast(pl.String).alias("model_hash")).to_dicts()
    return [{**row, "run_id": run_id, "thresholds": thresholds} for row in rows]
