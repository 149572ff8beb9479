"""Tenants: the municipalities (by Amtlicher Gemeindeschlüssel) whose data the store keeps apart."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from regmod.audit.log import create_chain
from regmod.errors import InputError
from regmod.store.schema import tenants


def create_tenant(conn: sa.Connection, code: str, name: str) -> None:
    """Register a tenant and start its audit chain; an existing code is an error."""
    if not code or len(code) > 16:
        raise InputError(
            f"tenant code {code!r} must be 1 to 16 characters, e.g. the AGS 05315000",
            field="tenant",
        )
    if tenant_name(conn, code) is not None:
        raise InputError(f"tenant {code!r} exists already", field="tenant")
    conn.execute(sa.insert(tenants).values(code=code, name=name, created_at=datetime.now(UTC)))
    create_chain(conn, code)


def ensure_tenant(conn: sa.Connection, code: str, name: str | None = None) -> None:
    """Create the tenant unless it exists (named ``name``, or its code)."""
    if tenant_name(conn, code) is None:
        create_tenant(conn, code, name or code)


def tenant_name(conn: sa.Connection, code: str) -> str | None:
    """The tenant's name, or None when there is no such tenant."""
    return conn.scalar(sa.select(tenants.c.name).where(tenants.c.code == code))


def list_tenants(conn: sa.Connection) -> list[tuple[str, str]]:
    """Every tenant as ``(code, name)``, sorted by code."""
    rows = conn.execute(sa.select(tenants.c.code, tenants.c.name).order_by(tenants.c.code))
    return [(str(code), str(name)) for code, name in rows]
