"""The review queue: candidate links a run could not decide, worked by a register office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from regmod.audit.chain import EntryKind
from regmod.audit.log import AuditWriter
from regmod.errors import InputError, NotFoundError
from regmod.store.bulk import upsert
from regmod.store.schema import links, review_decisions, review_items


@dataclass(frozen=True)
class ReviewItem:
    """One candidate IDNr for a register record, ranked among the record's candidates."""

    id: int
    tenant: str
    run_id: str
    record_id: str
    idnr: str
    match_weight: float | None
    match_probability: float | None
    rank: int
    model_hash: str | None
    status: str


@dataclass(frozen=True)
class ReviewDecision:
    """A reviewer's verdict on a review item."""

    item_id: int
    reviewer: str
    decided_at: datetime
    accept: bool
    reason: str


_COLUMNS = [review_items.c[name] for name in ReviewItem.__dataclass_fields__]


def list_review_queue(
    conn: sa.Connection, tenant: str, *, status: str = "open", limit: int = 100, offset: int = 0
) -> list[ReviewItem]:
    """Review items of ``tenant`` with ``status``, by record and rank, one page at a time."""
    query = (
        sa.select(*_COLUMNS)
        .where(review_items.c.tenant == tenant, review_items.c.status == status)
        .order_by(review_items.c.record_id, review_items.c.rank, review_items.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [ReviewItem(*row) for row in conn.execute(query)]


def find_review_item(
    conn: sa.Connection, tenant: str, run_id: str, record_id: str, idnr: str
) -> int:
    """Id of the review item of ``record_id`` ↔ ``idnr`` from run ``run_id`` in ``tenant``."""
    query = sa.select(review_items.c.id).where(
        review_items.c.tenant == tenant,
        review_items.c.run_id == run_id,
        review_items.c.record_id == record_id,
        review_items.c.idnr == idnr,
    )
    item_id = conn.execute(query).scalar()
    if item_id is None:
        raise NotFoundError(
            f"run {run_id!r} has no review item {record_id} ↔ {idnr} in tenant {tenant!r}; "
            f"load the run first with 'regmod load --tenant {tenant} --run RUN_DIR'"
        )
    return int(item_id)


def decide_review(
    conn: sa.Connection,
    writer: AuditWriter,
    tenant: str,
    item_id: int,
    reviewer: str,
    *,
    accept: bool,
    reason: str,
) -> ReviewDecision:
    """Accept or reject one candidate; accepting links the record to it. Audited.

    Each item is decided once; deciding it again is an error.
    """
    if not reason.strip():
        raise InputError("a review decision needs a reason", field="reason")
    query = sa.select(*_COLUMNS).where(
        review_items.c.tenant == tenant, review_items.c.id == item_id
    )
    row = conn.execute(query.with_for_update()).first()
    if row is None:
        raise NotFoundError(f"review item {item_id} does not exist in tenant {tenant!r}")
    item = ReviewItem(*row)
    if item.status != "open":
        raise InputError(f"review item {item_id} was already {item.status}", field="item_id")
    if accept:
        _refuse_second_link(conn, tenant, item)
    decision = ReviewDecision(item_id, reviewer, datetime.now(UTC), accept, reason)
    conn.execute(sa.insert(review_decisions).values(**decision.__dict__))
    status = "accepted" if accept else "rejected"
    conn.execute(sa.update(review_items).where(review_items.c.id == item_id).values(status=status))
    if accept:
        link = {
            "tenant": tenant,
            "run_id": item.run_id,
            "record_id": item.record_id,
            "idnr": item.idnr,
            "decision": "match",
            "match_weight": item.match_weight,
            "match_probability": item.match_probability,
            "model_hash": item.model_hash,
            "decided_by": reviewer,
            "created_at": decision.decided_at,
        }
        upsert(conn, links, [link], ("tenant", "run_id", "record_id", "idnr"))
    payload = {
        "item_id": item_id,
        "run_id": item.run_id,
        "record_id": item.record_id,
        "idnr": item.idnr,
        "accept": accept,
        "reason": reason,
        "reviewer": reviewer,
        "decided_at": decision.decided_at.isoformat(),
    }
    writer.append(conn, tenant, EntryKind.REVIEW_DECISION, reviewer, payload)
    return decision


def _refuse_second_link(conn: sa.Connection, tenant: str, item: ReviewItem) -> None:
    """A record linked to one IDNr in a run cannot be accepted for another as well."""
    other = conn.execute(
        sa.select(links.c.idnr).where(
            links.c.tenant == tenant,
            links.c.run_id == item.run_id,
            links.c.record_id == item.record_id,
            links.c.idnr != item.idnr,
        )
    ).first()
    if other is not None:
        raise InputError(
            f"record {item.record_id!r} is already linked to IDNr {other.idnr} in run "
            f"{item.run_id!r}; one record links to one IDNr",
            field="item_id",
        )
