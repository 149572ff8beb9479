"""Appending to the audit log: one chain per tenant, serialised in the database so it never forks.

Every append locks the tenant's row in ``audit_heads`` (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the transaction from ``Store.write()`` already holds the write lock from ``BEGIN IMMEDIATE``),
chains onto the head, inserts, and moves the head, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from regmod.audit.cadence import Cadence
from regmod.audit.chain import GENESIS_HASH, Checkpoint, Entry, EntryKind, seal, utc_timestamp
from regmod.audit.signing import Signer
from regmod.audit.witness import FileWitness, witness_at_commit
from regmod.errors import NotFoundError, RegmodError
from regmod.settings import Settings
from regmod.store.engine import WRITE_OPTION
from regmod.store.schema import audit_checkpoints, audit_entries, audit_heads, tenants


@dataclass(frozen=True)
class Head:
    """The last entry of a tenant's chain (``seq`` 0 and the genesis hash when empty)."""

    seq: int
    head_hash: str


_LOCK_HEAD = (
    sa.select(audit_heads.c.seq, audit_heads.c.head_hash)
    .where(audit_heads.c.tenant == sa.bindparam("tenant"))
    .with_for_update()
)
_MOVE_HEAD = (
    sa.update(audit_heads)
    .where(audit_heads.c.tenant == sa.bindparam("head_tenant"))
    .values(seq=sa.bindparam("seq"), head_hash=sa.bindparam("head_hash"))
)
_LAST_CHECKPOINT = (
    sa.select(sa.func.coalesce(sa.func.max(audit_checkpoints.c.seq), 0))
    .where(audit_checkpoints.c.tenant == sa.bindparam("tenant"))
    .scalar_subquery()
)
_OLDEST_UNCOVERED = sa.select(audit_entries.c.recorded_at).where(
    audit_entries.c.tenant == sa.bindparam("tenant"), audit_entries.c.seq == _LAST_CHECKPOINT + 1
)
"""Built once: the head is locked and moved by every append, so statement building would show."""


def lock_head(conn: sa.Connection, tenant: str) -> Head:
    """Lock and read the head of ``tenant``'s chain until the transaction ends."""
    if conn.dialect.name == "sqlite" and not conn.get_execution_options().get(WRITE_OPTION):
        raise RegmodError("audit appends on SQLite need a transaction from Store.write()")
    row = conn.execute(_LOCK_HEAD, {"tenant": tenant}).first()
    if row is None:
        raise NotFoundError(
            f"tenant {tenant!r} does not exist or its audit head row is gone; create the tenant "
            "before writing to it"
        )
    return Head(int(row.seq), str(row.head_hash))


@dataclass(frozen=True)
class AuditWriter:
    """Appends entries and writes checkpoints on the cadence, signed when a key is configured.

    Each checkpoint also goes to the ``witness`` when one is configured.

    >>> writer = AuditWriter(signer=Signer.generate(), checkpoint_every=1000)
    >>> with store.write() as conn:  # doctest: +SKIP
    ...     writer.append(conn, "05315000", EntryKind.CONFIGURATION_CHANGE, "admin", {"x": 1})
    """

    signer: Signer | None = None
    checkpoint_every: int = 1000
    checkpoint_minutes: float = 60.0
    witness: FileWitness | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditWriter:
        """The writer configured by the ``REGMOD_AUDIT_…`` settings (key, cadence, witness)."""
        key = settings.audit_signing_key
        witness = settings.audit_witness
        return cls(
            Signer.from_hex(key) if key else None,
            settings.audit_checkpoint_every,
            settings.audit_checkpoint_minutes,
            FileWitness(witness) if witness else None,
        )

    @property
    def cadence(self) -> Cadence:
        """When checkpoints are due (``checkpoint_every`` entries, ``checkpoint_minutes``)."""
        return Cadence(self.checkpoint_every, self.checkpoint_minutes)

    def append(
        self, conn: sa.Connection, tenant: str, kind: EntryKind, actor: str, payload: Any
    ) -> Entry:
        """Append one entry and return it as stored."""
        return self.append_many(conn, tenant, kind, actor, [payload])[0]

    def append_many(
        self,
        conn: sa.Connection,
        tenant: str,
        kind: EntryKind,
        actor: str,
        payloads: Iterable[Any],
    ) -> list[Entry]:
        """Append one entry per payload in one locked step (a reconciliation run's decisions)."""
        return self.append_each(conn, tenant, ((kind, actor, payload) for payload in payloads))

    def append_each(
        self, conn: sa.Connection, tenant: str, items: Iterable[tuple[EntryKind, str, Any]]
    ) -> list[Entry]:
        """Append one entry per ``(kind, actor, payload)`` in order, in one locked step.

        Several requests committed together (``regmod.evidence.writer``) each keep their actor.
        """
        head = lock_head(conn, tenant)
        cadence = self.cadence
        aged = cadence.minutes > 0 and cadence.aged(
            conn.execute(_OLDEST_UNCOVERED, {"tenant": tenant}).scalar()
        )
        recorded_at = utc_timestamp()
        entries: list[Entry] = []
        prev_hash = head.head_hash
        for seq, (kind, actor, payload) in enumerate(items, start=head.seq + 1):
            entry = seal(tenant, seq, kind.value, recorded_at, actor, payload, prev_hash)
            entries.append(entry)
            prev_hash = entry.entry_hash
        if not entries:
            return entries
        conn.execute(sa.insert(audit_entries), [dict(vars(entry)) for entry in entries])
        last = entries[-1]
        conn.execute(
            _MOVE_HEAD, {"head_tenant": tenant, "seq": last.seq, "head_hash": last.entry_hash}
        )
        if aged or cadence.crosses(head.seq, last.seq):
            self._write_checkpoint(conn, tenant, Head(last.seq, last.entry_hash))
        return entries

    def checkpoint(self, conn: sa.Connection, tenant: str) -> Checkpoint | None:
        """Checkpoint the current head on demand; None when the chain is empty or already there."""
        head = lock_head(conn, tenant)
        if head.seq == 0:
            return None
        exists = conn.execute(
            sa.select(audit_checkpoints.c.seq).where(
                audit_checkpoints.c.tenant == tenant, audit_checkpoints.c.seq == head.seq
            )
        ).first()
        return None if exists else self._write_checkpoint(conn, tenant, head)

    def _write_checkpoint(self, conn: sa.Connection, tenant: str, head: Head) -> Checkpoint:
        recorded_at = utc_timestamp()
        unsigned = Checkpoint(tenant, head.seq, head.head_hash, recorded_at, None, None)
        checkpoint = unsigned
        if self.signer is not None:
            signature = self.signer.sign(unsigned.message())
            checkpoint = Checkpoint(
                tenant,
                head.seq,
                head.head_hash,
                recorded_at,
                self.signer.verifier.key_id,
                signature,
            )
        conn.execute(sa.insert(audit_checkpoints).values(**asdict(checkpoint)))
        if self.witness is not None:
            witness_at_commit(conn, self.witness, checkpoint)
        return checkpoint


def create_chain(conn: sa.Connection, tenant: str) -> None:
    """Start an empty chain for a new tenant (its head row, the lock every append takes)."""
    conn.execute(sa.insert(audit_heads).values(tenant=tenant, seq=0, head_hash=GENESIS_HASH))


def read_entries(
    conn: sa.Connection,
    tenant: str,
    *,
    first_seq: int = 1,
    last_seq: int | None = None,
    batch_size: int = 10_000,
) -> Iterable[Entry]:
    """Stream ``tenant``'s entries in ``seq`` order (constant memory, batch by batch)."""
    query = (
        sa.select(*(audit_entries.c[name] for name in Entry.__dataclass_fields__))
        .where(audit_entries.c.tenant == tenant, audit_entries.c.seq >= first_seq)
        .order_by(audit_entries.c.seq)
    )
    if last_seq is not None:
        query = query.where(audit_entries.c.seq <= last_seq)
    for row in conn.execute(query.execution_options(yield_per=batch_size)):
        yield Entry(*row)


def read_checkpoints(
    conn: sa.Connection, tenant: str, first_seq: int = 1, last_seq: int | None = None
) -> list[Checkpoint]:
    """``tenant``'s checkpoints with ``first_seq <= seq <= last_seq``, in ``seq`` order."""
    table = audit_checkpoints
    query = (
        sa.select(*(table.c[name] for name in Checkpoint.__dataclass_fields__))
        .where(table.c.tenant == tenant, table.c.seq >= first_seq)
        .order_by(table.c.seq)
    )
    if last_seq is not None:
        query = query.where(table.c.seq <= last_seq)
    return [Checkpoint(*row) for row in conn.execute(query)]


def read_head(conn: sa.Connection, tenant: str) -> Head | None:
    """The head row of ``tenant`` without locking it (None when the tenant has no chain)."""
    row = conn.execute(
        sa.select(audit_heads.c.seq, audit_heads.c.head_hash).where(audit_heads.c.tenant == tenant)
    ).first()
    return None if row is None else Head(int(row.seq), str(row.head_hash))


def chain_tenants(conn: sa.Connection, *, orphans: bool = True) -> Sequence[str]:
    """Every tenant that has or should have a chain, sorted: a tenant row or a head row, and
    with ``orphans`` any tenant named by an entry or checkpoint (a scan of both tables).

    Listing more than the head rows means a tenant whose head row was deleted is still verified.
    """
    columns = _TENANT_COLUMNS if orphans else _TENANT_COLUMNS[:2]
    query = sa.union(*(sa.select(table.c[column]) for table, column in columns)).order_by("code")
    return [str(tenant) for tenant in conn.scalars(query)]


_TENANT_COLUMNS = (
    (tenants, "code"),
    (audit_heads, "tenant"),
    (audit_entries, "tenant"),
    (audit_checkpoints, "tenant"),
)
