"""Once-only API under load: online match in-process, evidence requests through a real server.

1. Builds a synthetic reference of ``--persons`` people (fixtures population), normalises it and
   loads it into a fresh SQLite store (or a PostgreSQL schema, ``--postgres``); builds the online
   index with a fixed-parameter German model.
2. Times ``OnlineIndex.query`` in-process for ``--queries`` reference rows (the match itself), and
   the whole single-record path (normalise + query) for a few of them.
3. Starts ``regmod serve`` on 127.0.0.1 and sends evidence requests by IDNr (or, with
   ``--endpoint match``, ``/v1/match`` requests by attributes) with ``--concurrency``
   connections (``--load wrk``, or httpx bounded by ``--requests``; loopback only,
   ``--seconds`` at most), and reports the server's CPU time per request: on a shared machine
   that moves much less than requests per second, which depend on what else runs.

    .venv/bin/python -m benchmarks.api_load --persons 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import polars as pl
import sqlalchemy as sa

from benchmarks.api_fixtures import hand_set_model
from fixtures.generate import (
    DEFAULT_MUNICIPALITY,
    DEFAULT_POPULATION_RATES,
    build_population,
    reference_table,
)
from matching.online import OnlineIndex
from regmod.evidence.model import SubjectAttributes
from regmod.evidence.online import linkable, linkable_subject
from regmod.record import RECORD_ID, PartialDate, raw_column
from regmod.store.access import Role, create_api_key, create_requester, grant_entitlement
from regmod.store.engine import Store
from regmod.store.migrate import upgrade
from regmod.store.persons import upsert_persons
from regmod.store.tenants import create_tenant

TENANT = "14612000"
LEGAL_BASIS, PURPOSE = "§ 18 BMG", "Anwohnerparkausweis"
REFERENCE_HEADERS = {
    "IdNr": "idnr",
    "Familienname": "family_name",
    "Geburtsname": "birth_name",
    "Vornamen": "first_names",
    "Doktorgrad": "doctoral_degree",
    "Geschlecht": "sex",
    "Geburtsdatum": "birth_date",
    "Geburtsort": "birth_place",
    "Staatsangehörigkeiten": "nationality",
    "Straße": "street",
    "Hausnummer": "house_number",
    "Postleitzahl": "postcode",
    "Wohnort": "city",
    "Sterbedatum": "death_date",
    "Auskunftssperre": "information_block",
}


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def build_reference(persons: int, seed: int) -> pl.DataFrame:
    """A normalised, linkable reference of about ``persons`` people."""
    population = build_population(seed, persons, 0, DEFAULT_MUNICIPALITY, DEFAULT_POPULATION_RATES)
    raw = reference_table(population).rename(
        {header: raw_column(field) for header, field in REFERENCE_HEADERS.items()}
    )
    raw = raw.with_columns(pl.col(raw_column("idnr")).alias(RECORD_ID))
    return linkable(raw).filter(pl.col("idnr").is_not_null())


@contextmanager
def store_url(postgres: str | None, folder: Path) -> Iterator[str]:
    """A fresh store's URL: SQLite in ``folder``, or a new schema on ``postgres``, dropped after."""
    if postgres is None:
        yield f"sqlite:///{folder / 'store.sqlite'}"
        return
    schema = f"regmod_bench_{os.getpid()}"
    admin = sa.create_engine(postgres)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in postgres else "?"
    try:
        yield f"{postgres}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@dataclass(frozen=True)
class Load:
    """What the load generator sends: the endpoint, its key, and request bodies in turn."""

    path: str
    key: str
    bodies: list[str]


def load_store(url: str, reference: pl.DataFrame) -> dict[str, str]:
    """Persons, a requester with its entitlement; keys of an online service and an office."""
    store = Store(url)
    upgrade(store.engine)
    with store.write() as conn:
        create_tenant(conn, TENANT, "Benchmarkstadt")
        for start in range(0, reference.height, 100_000):
            upsert_persons(conn, TENANT, reference.slice(start, 100_000))
        requester = create_requester(conn, TENANT, "Bürgerportal", "anwohnerparken")
        grant_entitlement(conn, requester, TENANT, "proof_of_residence", LEGAL_BASIS, PURPOSE)
        keys = {
            "evidence": create_api_key(
                conn, TENANT, Role.ONLINE_SERVICE, requester_id=requester
            ).key,
            "match": create_api_key(conn, TENANT, Role.REGISTER_OFFICE).key,
        }
    store.dispose()
    return keys


def evidence_bodies(reference: pl.DataFrame, seed: int) -> list[str]:
    """Evidence requests by IDNr for up to 2,000 persons of the reference."""
    idnrs = reference["idnr"].sample(min(2_000, reference.height), seed=seed).to_list()
    request = {
        "evidence_type": "proof_of_residence",
        "legal_basis": LEGAL_BASIS,
        "purpose": PURPOSE,
    }
    return [json.dumps({**request, "subject": {"idnr": idnr}}) for idnr in idnrs]


def match_bodies(reference: pl.DataFrame, seed: int) -> list[str]:
    """``/v1/match`` bodies: name, first names, birth date and postcode of reference persons."""
    rows = reference.sample(min(2_000, reference.height), seed=seed).iter_rows(named=True)
    return [
        json.dumps(
            {
                "record": {
                    "family_name": row["family_name"] or "",
                    "first_names": " ".join(row["first_names"] or []),
                    "birth_date": f"{row['birth_year'] or 1900:04d}-"
                    f"{row['birth_month'] or 0:02d}-{row['birth_day'] or 0:02d}",
                    "address": {"postcode": row["postcode"]},
                }
            },
            ensure_ascii=False,
        )
        for row in rows
    ]


def time_matches(index: OnlineIndex, reference: pl.DataFrame, queries: int, seed: int) -> None:
    """p50/p99 of the index query alone, and of normalise + query for a subset."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(reference.height, size=min(queries, reference.height), replace=False)
    samples = [reference.slice(int(row), 1) for row in rows]
    for sample in samples[:20]:
        index.query(sample)  # warm-up
    seconds = []
    for sample in samples:
        started = time.perf_counter()
        index.query(sample)
        seconds.append(time.perf_counter() - started)
    print(
        f"match (index query)     n={len(seconds):6d}  p50 {percentile(seconds, 0.5) * 1e3:7.2f} ms"
        f"  p99 {percentile(seconds, 0.99) * 1e3:7.2f} ms"
    )
    full = []
    for sample in samples[:100]:
        row = sample.row(0, named=True)
        attributes = SubjectAttributes(
            family_name=row["family_name"] or "",
            first_names=" ".join(row["first_names"] or []),
            birth_date=PartialDate(year=row["birth_year"] or 1900, month=row["birth_month"]),
            postcode=row["postcode"],
        )
        started = time.perf_counter()
        index.query(linkable_subject(attributes))
        full.append(time.perf_counter() - started)
    print(
        f"match (normalise+query) n={len(full):6d}  p50 {percentile(full, 0.5) * 1e3:7.2f} ms"
        f"  p99 {percentile(full, 0.99) * 1e3:7.2f} ms"
    )


async def _load(
    port: int, load: Load, requests: int, concurrency: int, seconds: float
) -> tuple[int, int, list[float], float]:
    """Send ``load``'s bodies in turn; returns (ok, errors, latencies, elapsed)."""
    url = f"http://127.0.0.1:{port}{load.path}"
    headers = {"Authorization": f"Bearer {load.key}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, sent
        while sent < requests and time.perf_counter() < deadline:
            body = load.bodies[sent % len(load.bodies)]
            sent += 1
            started = time.perf_counter()
            response = await client.post(url, content=body.encode(), headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code not in (200, 202):
                errors += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return len(latencies) - errors, errors, latencies, time.perf_counter() - started


WRK_SCRIPT = """
local bodies = {%s}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
request = function()
  i = i %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""


def session_cpu_seconds(session: int) -> float:
    """CPU time (user + system) of every live process in ``session`` (the server and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[3]) == session:  # fields after the name: state, ppid, pgrp, session, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _wrk(port: int, load: Load, args: argparse.Namespace) -> tuple[int, float]:
    """Drive the server with wrk (C load generator, loopback, bounded by ``--seconds``)."""
    if shutil.which("wrk") is None:
        sys.exit("--load wrk needs the wrk load generator (Debian: apt-get install wrk)")
    listed = ",".join(f"[==[{body}]==]" for body in load.bodies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (listed, load.key))
    url = f"http://127.0.0.1:{port}{load.path}"
    command = ["wrk", "-t1", f"-c{args.concurrency}", f"-d{int(args.seconds)}s", "--latency"]
    output = subprocess.run(
        [*command, "-s", script.name, url], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(script.name)
    wanted = ("Requests/sec", "Non-2xx", "50% ", "99% ", "Socket errors")
    sent, rate = 0, 0.0
    for line in output.splitlines():
        if line.strip().startswith(wanted) or "requests in" in line:
            print(f"  wrk: {line.strip()}")
        if "requests in" in line:
            sent = int(line.split()[0])
        if line.startswith("Requests/sec"):
            rate = float(line.split()[1])
    return sent, rate


def serve_and_load(
    url: str, load: Load, args: argparse.Namespace, model: Path | None = None
) -> None:
    """Run ``regmod serve`` on loopback and drive ``load`` against it."""
    env = {"REGMOD_API_PREVIEW_SECRET": "api-load", **os.environ, "REGMOD_DATABASE_URL": url}
    if model is not None:
        env["REGMOD_API_MODEL"] = str(model)
    runner = "from regmod.cli.app import main; main()"
    command = [sys.executable, "-c", runner, "serve", "--host", "127.0.0.1"]
    command += ["--port", str(args.port), "--workers", str(args.workers), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        started, ready_in_a_row = time.perf_counter(), 0
        # Each worker builds the indexes before it is ready; a probe reaches one worker, so
        # wait for many ready answers in a row.
        while ready_in_a_row < 10 * args.workers and time.perf_counter() - started < 900:
            try:
                ready = httpx.get(f"http://127.0.0.1:{args.port}/readyz").status_code == 200
            except httpx.TransportError:
                ready = False
            ready_in_a_row = ready_in_a_row + 1 if ready else 0
            time.sleep(0.05 if ready else 0.2)
        print(f"server ready (online indexes built): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        asyncio.run(_load(args.port, load, args.workers * 2, args.workers * 2, 600.0))
        print(f"warm-up requests: {time.perf_counter() - started:.1f} s")
        if args.load == "wrk":
            rates = []
            for run in range(1, args.runs + 1):
                print(f"wrk run {run} of {args.runs}")
                cpu = session_cpu_seconds(server.pid)
                sent, rate = _wrk(args.port, load, args)
                cpu = session_cpu_seconds(server.pid) - cpu
                print(f"  server CPU {cpu:.1f} s: {cpu / max(sent, 1) * 1e3:.2f} ms per request")
                rates.append(rate)
            print(f"{load.path}: median {statistics.median(rates):.0f} req/s of {rates}")
            return
        warm = min(200, args.requests)
        asyncio.run(_load(args.port, load, warm, args.concurrency, args.seconds))
        cpu = session_cpu_seconds(server.pid)
        ok, errors, latencies, elapsed = asyncio.run(
            _load(args.port, load, args.requests, args.concurrency, args.seconds)
        )
        cpu = session_cpu_seconds(server.pid) - cpu
        print(
            f"{load.path}  n={ok + errors:6d}  {(ok + errors) / elapsed:7.0f} req/s"
            f"  errors {errors}  p50 {percentile(latencies, 0.5) * 1e3:.1f} ms"
            f"  p99 {percentile(latencies, 0.99) * 1e3:.1f} ms"
            f"  (workers {args.workers}, concurrency {args.concurrency})"
            f"  server CPU {cpu / max(ok + errors, 1) * 1e3:.2f} ms per request"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--load", choices=("httpx", "wrk"), default="httpx")
    parser.add_argument("--runs", type=int, default=1, help="wrk runs against the one server.")
    parser.add_argument("--skip-match", action="store_true", help="Only the server load test.")
    parser.add_argument(
        "--endpoint",
        choices=("evidence", "match"),
        default="evidence",
        help="Load /v1/evidence-requests (by IDNr) or /v1/match (by attributes).",
    )
    parser.add_argument(
        "--postgres", help="PostgreSQL URL; the store goes into a schema made for the run."
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        reference = build_reference(args.persons, args.seed)
        print(
            f"reference: {reference.height} persons built in {time.perf_counter() - started:.1f} s"
        )
        if not args.skip_match:
            started = time.perf_counter()
            index = OnlineIndex(reference, hand_set_model())
            print(f"online index built in {time.perf_counter() - started:.1f} s")
            time_matches(index, reference, args.queries, args.seed)
        with store_url(args.postgres, Path(folder)) as url:
            started = time.perf_counter()
            keys = load_store(url, reference)
            print(f"store loaded in {time.perf_counter() - started:.1f} s")
            model = Path(folder) / "model.json"
            hand_set_model().save(model)
            if args.endpoint == "match":
                load = Load("/v1/match", keys["match"], match_bodies(reference, args.seed))
            else:
                bodies = evidence_bodies(reference, args.seed)
                load = Load("/v1/evidence-requests", keys["evidence"], bodies)
            serve_and_load(url, load, args, model)


if __name__ == "__main__":
    main()
