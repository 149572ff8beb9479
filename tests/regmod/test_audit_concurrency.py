"""Several processes appending at once never fork the chain nor lose an entry or a witness line."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from regmod.audit.cadence import Cadence
from regmod.audit.chain import Entry, EntryKind
from regmod.audit.log import AuditWriter, read_checkpoints, read_entries
from regmod.audit.verify import Expectations, verify_tenant
from regmod.audit.witness import FileWitness
from regmod.store.engine import Store

PROCESSES = 4
APPENDS = 15


def append_from_worker(url: str, tenant: str, worker: int, witness: Path) -> None:
    """One process: single appends and one small bulk append, each in its own transaction."""
    store = Store(url)
    writer = AuditWriter(signer=None, checkpoint_every=7, witness=FileWitness(witness))
    for number in range(APPENDS):
        with store.write() as conn:
            payload = {"worker": worker, "n": number}
            writer.append(conn, tenant, EntryKind.EVIDENCE_TRANSFER, f"w{worker}", payload)
    with store.write() as conn:
        bulk = [{"worker": worker, "bulk": i} for i in range(5)]
        writer.append_many(conn, tenant, EntryKind.LINK_DECISION, f"w{worker}", bulk)
    store.dispose()


def _payload(entry: Entry) -> dict[str, int]:
    value: dict[str, int] = entry.payload_value()
    return value


def test_concurrent_processes_keep_one_intact_chain(
    store: Store, tenant: str, tmp_path: Path
) -> None:
    store.dispose()
    witness = tmp_path / "witness.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=append_from_worker, args=(store.url, tenant, worker, witness))
        for worker in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * PROCESSES
    with store.read() as conn:
        entries = list(read_entries(conn, tenant))
        checkpoints = read_checkpoints(conn, tenant)
        expect = Expectations(cadence=Cadence(7, 0), witness=FileWitness(witness).read())
        report = verify_tenant(conn, tenant, expect=expect)
    assert report.ok, report.problems
    assert FileWitness(witness).read().checkpoints == checkpoints  # in chain order, none lost
    assert [entry.seq for entry in entries] == list(range(1, PROCESSES * (APPENDS + 5) + 1))
    written = {(p["worker"], p.get("n"), p.get("bulk")) for p in map(_payload, entries)}
    expected = {(w, n, None) for w in range(PROCESSES) for n in range(APPENDS)}
    expected |= {(w, None, i) for w in range(PROCESSES) for i in range(5)}
    assert written == expected
