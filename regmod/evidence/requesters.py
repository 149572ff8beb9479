"""Looking up the requester (authority and online service) an API credential acts for."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from regmod.evidence.model import Requester
from regmod.store.schema import requesters

_REQUESTERS = sa.select(
    requesters.c.id, requesters.c.tenant, requesters.c.name, requesters.c.service
).where(requesters.c.id.in_(sa.bindparam("ids", expanding=True)))
"""Built once: every batch of evidence requests loads its requesters."""


def load_requesters(conn: sa.Connection, requester_ids: Collection[int]) -> dict[int, Requester]:
    """The requesters among ``requester_ids`` that exist, by id, in one query."""
    rows = conn.execute(_REQUESTERS, {"ids": sorted(requester_ids)})
    return {
        int(row.id): Requester(int(row.id), str(row.tenant), row.name, row.service) for row in rows
    }
