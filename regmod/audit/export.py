"""Export a period of a tenant's chain for auditors, with what is needed to verify it offline.

JSON lines: a header line, then one line per checkpoint, then one per entry. Parquet: one row per
entry, header and checkpoints as canonical JSON in the file's key-value metadata
(``regmod_audit``). ``verify_export`` checks either file alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from regmod.audit.canonical import canonical_json
from regmod.audit.chain import GENESIS_HASH, Checkpoint, Entry, utc_timestamp
from regmod.audit.log import read_checkpoints, read_entries
from regmod.audit.signing import Verifier
from regmod.audit.verify import Problem, VerificationReport, verify_chain
from regmod.errors import InputError, NotFoundError
from regmod.store.schema import audit_entries

EXPORT_FORMAT = "regmod-audit-export"
METADATA_KEY = "regmod_audit"


class ExportFormat(StrEnum):
    """File formats of an audit export."""

    JSONL = "jsonl"
    PARQUET = "parquet"


@dataclass(frozen=True)
class ExportHeader:
    """What an export covers and how to verify it."""

    tenant: str
    first_seq: int
    last_seq: int
    anchor_hash: str
    public_key: str | None
    exported_at: str
    format: str = EXPORT_FORMAT
    version: int = 1


def _seq_range(
    conn: sa.Connection, tenant: str, since: datetime | None, until: datetime | None
) -> tuple[int, int]:
    """First and last seq of entries recorded in ``[since, until)``."""
    table = audit_entries
    query = sa.select(sa.func.min(table.c.seq), sa.func.max(table.c.seq)).where(
        table.c.tenant == tenant
    )
    if since is not None:
        query = query.where(table.c.recorded_at >= utc_timestamp(since))
    if until is not None:
        query = query.where(table.c.recorded_at < utc_timestamp(until))
    first, last = conn.execute(query).one()
    if first is None:
        raise NotFoundError(f"tenant {tenant!r} has no audit entries in the period asked for")
    return int(first), int(last)


def export_audit(
    conn: sa.Connection,
    tenant: str,
    out: Path,
    *,
    fmt: ExportFormat = ExportFormat.JSONL,
    since: datetime | None = None,
    until: datetime | None = None,
    public_key: str | None = None,
) -> ExportHeader:
    """Write the entries recorded in ``[since, until)`` and their checkpoints to ``out``."""
    first_seq, last_seq = _seq_range(conn, tenant, since, until)
    entries = read_entries(conn, tenant, first_seq=first_seq, last_seq=last_seq)
    checkpoints = read_checkpoints(conn, tenant, first_seq, last_seq)
    first = next(iter(read_entries(conn, tenant, first_seq=first_seq, last_seq=first_seq)))
    header = ExportHeader(tenant, first_seq, last_seq, first.prev_hash, public_key, utc_timestamp())
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt is ExportFormat.JSONL:
        _write_jsonl(out, header, checkpoints, entries)
    else:
        _write_parquet(out, header, checkpoints, entries)
    return header


def _write_jsonl(
    out: Path, header: ExportHeader, checkpoints: list[Checkpoint], entries: Iterable[Entry]
) -> None:
    with out.open("w", encoding="utf-8") as file:
        file.write(canonical_json({"record": "header", **asdict(header)}) + "\n")
        for checkpoint in checkpoints:
            file.write(canonical_json({"record": "checkpoint", **asdict(checkpoint)}) + "\n")
        for entry in entries:
            file.write(canonical_json({"record": "entry", **asdict(entry)}) + "\n")


def _write_parquet(
    out: Path, header: ExportHeader, checkpoints: list[Checkpoint], entries: Iterable[Entry]
) -> None:
    schema = {
        name: pl.Int64() if name == "seq" else pl.String() for name in Entry.__dataclass_fields__
    }
    frame = pl.DataFrame([asdict(entry) for entry in entries], schema=schema, orient="row")
    material = {"header": asdict(header), "checkpoints": [asdict(c) for c in checkpoints]}
    frame.write_parquet(out, metadata={METADATA_KEY: canonical_json(material)})


def read_export(path: Path) -> tuple[ExportHeader, list[Checkpoint], Iterator[Entry]]:
    """Header, checkpoints and entries of an export file (JSON lines or Parquet)."""
    if not path.exists():
        raise InputError("audit export not found", file=str(path))
    if path.suffix == ".parquet":
        metadata = pl.read_parquet_metadata(path).get(METADATA_KEY)
        if metadata is None:
            raise InputError(f"no {METADATA_KEY!r} metadata: not an audit export", file=str(path))
        material = json.loads(metadata)
        frame = pl.read_parquet(path)
        rows = (Entry(**row) for row in frame.iter_rows(named=True))
        checkpoints = [Checkpoint(**item) for item in material["checkpoints"]]
        return _header(material["header"], path), checkpoints, rows
    return _read_jsonl(path)


def _read_jsonl(path: Path) -> tuple[ExportHeader, list[Checkpoint], Iterator[Entry]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise InputError("empty file: not an audit export", file=str(path))
    records = [json.loads(line) for line in lines]
    header = _header(records[0], path)
    checkpoints = [
        Checkpoint(**_fields(record, Checkpoint.__dataclass_fields__))
        for record in records
        if record.get("record") == "checkpoint"
    ]
    entries = (
        Entry(**_fields(record, Entry.__dataclass_fields__))
        for record in records
        if record.get("record") == "entry"
    )
    return header, checkpoints, entries


def _fields(record: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: record[name] for name in names}


def _header(record: dict[str, Any], path: Path) -> ExportHeader:
    if record.get("format") != EXPORT_FORMAT:
        raise InputError(
            f"first record is not a {EXPORT_FORMAT} header", file=str(path), row=1, field="format"
        )
    return ExportHeader(**_fields(record, ExportHeader.__dataclass_fields__))


def verify_export(path: Path, public_key: str | None = None) -> VerificationReport:
    """Verify an export file alone: its chain from the anchor, its checkpoints and signatures.

    Pass the published ``public_key``; without it the key written into the export is used and
    the report says so (a forger could have replaced it).
    """
    header, checkpoints, entries = read_export(path)
    key = public_key or header.public_key
    verifier = Verifier.from_hex(key) if key else None
    report = verify_chain(
        header.tenant,
        entries,
        checkpoints,
        verifier=verifier,
        first_seq=header.first_seq,
        anchor_hash=header.anchor_hash,
    )
    if header.first_seq == 1 and header.anchor_hash != GENESIS_HASH:
        report.add(
            Problem(1, "prev_hash", GENESIS_HASH, header.anchor_hash, "chain must start at genesis")
        )
    if report.last_seq != header.last_seq:
        report.add(
            Problem(
                report.last_seq + 1,
                "seq",
                str(header.last_seq),
                str(report.last_seq),
                "export ends before the last entry its header names",
            )
        )
    if public_key is None and verifier is not None:
        report.notes.append(
            f"signatures checked against the key inside the export (key id {verifier.key_id}); "
            "compare it with the published key"
        )
    return report
