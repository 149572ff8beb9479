"""Tampering directly in the database: verification catches every kind and names where."""

from __future__ import annotations

import pytest

from regmod.audit.chain import EntryKind, entry_hash
from regmod.audit.log import AuditWriter
from regmod.audit.signing import Signer
from regmod.audit.verify import VerificationReport, verify_tenant
from regmod.store.engine import Store

ENTRIES = 12  # one bulk append: it crosses the every-5 mark, so a checkpoint at seq 12


@pytest.fixture
def chain(store: Store, tenant: str, writer: AuditWriter) -> Store:
    """A tenant with a signed, intact chain of ``ENTRIES`` link decisions."""
    payloads = [
        {"record_id": f"r{i}", "idnr": "12345678995", "match_weight": i} for i in range(ENTRIES)
    ]
    with store.write() as conn:
        writer.append_many(conn, tenant, EntryKind.LINK_DECISION, "reconciliation", payloads)
        writer.checkpoint(conn, tenant)
    return store


def run_sql(store: Store, *statements: str) -> None:
    """Tamper as someone with database access would: plain SQL, no regmod code."""
    with store.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def _verify(store: Store, tenant: str, signer: Signer) -> VerificationReport:
    with store.read() as conn:
        return verify_tenant(conn, tenant, signer.verifier)


def test_intact_chain_verifies(chain: Store, tenant: str, signer: Signer) -> None:
    assert _verify(chain, tenant, signer).ok


def test_modified_payload_is_caught_at_its_entry(chain: Store, tenant: str, signer: Signer) -> None:
    run_sql(
        chain,
        "UPDATE audit_entries SET payload = replace(payload, '\"r3\"', '\"r99\"') WHERE seq = 4",
    )
    first = _verify(chain, tenant, signer).first_problem
    assert first is not None and (first.seq, first.field) == (4, "entry_hash")


def test_deleted_entry_is_caught_at_the_gap(chain: Store, tenant: str, signer: Signer) -> None:
    run_sql(chain, "DELETE FROM audit_entries WHERE seq = 7")
    first = _verify(chain, tenant, signer).first_problem
    assert first is not None and (first.seq, first.field, first.found) == (7, "seq", "8")


def test_reordered_entries_are_caught(chain: Store, tenant: str, signer: Signer) -> None:
    run_sql(
        chain,
        "UPDATE audit_entries SET seq = -1 WHERE seq = 3",
        "UPDATE audit_entries SET seq = 3 WHERE seq = 4",
        "UPDATE audit_entries SET seq = 4 WHERE seq = -1",
    )
    first = _verify(chain, tenant, signer).first_problem
    assert first is not None and first.seq == 3


def test_inserted_entry_is_caught_even_with_a_correct_hash(
    chain: Store, tenant: str, signer: Signer
) -> None:
    with chain.read() as conn:
        prev = conn.exec_driver_sql(
            "SELECT entry_hash FROM audit_entries WHERE seq = 6"
        ).scalar_one()
    forged = dict(
        kind="model_change", recorded_at="2025-01-01T00:00:00.000000Z", actor="x", payload="{}"
    )
    digest = entry_hash(tenant, 7, forged["kind"], forged["recorded_at"], "x", "{}", prev)
    # make room at seq 7 by shifting the tail up, then insert a well-formed forged entry
    run_sql(
        chain,
        *(f"UPDATE audit_entries SET seq = {s + 1} WHERE seq = {s}" for s in range(ENTRIES, 6, -1)),
    )
    run_sql(
        chain,
        "INSERT INTO audit_entries (tenant, seq, kind, recorded_at, actor, payload, prev_hash, entry_hash) "
        f"VALUES ('{tenant}', 7, 'model_change', '{forged['recorded_at']}', 'x', '{{}}', '{prev}', '{digest}')",
    )
    first = _verify(chain, tenant, signer).first_problem
    assert first is not None and first.seq == 8


def test_truncated_tail_is_caught_through_the_signed_checkpoint(
    chain: Store, tenant: str, signer: Signer
) -> None:
    run_sql(
        chain,
        "DELETE FROM audit_entries WHERE seq > 9",
        f"UPDATE audit_heads SET seq = 9, head_hash = (SELECT entry_hash FROM audit_entries "
        f"WHERE tenant = '{tenant}' AND seq = 9)",
    )
    report = _verify(chain, tenant, signer)
    assert not report.ok
    assert [(p.seq, p.field) for p in report.problems] == [(12, "checkpoint")]


def test_rewritten_chain_with_recomputed_hashes_is_caught_by_the_signature(
    chain: Store, tenant: str, signer: Signer
) -> None:
    with chain.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT seq, kind, recorded_at, actor, payload FROM audit_entries ORDER BY seq"
        ).all()
    prev, statements = "0" * 64, []
    for seq, kind, recorded_at, actor, payload in rows:
        payload = payload.replace('"r0"', '"r-forged"')
        digest = entry_hash(tenant, seq, kind, recorded_at, actor, payload, prev)
        statements.append(
            f"UPDATE audit_entries SET payload = '{payload}', prev_hash = '{prev}', "
            f"entry_hash = '{digest}' WHERE seq = {seq}"
        )
        prev = digest
    statements.append(f"UPDATE audit_heads SET head_hash = '{prev}'")
    statements.append(
        "UPDATE audit_checkpoints SET head_hash = (SELECT entry_hash FROM audit_entries e "
        "WHERE e.seq = audit_checkpoints.seq)"
    )
    run_sql(chain, *statements)
    report = _verify(chain, tenant, signer)
    assert not report.ok
    assert {problem.field for problem in report.problems} == {"signature"}
