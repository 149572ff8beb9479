"""Evidence transfers: every answer to an online service, for the audit log and the citizen's view.

The Datenschutzcockpit lists, per IDNr, who received which evidence, when, why and on what basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from regmod.audit.chain import EntryKind
from regmod.audit.log import AuditWriter
from regmod.store.schema import evidence_transfers


class TransferOutcome(StrEnum):
    """How an evidence request ended."""

    DELIVERED = "delivered"
    REFUSED = "refused"
    AMBIGUOUS = "ambiguous"
    BLOCKED = "blocked"  # Auskunftssperre
    PREVIEW = "preview"


@dataclass(frozen=True)
class Transfer:
    """One evidence request and its outcome."""

    tenant: str
    occurred_at: datetime
    request_id: str
    requester_id: int
    evidence_type: str
    legal_basis: str
    purpose: str
    idnr: str | None
    outcome: TransferOutcome

    def values(self) -> dict[str, Any]:
        """The fields by name (a shallow ``asdict``: every request logs one, and it shows)."""
        return dict(vars(self))


_INSERT = sa.insert(evidence_transfers)


def record_transfer(
    conn: sa.Connection, writer: AuditWriter, transfer: Transfer, actor: str
) -> None:
    """Store ``transfer`` and append it to the audit log, in the caller's write transaction."""
    insert_transfers(conn, [transfer])
    audit_transfers(conn, writer, [(transfer, actor)])


def insert_transfers(conn: sa.Connection, transfers: Sequence[Transfer]) -> None:
    """Store transfer rows (the audit entries follow with ``audit_transfers``)."""
    if transfers:
        conn.execute(_INSERT, [transfer.values() for transfer in transfers])


def audit_transfers(
    conn: sa.Connection, writer: AuditWriter, logged: Sequence[tuple[Transfer, str]]
) -> None:
    """Append an audit entry per ``(transfer, actor)`` in this order: one locked step per tenant.

    Tenants go in sorted order, so two processes writing to the same tenants never wait on each
    other crosswise.
    """
    entries: dict[str, list[tuple[EntryKind, str, Any]]] = {}
    for transfer, actor in logged:
        payload = {
            **transfer.values(),
            "occurred_at": transfer.occurred_at.astimezone(UTC).isoformat(),
        }
        entries.setdefault(transfer.tenant, []).append(
            (EntryKind.EVIDENCE_TRANSFER, actor, payload)
        )
    for tenant in sorted(entries):
        writer.append_each(conn, tenant, entries[tenant])


def new_transfer(
    tenant: str,
    request_id: str,
    requester_id: int,
    evidence_type: str,
    legal_basis: str,
    purpose: str,
    idnr: str | None,
    outcome: TransferOutcome,
) -> Transfer:
    """A transfer happening now."""
    return Transfer(
        tenant,
        datetime.now(UTC),
        request_id,
        requester_id,
        evidence_type,
        legal_basis,
        purpose,
        idnr,
        outcome,
    )


def list_transfers(conn: sa.Connection, tenant: str, idnr: str) -> list[Transfer]:
    """Every transfer about ``idnr`` in ``tenant``, newest first."""
    table = evidence_transfers
    query = (
        sa.select(*(table.c[name] for name in Transfer.__dataclass_fields__))
        .where(table.c.tenant == tenant, table.c.idnr == idnr)
        .order_by(table.c.occurred_at.desc(), table.c.id.desc())
    )
    return [
        Transfer(**{**row._asdict(), "outcome": TransferOutcome(row.outcome)})
        for row in conn.execute(query)
    ]
