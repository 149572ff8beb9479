"""Looking up the requester (authority and online service) an API credential acts for."""

from __future__ import annotations

import sqlalchemy as sa

from regmod.evidence.model import Requester
from regmod.store.schema import requesters


def load_requester(conn: sa.Connection, requester_id: int) -> Requester | None:
    """The requester with ``requester_id``, or None."""
    table = requesters
    row = conn.execute(
        sa.select(table.c.id, table.c.tenant, table.c.name, table.c.service).where(
            table.c.id == requester_id
        )
    ).first()
    return None if row is None else Requester(int(row.id), str(row.tenant), row.name, row.service)
