"""Links between register records and IDNrs, as decided by a model or a reviewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from regmod.store.schema import links


@dataclass(frozen=True)
class Link:
    """One decision linking ``record_id`` to ``idnr`` in a run."""

    tenant: str
    run_id: str
    record_id: str
    idnr: str
    decision: str
    match_weight: float | None
    match_probability: float | None
    model_hash: str | None
    decided_by: str
    created_at: datetime


_COLUMNS = [links.c[name] for name in Link.__dataclass_fields__]


def list_links(conn: sa.Connection, tenant: str, record_id: str) -> list[Link]:
    """Every link of a register record, newest first."""
    query = (
        sa.select(*_COLUMNS)
        .where(links.c.tenant == tenant, links.c.record_id == record_id)
        .order_by(links.c.created_at.desc(), links.c.match_weight.desc())
    )
    return [Link(*row) for row in conn.execute(query)]


def list_links_for_idnr(conn: sa.Connection, tenant: str, idnr: str) -> list[Link]:
    """Every link to a person, newest first (which register records belong to this IDNr)."""
    query = (
        sa.select(*_COLUMNS)
        .where(links.c.tenant == tenant, links.c.idnr == idnr)
        .order_by(links.c.created_at.desc(), links.c.record_id)
    )
    return [Link(*row) for row in conn.execute(query)]
