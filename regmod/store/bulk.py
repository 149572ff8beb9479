"""Bulk writes that work the same on SQLite and PostgreSQL: batched multi-row upserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

BATCH_ROWS = 5_000


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
) -> int:
    """Insert ``rows``, replacing the non-key columns of rows whose ``keys`` already exist."""
    if not rows:
        return 0
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    updates = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    statement = (
        statement.on_conflict_do_update(index_elements=list(keys), set_=updates)
        if updates
        else statement.on_conflict_do_nothing(index_elements=list(keys))
    )
    for start in range(0, len(rows), BATCH_ROWS):
        conn.execute(statement, list(rows[start : start + BATCH_ROWS]))
    return len(rows)
