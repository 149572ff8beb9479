"""``regmod db …`` and ``regmod load``: create the store and fill it from a reference and a run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from regmod.audit.log import AuditWriter
from regmod.errors import InputError
from regmod.settings import get_settings
from regmod.store.engine import Store
from regmod.store.migrate import current_revision, upgrade
from regmod.store.persons import upsert_persons
from regmod.store.runs import load_run
from regmod.store.tenants import ensure_tenant

db_app = typer.Typer(help="Create and migrate the store.", no_args_is_help=True)


def open_store() -> Store:
    """The store named by ``REGMOD_DATABASE_URL``."""
    return Store(get_settings().database_url)


@db_app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the store's migrations up to REVISION (default: the newest)."""
    store = open_store()
    upgrade(store.engine, revision)
    typer.echo(f"store at revision {current_revision(store.engine)} ({store.engine.url!r})")


def load(
    tenant: Annotated[str, typer.Option(help="Tenant (municipality code) to load into.")],
    reference: Annotated[
        Path | None, typer.Option(help="Reference register file (IDNr base data).")
    ] = None,
    run: Annotated[Path | None, typer.Option(help="Reconciliation run directory.")] = None,
    tenant_name: Annotated[
        str | None, typer.Option(help="Name of the tenant when it is created.")
    ] = None,
) -> None:
    """Load reference persons and/or a reconciliation run into the store (and the audit log)."""
    if reference is None and run is None:
        raise InputError("nothing to load: give --reference FILE, --run RUN_DIR or both")
    store = open_store()
    writer = AuditWriter.from_settings(get_settings())
    frame = _read_reference(reference) if reference is not None else None
    with store.write() as conn:
        ensure_tenant(conn, tenant, tenant_name)
        if frame is not None:
            typer.echo(f"persons written: {upsert_persons(conn, tenant, frame)}")
        if run is not None:
            loaded = load_run(conn, writer, tenant, run)
            typer.echo(
                f"run {loaded.run_id}: {loaded.records} records, {loaded.links} links, "
                f"{loaded.review_items} review items, {loaded.audit_entries} audit entries"
            )


def _read_reference(path: Path) -> pl.DataFrame:
    """The accepted canonical rows of a reference register (ingest quarantines the rest)."""
    from regmod.ingest import read_register

    accepted: pl.DataFrame = read_register(path, reference=True).accepted
    return accepted
