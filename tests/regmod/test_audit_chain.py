"""The audit chain: hashing, appending, checkpoints and signatures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regmod.audit.canonical import canonical_json
from regmod.audit.chain import GENESIS_HASH, EntryKind, entry_material
from regmod.audit.log import AuditWriter, read_checkpoints, read_entries
from regmod.audit.signing import Signer
from regmod.audit.verify import verify_tenant
from regmod.errors import NotFoundError, RegmodError
from regmod.store.engine import Store

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    payload=json_values,
    actor=st.text(),
    tenant=st.text(max_size=16),
    seq=st.integers(min_value=1, max_value=2**62),
)
def test_entry_material_is_the_canonical_json_of_the_whole_entry(
    payload: object, actor: str, tenant: str, seq: int
) -> None:
    content = {
        "tenant": tenant,
        "seq": seq,
        "kind": "model_change",
        "recorded_at": "2025-01-01T00:00:00.000000Z",
        "actor": actor,
        "payload": payload,
        "prev_hash": GENESIS_HASH,
    }
    material = entry_material(
        tenant,
        seq,
        "model_change",
        content["recorded_at"],
        actor,
        canonical_json(payload),
        GENESIS_HASH,
    )
    assert material == canonical_json(content).encode()


def test_canonical_json_sorts_keys_keeps_umlauts_and_refuses_nan() -> None:
    assert canonical_json({"ö": 1, "a": [True, None]}) == '{"a":[true,null],"ö":1}'
    with pytest.raises(RegmodError, match="canonical JSON"):
        canonical_json({"weight": float("nan")})


def test_entries_chain_from_genesis_and_verify(
    store: Store, tenant: str, writer: AuditWriter
) -> None:
    with store.write() as conn:
        first = writer.append(conn, tenant, EntryKind.CONFIGURATION_CHANGE, "admin", {"k": 1})
        second = writer.append(conn, tenant, EntryKind.MODEL_CHANGE, "admin", {"model": "m-1"})
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.entry_hash)
    with store.read() as conn:
        report = verify_tenant(conn, tenant, writer.signer.verifier if writer.signer else None)
    assert report.ok and report.entries_checked == 2 and report.last_hash == second.entry_hash


def test_a_signed_checkpoint_is_written_every_n_entries_and_on_demand(
    store: Store, tenant: str, writer: AuditWriter, signer: Signer
) -> None:
    with store.write() as conn:
        writer.append_many(
            conn, tenant, EntryKind.LINK_DECISION, "run", [{"i": i} for i in range(12)]
        )
        writer.append(conn, tenant, EntryKind.MODEL_CHANGE, "admin", {})
        on_demand = writer.checkpoint(conn, tenant)
        again = writer.checkpoint(conn, tenant)
    with store.read() as conn:
        checkpoints = read_checkpoints(conn, tenant)
        report = verify_tenant(conn, tenant, signer.verifier)
    assert [checkpoint.seq for checkpoint in checkpoints] == [12, 13]
    assert on_demand is not None and on_demand.seq == 13 and again is None
    assert all(checkpoint.key_id == signer.verifier.key_id for checkpoint in checkpoints)
    assert report.ok and report.signatures_verified == 2 and report.notes == []


def test_without_a_key_checkpoints_are_unsigned_and_verification_says_so(
    store: Store, tenant: str
) -> None:
    writer = AuditWriter(signer=None, checkpoint_every=2)
    with store.write() as conn:
        for number in range(3):
            writer.append(conn, tenant, EntryKind.LINK_DECISION, "run", {"n": number})
    with store.read() as conn:
        report = verify_tenant(conn, tenant)
    assert report.ok
    assert any("unsigned" in note for note in report.notes)
    assert any("after seq 2" in note for note in report.notes)


def test_checkpoints_signed_by_another_key_fail_verification(
    store: Store, tenant: str, writer: AuditWriter
) -> None:
    with store.write() as conn:
        writer.append_many(conn, tenant, EntryKind.LINK_DECISION, "run", [{}] * 5)
    with store.read() as conn:
        report = verify_tenant(conn, tenant, Signer.generate().verifier)
    assert not report.ok and report.problems[0].field == "signature"


def test_appending_to_an_unknown_tenant_is_refused(store: Store, writer: AuditWriter) -> None:
    with pytest.raises(NotFoundError, match="does not exist"), store.write() as conn:
        writer.append(conn, "nowhere", EntryKind.MODEL_CHANGE, "admin", {})


def test_bulk_append_of_nothing_writes_nothing(
    store: Store, tenant: str, writer: AuditWriter
) -> None:
    with store.write() as conn:
        assert writer.append_many(conn, tenant, EntryKind.LINK_DECISION, "run", []) == []
        assert list(read_entries(conn, tenant)) == []
