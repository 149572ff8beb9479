"""The store's tables as one SQLAlchemy Core ``MetaData``: the single source the migrations follow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _tenant_column() -> sa.Column[str]:
    return sa.Column("tenant", sa.String(16), sa.ForeignKey("tenants.code"), nullable=False)


def _person_columns() -> list[sa.Column[Any]]:
    """Person attributes shared by reference persons and register records (display and search forms)."""
    text = (
        *("family_name", "family_name_search", "family_name_phonetic", "birth_name"),
        *("birth_name_search", "first_names", "first_name_search", "first_name_phonetic"),
        *("doctoral_degree", "birth_place", "nationality", "street", "street_search"),
        *("house_number", "postcode", "city", "city_search"),
    )
    columns: list[sa.Column[Any]] = [sa.Column(name, sa.String, nullable=True) for name in text]
    columns.append(sa.Column("sex", sa.String(1), nullable=True))
    for prefix in ("birth", "death"):
        columns.append(sa.Column(f"{prefix}_year", sa.SmallInteger, nullable=True))
        columns.append(sa.Column(f"{prefix}_month", sa.SmallInteger, nullable=True))
        columns.append(sa.Column(f"{prefix}_day", sa.SmallInteger, nullable=True))
    columns.append(sa.Column("information_block", sa.Boolean, nullable=False))
    return columns


tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True, comment="Amtlicher Gemeindeschlüssel"),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

persons = sa.Table(
    "persons",
    metadata,
    _tenant_column(),
    sa.Column("idnr", sa.String(11), nullable=False),
    *_person_columns(),
    sa.PrimaryKeyConstraint("tenant", "idnr"),
)

register_records = sa.Table(
    "register_records",
    metadata,
    _tenant_column(),
    sa.Column("record_id", sa.String, nullable=False),
    sa.Column("source_register", sa.String, nullable=False),
    sa.Column("idnr", sa.String(11), nullable=True),
    *_person_columns(),
    sa.Column("run_id", sa.String, nullable=True),
    sa.PrimaryKeyConstraint("tenant", "record_id"),
)

runs = sa.Table(
    "runs",
    metadata,
    _tenant_column(),
    sa.Column("run_id", sa.String, nullable=False),
    sa.Column("model_hash", sa.String, nullable=True),
    sa.Column("loaded_at", UtcDateTime, nullable=False),
    sa.Column("manifest", sa.Text, nullable=False, comment="manifest.json of the run directory"),
    sa.PrimaryKeyConstraint("tenant", "run_id"),
)

links = sa.Table(
    "links",
    metadata,
    _tenant_column(),
    sa.Column("run_id", sa.String, nullable=False),
    sa.Column("record_id", sa.String, nullable=False),
    sa.Column("idnr", sa.String(11), nullable=False),
    sa.Column("decision", sa.String(8), nullable=False),
    sa.Column("match_weight", sa.Float, nullable=True),
    sa.Column("match_probability", sa.Float, nullable=True),
    sa.Column("model_hash", sa.String, nullable=True),
    sa.Column("decided_by", sa.String, nullable=False, comment="'model' or the reviewer"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant", "run_id", "record_id", "idnr"),
    sa.CheckConstraint("decision IN ('match', 'review', 'no_match')", name="decision"),
    sa.Index(None, "tenant", "record_id"),
    sa.Index(None, "tenant", "idnr"),
)

review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _tenant_column(),
    sa.Column("run_id", sa.String, nullable=False),
    sa.Column("record_id", sa.String, nullable=False),
    sa.Column("idnr", sa.String(11), nullable=False),
    sa.Column("match_weight", sa.Float, nullable=True),
    sa.Column("match_probability", sa.Float, nullable=True),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("model_hash", sa.String, nullable=True),
    sa.Column("status", sa.String(8), nullable=False),
    sa.UniqueConstraint("tenant", "run_id", "record_id", "idnr"),
    sa.CheckConstraint("status IN ('open', 'accepted', 'rejected')", name="status"),
    sa.Index(None, "tenant", "status"),
)

review_decisions = sa.Table(
    "review_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("review_items.id"), nullable=False),
    sa.Column("reviewer", sa.String, nullable=False),
    sa.Column("decided_at", UtcDateTime, nullable=False),
    sa.Column("accept", sa.Boolean, nullable=False),
    sa.Column("reason", sa.String, nullable=False),
)

requesters = sa.Table(
    "requesters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _tenant_column(),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("service", sa.String, nullable=False),
    sa.UniqueConstraint("tenant", "name"),
)

entitlements = sa.Table(
    "entitlements",
    metadata,
    sa.Column("requester_id", sa.Integer, sa.ForeignKey("requesters.id"), nullable=False),
    _tenant_column(),
    sa.Column("evidence_type", sa.String, nullable=False),
    sa.Column("legal_basis", sa.String, nullable=False),
    sa.Column("purpose", sa.String, nullable=False),
    sa.PrimaryKeyConstraint("requester_id", "tenant", "evidence_type", "legal_basis", "purpose"),
)

api_credentials = sa.Table(
    "api_credentials",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("secret_sha256", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    _tenant_column(),
    sa.Column("idnr", sa.String(11), nullable=True, comment="The citizen a citizen token is for"),
    sa.Column("requester_id", sa.Integer, sa.ForeignKey("requesters.id"), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    sa.CheckConstraint(
        "role IN ('register_office', 'online_service', 'auditor', 'citizen')", name="role"
    ),
)

evidence_transfers = sa.Table(
    "evidence_transfers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _tenant_column(),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("request_id", sa.String, nullable=False),
    sa.Column("requester_id", sa.Integer, sa.ForeignKey("requesters.id"), nullable=False),
    sa.Column("evidence_type", sa.String, nullable=False),
    sa.Column("legal_basis", sa.String, nullable=False),
    sa.Column("purpose", sa.String, nullable=False),
    sa.Column("idnr", sa.String(11), nullable=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.CheckConstraint(
        "outcome IN ('delivered', 'refused', 'ambiguous', 'blocked', 'preview')", name="outcome"
    ),
    sa.Index(None, "tenant", "idnr"),
)

audit_heads = sa.Table(
    "audit_heads",
    metadata,
    sa.Column("tenant", sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    comment="One row per tenant, locked by every append so that the chain never forks.",
)

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    _tenant_column(),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("recorded_at", sa.String(32), nullable=False, comment="ISO 8601 UTC, as hashed"),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("payload", sa.Text, nullable=False, comment="Canonical JSON, as hashed"),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("entry_hash", sa.String(64), nullable=False),
    sa.PrimaryKeyConstraint("tenant", "seq"),
)

audit_checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    _tenant_column(),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("key_id", sa.String(16), nullable=True, comment="Fingerprint of the signing key"),
    sa.Column("signature", sa.String(128), nullable=True, comment="Ed25519, hex; null: unsigned"),
    sa.PrimaryKeyConstraint("tenant", "seq"),
)
