"""Tampering with a trusted key and a witness configured: every kind fails and names where.

The chain: appends of 7, 3 and 2 entries with a checkpoint every 5, so signed, witnessed
checkpoints at seq 7 and 10 and an uncovered tail 11..12 younger than the cadence allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from regmod.audit.cadence import Cadence
from regmod.audit.chain import GENESIS_HASH, Checkpoint, EntryKind, entry_hash
from regmod.audit.log import AuditWriter, chain_tenants
from regmod.audit.signing import Signer
from regmod.audit.verify import Expectations, VerificationReport, verify_tenant
from regmod.audit.witness import FileWitness
from regmod.store.engine import Store
from regmod.store.tenants import create_tenant
from tests.regmod.test_audit_tamper import run_sql

CADENCE = Cadence(every=5, minutes=60)
LATER = datetime.now(UTC) + timedelta(hours=2)


@dataclass(frozen=True)
class Chain:
    """A tenant's intact, signed and witnessed chain."""

    store: Store
    tenant: str
    signer: Signer
    witness: Path

    def verify(
        self, *, witness: bool = True, now: datetime | None = None, signer: Signer | None = None
    ) -> VerificationReport:
        """Verify with the trusted key, the cadence and (unless told not to) the witness."""
        log = FileWitness(self.witness).read() if witness else None
        expect = Expectations((signer or self.signer).verifier, CADENCE, log, now)
        with self.store.read() as conn:
            return verify_tenant(conn, self.tenant, expect=expect)

    def first(self, *, witness: bool = True, now: datetime | None = None) -> tuple[int, str]:
        """Where verification fails first (seq, field); fails the test when it passes."""
        report = self.verify(witness=witness, now=now)
        assert not report.ok, "tampering went unnoticed"
        problem = report.first_problem
        assert problem is not None
        return problem.seq, problem.field


def _append(store: Store, writer: AuditWriter, tenant: str, *sizes: int) -> None:
    for size in sizes:
        with store.write() as conn:
            payloads = [{"record_id": f"r{i}", "idnr": "12345678995"} for i in range(size)]
            writer.append_many(conn, tenant, EntryKind.LINK_DECISION, "reconciliation", payloads)


def _writer(signer: Signer | None, witness: Path) -> AuditWriter:
    return AuditWriter(signer, CADENCE.every, CADENCE.minutes, FileWitness(witness))


@pytest.fixture
def chain(store: Store, tenant: str, signer: Signer, tmp_path: Path) -> Chain:
    witness = tmp_path / "witness.jsonl"
    _append(store, _writer(signer, witness), tenant, 7, 3, 2)
    return Chain(store, tenant, signer, witness)


def _rewrite(chain: Chain, signer: Signer) -> None:
    """Change entry 1 and recompute every later hash, the head and the checkpoints, signed by
    ``signer``: a consistent forgery of the whole database."""
    with chain.store.engine.begin() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT seq, kind, recorded_at, actor, payload FROM audit_entries "
                "WHERE tenant = :t ORDER BY seq"
            ),
            {"t": chain.tenant},
        ).all()
        prev, hashes = GENESIS_HASH, {}
        for seq, kind, recorded_at, actor, payload in rows:
            payload = payload.replace('"r0"', '"r-forged"') if seq == 1 else payload
            digest = entry_hash(chain.tenant, seq, kind, recorded_at, actor, payload, prev)
            conn.execute(
                sa.text(
                    "UPDATE audit_entries SET payload = :p, prev_hash = :prev, entry_hash = :h "
                    "WHERE tenant = :t AND seq = :seq"
                ),
                {"p": payload, "prev": prev, "h": digest, "t": chain.tenant, "seq": seq},
            )
            prev, hashes[seq] = digest, digest
        conn.execute(
            sa.text("UPDATE audit_heads SET head_hash = :h WHERE tenant = :t"),
            {"h": prev, "t": chain.tenant},
        )
        stored = conn.execute(
            sa.text("SELECT seq, recorded_at FROM audit_checkpoints WHERE tenant = :t"),
            {"t": chain.tenant},
        ).all()
        for seq, recorded_at in stored:
            forged = Checkpoint(chain.tenant, seq, hashes[seq], recorded_at, None, None)
            conn.execute(
                sa.text(
                    "UPDATE audit_checkpoints SET head_hash = :h, key_id = :k, signature = :s "
                    "WHERE tenant = :t AND seq = :seq"
                ),
                {
                    "h": forged.head_hash,
                    "k": signer.verifier.key_id,
                    "s": signer.sign(forged.message()),
                    "t": chain.tenant,
                    "seq": seq,
                },
            )


def _roll_back_to(chain: Chain, seq: int) -> None:
    """Put the database back to a consistent older state: the chain as it was at ``seq``."""
    run_sql(
        chain.store,
        f"DELETE FROM audit_entries WHERE seq > {seq}",
        f"DELETE FROM audit_checkpoints WHERE seq > {seq}",
        f"UPDATE audit_heads SET seq = {seq}, head_hash = (SELECT entry_hash FROM audit_entries "
        f"WHERE tenant = '{chain.tenant}' AND seq = {seq})",
    )


def test_intact_chain_verifies_against_key_cadence_and_witness(chain: Chain) -> None:
    report = chain.verify()
    assert report.ok, report.problems
    assert (report.checkpoints_checked, report.signatures_verified) == (2, 2)
    assert report.witnessed_checked == 2
    assert len(chain.witness.read_text().splitlines()) == 2


@pytest.mark.parametrize("witness", [True, False])
def test_stripped_signatures_fail(chain: Chain, witness: bool) -> None:
    run_sql(chain.store, "UPDATE audit_checkpoints SET signature = NULL, key_id = NULL")
    assert chain.first(witness=witness) == (7, "signature")


@pytest.mark.parametrize("witness", [True, False])
def test_deleted_checkpoints_fail_by_the_cadence(chain: Chain, witness: bool) -> None:
    run_sql(chain.store, "DELETE FROM audit_checkpoints")
    assert chain.first(witness=witness) == (1, "checkpoint")


def test_deleting_only_the_last_checkpoint_fails_by_the_cadence(chain: Chain) -> None:
    run_sql(chain.store, "DELETE FROM audit_checkpoints WHERE seq = 10")
    assert chain.first(witness=False) == (8, "checkpoint")


def test_deleting_a_checkpoint_the_cadence_does_not_need_is_caught_by_the_witness(
    chain: Chain,
) -> None:
    run_sql(chain.store, "DELETE FROM audit_checkpoints WHERE seq = 7")
    assert chain.verify(witness=False).ok  # the checkpoint at 10 still covers 1..10
    assert chain.first() == (7, "witness")


@pytest.mark.parametrize("witness", [True, False])
def test_wiped_chain_with_its_head_row_fails_and_is_still_listed(
    chain: Chain, witness: bool
) -> None:
    run_sql(
        chain.store,
        "DELETE FROM audit_entries",
        "DELETE FROM audit_checkpoints",
        "DELETE FROM audit_heads",
    )
    with chain.store.read() as conn:
        assert chain.tenant in chain_tenants(conn)
    assert chain.first(witness=witness) == (0, "head")


def test_chain_reset_to_genesis_is_caught_by_the_witness(chain: Chain) -> None:
    run_sql(
        chain.store,
        "DELETE FROM audit_entries",
        "DELETE FROM audit_checkpoints",
        f"UPDATE audit_heads SET seq = 0, head_hash = '{GENESIS_HASH}'",
    )
    assert chain.verify(witness=False).ok  # an empty chain looks new without the witness
    assert chain.first() == (1, "witness")


def test_deleted_head_row_fails(chain: Chain) -> None:
    run_sql(chain.store, "DELETE FROM audit_heads")
    assert chain.first(witness=False) == (12, "head")


def test_cut_tail_fails_once_the_cadence_should_have_covered_it(chain: Chain) -> None:
    _roll_back_to(chain, 11)
    assert chain.verify().ok  # younger than the cadence: the bound the cadence gives
    assert chain.first(now=LATER) == (11, "checkpoint")


def test_checkpoint_pointing_past_the_head_fails(chain: Chain) -> None:
    run_sql(
        chain.store,
        "INSERT INTO audit_checkpoints (tenant, seq, head_hash, recorded_at, key_id, signature) "
        "SELECT tenant, 20, head_hash, recorded_at, key_id, signature FROM audit_checkpoints "
        "WHERE seq = 10",
    )
    report = chain.verify(witness=False)
    assert {(p.seq, p.field) for p in report.problems} == {(20, "checkpoint"), (20, "signature")}


def test_rewrite_signed_with_another_key_fails(chain: Chain) -> None:
    _rewrite(chain, Signer.generate())
    assert chain.first(witness=False) == (7, "signature")
    problems = {(p.seq, p.field) for p in chain.verify().problems}
    assert {(7, "signature"), (7, "witness"), (10, "witness")} <= problems


def test_rewrite_signed_with_the_signing_key_itself_is_caught_by_the_witness(
    chain: Chain,
) -> None:
    _rewrite(chain, chain.signer)
    assert chain.verify(witness=False).ok  # whoever holds the key can rewrite the database
    assert chain.first() == (7, "witness")


def test_rollback_to_an_older_consistent_state_is_caught_by_the_witness(chain: Chain) -> None:
    _roll_back_to(chain, 7)
    assert chain.verify(witness=False).ok
    assert chain.first() == (8, "witness")


def test_rollback_then_new_entries_is_caught_where_the_chains_fork(chain: Chain) -> None:
    _roll_back_to(chain, 7)
    _append(chain.store, _writer(chain.signer, chain.witness), chain.tenant, 5)
    assert chain.verify(witness=False).ok
    assert chain.first() == (10, "witness")


def test_edited_witness_line_fails(chain: Chain) -> None:
    lines = chain.witness.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"seq":10', '"seq":9')
    chain.witness.write_text("".join(lines))
    report = chain.verify()
    assert ("witness", "witnessed checkpoint signature does not verify") in {
        (p.field, p.message) for p in report.problems
    }
    assert chain.first() == (9, "witness")


def test_witness_missing_its_last_line_fails(chain: Chain) -> None:
    lines = chain.witness.read_text().splitlines(keepends=True)
    chain.witness.write_text(lines[0])
    assert chain.first() == (10, "witness")


def test_witness_cut_mid_line_fails(chain: Chain) -> None:
    text = chain.witness.read_text()
    chain.witness.write_text(text[: len(text) - 20])
    report = chain.verify()
    assert chain.first() == (0, "witness")
    assert any("line 2: last line is cut off" in p.message for p in report.problems)


def test_unreadable_witness_fails(chain: Chain) -> None:
    chain.witness.unlink()
    chain.witness.mkdir()
    assert chain.first() == (0, "witness")


def test_missing_witness_file_fails(chain: Chain) -> None:
    chain.witness.unlink()
    assert chain.first() == (7, "witness")


def test_replayed_checkpoint_at_another_position_fails(chain: Chain) -> None:
    _roll_back_to(chain, 8)
    run_sql(
        chain.store,
        "INSERT INTO audit_checkpoints (tenant, seq, head_hash, recorded_at, key_id, signature) "
        "SELECT c.tenant, 8, e.entry_hash, c.recorded_at, c.key_id, c.signature "
        "FROM audit_checkpoints c JOIN audit_entries e ON e.tenant = c.tenant AND e.seq = 8 "
        "WHERE c.seq = 7",
    )
    assert chain.first(witness=False) == (8, "signature")
    assert chain.first() == (8, "signature")


def test_chain_of_another_tenant_spliced_in_fails(chain: Chain, tmp_path: Path) -> None:
    other = "09162000"
    with chain.store.write() as conn:
        create_tenant(conn, other, "München")
    _append(chain.store, _writer(chain.signer, chain.witness), other, 7, 3, 2)
    run_sql(
        chain.store,
        f"DELETE FROM audit_entries WHERE tenant = '{chain.tenant}'",
        f"DELETE FROM audit_checkpoints WHERE tenant = '{chain.tenant}'",
        f"UPDATE audit_entries SET tenant = '{chain.tenant}' WHERE tenant = '{other}'",
        f"UPDATE audit_checkpoints SET tenant = '{chain.tenant}' WHERE tenant = '{other}'",
        f"UPDATE audit_heads SET head_hash = (SELECT head_hash FROM audit_heads h "
        f"WHERE h.tenant = '{other}') WHERE tenant = '{chain.tenant}'",
    )
    assert chain.first(witness=False) == (1, "entry_hash")
    assert chain.first() == (1, "entry_hash")
