"""Evidence transfers: every answer to an online service, for the audit log and the citizen's view.

The Datenschutzcockpit lists, per IDNr, who received which evidence, when, why and on what basis.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum

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


def record_transfer(
    conn: sa.Connection, writer: AuditWriter, transfer: Transfer, actor: str
) -> None:
    """Store ``transfer`` and append it to the audit log, in the caller's write transaction."""
    values = asdict(transfer)
    conn.execute(sa.insert(evidence_transfers).values(**values))
    payload = {**values, "occurred_at": transfer.occurred_at.astimezone(UTC).isoformat()}
    writer.append(conn, transfer.tenant, EntryKind.EVIDENCE_TRANSFER, actor, payload)


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
