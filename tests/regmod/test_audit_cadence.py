"""The checkpoint cadence: every N entries and every T minutes, as the writer and verify read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regmod.audit.cadence import Cadence
from regmod.audit.chain import EntryKind, utc_timestamp
from regmod.audit.log import AuditWriter, read_checkpoints
from regmod.audit.verify import Expectations, verify_tenant
from regmod.audit.witness import FileWitness
from regmod.store.engine import Store
from regmod.store.schema import metadata
from regmod.store.tenants import create_tenant

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_a_tail_crossing_a_multiple_of_every_is_overdue() -> None:
    cadence = Cadence(every=5, minutes=0)
    assert cadence.overdue(10, 14, utc_timestamp(NOW), NOW) is None
    assert "every 5 entries" in (cadence.overdue(9, 10, utc_timestamp(NOW), NOW) or "")


def test_a_tail_older_than_the_minutes_is_overdue() -> None:
    cadence = Cadence(every=0, minutes=30)
    recent, old = (
        utc_timestamp(NOW - timedelta(minutes=29)),
        utc_timestamp(NOW - timedelta(hours=1)),
    )
    assert cadence.overdue(3, 4, recent, NOW) is None
    assert "after 30 minutes" in (cadence.overdue(3, 4, old, NOW) or "")
    assert cadence.overdue(4, 4, None, NOW) is None  # nothing uncovered


def test_a_recorded_at_that_is_no_timestamp_counts_as_overdue() -> None:
    assert Cadence(every=0, minutes=30).overdue(3, 4, "yesterday", NOW) is not None


def test_the_writer_checkpoints_once_the_oldest_uncovered_entry_is_old_enough(
    store: Store, tenant: str
) -> None:
    writer = AuditWriter(None, checkpoint_every=0, checkpoint_minutes=1e-9)
    for _ in range(2):
        with store.write() as conn:
            writer.append(conn, tenant, EntryKind.MODEL_CHANGE, "admin", {})
    with store.read() as conn:
        assert [c.seq for c in read_checkpoints(conn, tenant)] == [2]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=8),
    every=st.integers(min_value=1, max_value=6),
    data=st.data(),
)
def test_any_appends_verify_and_any_cut_below_a_witnessed_head_is_caught(
    tmp_path_factory: object, batches: list[int], every: int, data: st.DataObject
) -> None:
    directory: Path = tmp_path_factory.mktemp("cadence")  # type: ignore[attr-defined]
    store = Store(f"sqlite:///{directory / 'store.sqlite'}")
    metadata.create_all(store.engine)
    witness = FileWitness(directory / "witness.jsonl")
    writer = AuditWriter(None, every, 0, witness)
    with store.write() as conn:
        create_tenant(conn, "05315000", "Köln")
    for size in batches:
        with store.write() as conn:
            writer.append_many(conn, "05315000", EntryKind.LINK_DECISION, "run", [{}] * size)
    expect = Expectations(cadence=Cadence(every, 0), witness=witness.read())
    with store.read() as conn:
        assert verify_tenant(conn, "05315000", expect=expect).ok
        witnessed = max((c.seq for c in read_checkpoints(conn, "05315000")), default=0)
    cut = data.draw(st.integers(min_value=0, max_value=sum(batches) - 1))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM audit_entries WHERE seq > {cut}")
        conn.exec_driver_sql(f"DELETE FROM audit_checkpoints WHERE seq > {cut}")
        conn.exec_driver_sql(
            f"UPDATE audit_heads SET seq = {cut}, head_hash = coalesce((SELECT entry_hash FROM "
            f"audit_entries WHERE seq = {cut}), '{'0' * 64}')"
        )
    with store.read() as conn:
        report = verify_tenant(conn, "05315000", expect=expect)
    assert report.ok == (cut >= witnessed)
    store.dispose()
