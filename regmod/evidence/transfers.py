"""Queries over logged evidence transfers: the cockpit view, one request's history, statistics.

Writing transfers (rows plus audit entries) is ``regmod.store.transfers``, driven by the group
writer ``regmod.evidence.writer``; these read them back joined with the requester, so a citizen
sees who asked, not a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from regmod.store.schema import evidence_transfers, requesters


@dataclass(frozen=True)
class TransferView:
    """One logged outcome, joined with the requester that asked."""

    request_id: str
    occurred_at: datetime
    requester_id: int
    requester_name: str
    service: str
    evidence_type: str
    legal_basis: str
    purpose: str
    idnr: str | None
    outcome: str


def _transfer_query() -> sa.Select[Any]:
    t = evidence_transfers
    return sa.select(
        t.c.request_id,
        t.c.occurred_at,
        t.c.requester_id,
        requesters.c.name,
        requesters.c.service,
        t.c.evidence_type,
        t.c.legal_basis,
        t.c.purpose,
        t.c.idnr,
        t.c.outcome,
    ).join(requesters, requesters.c.id == t.c.requester_id)


def list_transfers(
    conn: sa.Connection,
    tenant: str,
    *,
    idnr: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[TransferView]:
    """A tenant's transfers, newest first; only those about ``idnr`` when given (cockpit)."""
    t = evidence_transfers
    query = _transfer_query().where(t.c.tenant == tenant)
    if idnr is not None:
        query = query.where(t.c.idnr == idnr)
    query = query.order_by(t.c.occurred_at.desc(), t.c.id.desc()).limit(limit).offset(offset)
    return [TransferView(*row) for row in conn.execute(query)]


def transfers_of_request(conn: sa.Connection, tenant: str, request_id: str) -> list[TransferView]:
    """Every logged outcome of one request in order (a preview and, later, its delivery)."""
    t = evidence_transfers
    query = (
        _transfer_query().where(t.c.tenant == tenant, t.c.request_id == request_id).order_by(t.c.id)
    )
    return [TransferView(*row) for row in conn.execute(query)]


@dataclass(frozen=True)
class OutcomeCount:
    """How many requests of one service and evidence type ended in one outcome on one day."""

    day: str
    service: str
    evidence_type: str
    outcome: str
    count: int


def _utc_day(conn: sa.Connection) -> sa.ColumnElement[str]:
    """The UTC calendar day of ``occurred_at`` as ``YYYY-MM-DD`` text, per dialect."""
    column = evidence_transfers.c.occurred_at
    if conn.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")
    return sa.func.substr(sa.cast(column, sa.String), 1, 10)  # SQLite stores UTC text


def count_outcomes(
    conn: sa.Connection, tenant: str, since: datetime | None = None
) -> Sequence[OutcomeCount]:
    """Counts per day, service, evidence type and outcome (unresolved requests mean paper)."""
    t = evidence_transfers
    day = _utc_day(conn).label("day")
    keys = (day, requesters.c.service, t.c.evidence_type, t.c.outcome)
    query = (
        sa.select(*keys, sa.func.count())
        .join(requesters, requesters.c.id == t.c.requester_id)
        .where(t.c.tenant == tenant)
        .group_by(*keys)
        .order_by(*keys)
    )
    if since is not None:
        query = query.where(t.c.occurred_at >= since)
    return [
        OutcomeCount(str(d), str(s), str(e), str(o), int(n))
        for d, s, e, o, n in conn.execute(query)
    ]
