"""Audit-log throughput: appends per second (single and bulk) and verification of a long chain.

Run: ``.venv/bin/python -m benchmarks.audit_bench [--postgres URL] [--entries 1000000]``.
Prints one table row per measurement; nothing is asserted.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from regmod.audit.chain import EntryKind
from regmod.audit.log import AuditWriter
from regmod.audit.signing import Signer
from regmod.audit.verify import verify_tenant
from regmod.store.engine import Store
from regmod.store.migrate import upgrade
from regmod.store.tenants import create_tenant

BULK_BATCH = 50_000


def _decision(number: int) -> dict[str, object]:
    return {
        "record_id": f"r{number}",
        "idnr": "12345678995",
        "decision": "match",
        "match_weight": 12.5,
        "match_probability": 0.9998,
        "model_hash": "9f2c" * 16,
        "run_id": "bench",
    }


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bench_store(label: str, store: Store, single: int, bulk: int, verify: bool) -> None:
    """Print appends/s for ``single`` one-entry transactions and ``bulk`` entries in batches."""
    writer = AuditWriter(signer=Signer.generate(), checkpoint_every=1000)
    upgrade(store.engine)
    tenant = f"b{time.time_ns() % 10**12}"
    with store.write() as conn:
        create_tenant(conn, tenant, "benchmark")

    def single_appends() -> None:
        for number in range(single):
            with store.write() as conn:
                writer.append(conn, tenant, EntryKind.LINK_DECISION, "bench", _decision(number))

    def bulk_appends() -> None:
        for start in range(0, bulk, BULK_BATCH):
            payloads = [_decision(n) for n in range(start, min(start + BULK_BATCH, bulk))]
            with store.write() as conn:
                writer.append_many(conn, tenant, EntryKind.LINK_DECISION, "bench", payloads)

    seconds = _timed(single_appends)
    print(
        f"| {label} | single append (1 per transaction) | {single:,} | {single / seconds:,.0f}/s |"
    )
    seconds = _timed(bulk_appends)
    print(
        f"| {label} | bulk append ({BULK_BATCH:,} per transaction) | {bulk:,} | {bulk / seconds:,.0f}/s |"
    )
    if verify:
        with store.read() as conn:
            seconds = _timed(lambda: verify_tenant(conn, tenant, writer.signer.verifier))
        total = single + bulk
        print(
            f"| {label} | verify chain + checkpoints | {total:,} | {total / seconds:,.0f}/s ({seconds:.1f} s) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
    )
    parser.add_argument(
        "--entries", type=int, default=1_000_000, help="Bulk entries, then verified."
    )
    parser.add_argument("--single", type=int, default=2_000, help="Single-entry transactions.")
    args = parser.parse_args()
    print("| store | operation | entries | throughput |")
    print("|---|---|---:|---:|")
    with tempfile.TemporaryDirectory() as directory:
        store = Store(f"sqlite:///{Path(directory) / 'bench.sqlite'}")
        bench_store("SQLite", store, args.single, args.entries, verify=True)
        store.dispose()
    if args.postgres:
        bench_postgres(args.postgres, args.single, args.entries)


def bench_postgres(url: str, single: int, bulk: int) -> None:
    """Run the measurements in a schema of their own, dropped afterwards."""
    schema = f"audit_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    store = Store(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    try:
        bench_store("PostgreSQL", store, single, bulk, verify=True)
    finally:
        store.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main()
