"""Exports for auditors verify on their own; a changed line in them is caught."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from regmod.audit.chain import EntryKind
from regmod.audit.export import ExportFormat, export_audit, read_export, verify_export
from regmod.audit.log import AuditWriter
from regmod.audit.signing import Signer
from regmod.errors import NotFoundError
from regmod.store.engine import Store


@pytest.fixture
def chain(store: Store, tenant: str, writer: AuditWriter) -> Store:
    with store.write() as conn:
        writer.append_many(
            conn, tenant, EntryKind.LINK_DECISION, "run", [{"i": i} for i in range(7)]
        )
    return store


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_export_verifies_offline_with_the_published_key(
    chain: Store, tenant: str, signer: Signer, tmp_path: Path, fmt: ExportFormat
) -> None:
    out = tmp_path / f"audit.{fmt.value}"
    with chain.read() as conn:
        header = export_audit(conn, tenant, out, fmt=fmt, public_key=signer.verifier.public_key_hex)
    report = verify_export(out, signer.verifier.public_key_hex)
    assert (header.first_seq, header.last_seq) == (1, 7)
    assert report.ok and report.entries_checked == 7 and report.signatures_verified == 1


def test_export_of_a_period_starts_from_its_anchor(
    chain: Store, tenant: str, writer: AuditWriter, tmp_path: Path
) -> None:
    since = datetime.now(UTC)
    with chain.write() as conn:
        writer.append(conn, tenant, EntryKind.MODEL_CHANGE, "admin", {"model": "m-2"})
    out = tmp_path / "period.jsonl"
    with chain.read() as conn:
        header = export_audit(conn, tenant, out, since=since)
        with pytest.raises(NotFoundError):
            export_audit(conn, tenant, out, since=since + timedelta(days=1))
    assert (header.first_seq, header.last_seq) == (8, 8)
    report = verify_export(out)
    assert report.ok and any("no checkpoints" in note for note in report.notes)


def test_a_changed_line_in_a_jsonl_export_is_caught(
    chain: Store, tenant: str, signer: Signer, tmp_path: Path
) -> None:
    out = tmp_path / "audit.jsonl"
    with chain.read() as conn:
        export_audit(conn, tenant, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[4])
    record["actor"] = "someone else"
    lines[4] = json.dumps(record)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = verify_export(out, signer.verifier.public_key_hex).first_problem
    assert first is not None and first.field == "entry_hash"


def test_a_truncated_parquet_export_is_caught(chain: Store, tenant: str, tmp_path: Path) -> None:
    out = tmp_path / "audit.parquet"
    with chain.read() as conn:
        export_audit(conn, tenant, out, fmt=ExportFormat.PARQUET)
    metadata = pl.read_parquet_metadata(out)
    pl.read_parquet(out).head(5).write_parquet(out, metadata=metadata)
    header, checkpoints, _ = read_export(out)
    report = verify_export(out)
    assert header.last_seq == 7 and [c.seq for c in checkpoints] == [7]
    assert not report.ok
