"""Initial store: tenants, persons, records, runs, links, review, access, transfers, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column(
            "code", sa.String(length=16), nullable=False, comment="Amtlicher Gemeindeschlüssel"
        ),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tenants")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column(
            "key_id", sa.String(length=16), nullable=True, comment="Fingerprint of the signing key"
        ),
        sa.Column(
            "signature",
            sa.String(length=128),
            nullable=True,
            comment="Ed25519, hex; null: unsigned",
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_audit_checkpoints_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant", "seq", name=op.f("pk_audit_checkpoints")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "recorded_at", sa.String(length=32), nullable=False, comment="ISO 8601 UTC, as hashed"
        ),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False, comment="Canonical JSON, as hashed"),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_audit_entries_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant", "seq", name=op.f("pk_audit_entries")),
    )
    op.create_table(
        "audit_heads",
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_audit_heads_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_audit_heads")),
        comment="One row per tenant, locked by every append so that the chain never forks.",
    )
    op.create_table(
        "links",
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("idnr", sa.String(length=11), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("model_hash", sa.String(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=False, comment="'model' or the reviewer"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('match', 'review', 'no_match')", name=op.f("ck_links_decision")
        ),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.code"], name=op.f("fk_links_tenant_tenants")),
        sa.PrimaryKeyConstraint("tenant", "run_id", "record_id", "idnr", name=op.f("pk_links")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_tenant_idnr"), ["tenant", "idnr"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_links_tenant_record_id"), ["tenant", "record_id"], unique=False
        )

    op.create_table(
        "persons",
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("idnr", sa.String(length=11), nullable=False),
        sa.Column("family_name", sa.String(), nullable=True),
        sa.Column("family_name_search", sa.String(), nullable=True),
        sa.Column("family_name_phonetic", sa.String(), nullable=True),
        sa.Column("birth_name", sa.String(), nullable=True),
        sa.Column("birth_name_search", sa.String(), nullable=True),
        sa.Column("first_names", sa.String(), nullable=True),
        sa.Column("first_name_search", sa.String(), nullable=True),
        sa.Column("first_name_phonetic", sa.String(), nullable=True),
        sa.Column("doctoral_degree", sa.String(), nullable=True),
        sa.Column("birth_place", sa.String(), nullable=True),
        sa.Column("nationality", sa.String(), nullable=True),
        sa.Column("street", sa.String(), nullable=True),
        sa.Column("street_search", sa.String(), nullable=True),
        sa.Column("house_number", sa.String(), nullable=True),
        sa.Column("postcode", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("city_search", sa.String(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.Column("birth_month", sa.SmallInteger(), nullable=True),
        sa.Column("birth_day", sa.SmallInteger(), nullable=True),
        sa.Column("death_year", sa.SmallInteger(), nullable=True),
        sa.Column("death_month", sa.SmallInteger(), nullable=True),
        sa.Column("death_day", sa.SmallInteger(), nullable=True),
        sa.Column("information_block", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_persons_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant", "idnr", name=op.f("pk_persons")),
    )
    op.create_table(
        "register_records",
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("source_register", sa.String(), nullable=False),
        sa.Column("idnr", sa.String(length=11), nullable=True),
        sa.Column("family_name", sa.String(), nullable=True),
        sa.Column("family_name_search", sa.String(), nullable=True),
        sa.Column("family_name_phonetic", sa.String(), nullable=True),
        sa.Column("birth_name", sa.String(), nullable=True),
        sa.Column("birth_name_search", sa.String(), nullable=True),
        sa.Column("first_names", sa.String(), nullable=True),
        sa.Column("first_name_search", sa.String(), nullable=True),
        sa.Column("first_name_phonetic", sa.String(), nullable=True),
        sa.Column("doctoral_degree", sa.String(), nullable=True),
        sa.Column("birth_place", sa.String(), nullable=True),
        sa.Column("nationality", sa.String(), nullable=True),
        sa.Column("street", sa.String(), nullable=True),
        sa.Column("street_search", sa.String(), nullable=True),
        sa.Column("house_number", sa.String(), nullable=True),
        sa.Column("postcode", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("city_search", sa.String(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.Column("birth_month", sa.SmallInteger(), nullable=True),
        sa.Column("birth_day", sa.SmallInteger(), nullable=True),
        sa.Column("death_year", sa.SmallInteger(), nullable=True),
        sa.Column("death_month", sa.SmallInteger(), nullable=True),
        sa.Column("death_day", sa.SmallInteger(), nullable=True),
        sa.Column("information_block", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_register_records_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant", "record_id", name=op.f("pk_register_records")),
    )
    op.create_table(
        "requesters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("service", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_requesters_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requesters")),
        sa.UniqueConstraint("tenant", "name", name=op.f("uq_requesters_tenant_name")),
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("idnr", sa.String(length=11), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("model_hash", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'rejected')", name=op.f("ck_review_items_status")
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_review_items_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint(
            "tenant",
            "run_id",
            "record_id",
            "idnr",
            name=op.f("uq_review_items_tenant_run_id_record_id_idnr"),
        ),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_items_tenant_status"), ["tenant", "status"], unique=False
        )

    op.create_table(
        "runs",
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("model_hash", sa.String(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "manifest", sa.Text(), nullable=False, comment="manifest.json of the run directory"
        ),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.code"], name=op.f("fk_runs_tenant_tenants")),
        sa.PrimaryKeyConstraint("tenant", "run_id", name=op.f("pk_runs")),
    )
    op.create_table(
        "api_credentials",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column(
            "idnr",
            sa.String(length=11),
            nullable=True,
            comment="The citizen a citizen token is for",
        ),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('register_office', 'online_service', 'auditor', 'citizen')",
            name=op.f("ck_api_credentials_role"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["requesters.id"],
            name=op.f("fk_api_credentials_requester_id_requesters"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_api_credentials_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_credentials")),
    )
    op.create_table(
        "entitlements",
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("evidence_type", sa.String(), nullable=False),
        sa.Column("legal_basis", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["requesters.id"],
            name=op.f("fk_entitlements_requester_id_requesters"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_entitlements_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "requester_id",
            "tenant",
            "evidence_type",
            "legal_basis",
            "purpose",
            name=op.f("pk_entitlements"),
        ),
    )
    op.create_table(
        "evidence_transfers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("evidence_type", sa.String(), nullable=False),
        sa.Column("legal_basis", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("idnr", sa.String(length=11), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('delivered', 'refused', 'ambiguous', 'blocked', 'preview')",
            name=op.f("ck_evidence_transfers_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["requesters.id"],
            name=op.f("fk_evidence_transfers_requester_id_requesters"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant"], ["tenants.code"], name=op.f("fk_evidence_transfers_tenant_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_transfers")),
    )
    with op.batch_alter_table("evidence_transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_transfers_tenant_idnr"), ["tenant", "idnr"], unique=False
        )

    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accept", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["review_items.id"], name=op.f("fk_review_decisions_item_id_review_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )


def downgrade() -> None:
    op.drop_table("review_decisions")
    with op.batch_alter_table("evidence_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_transfers_tenant_idnr"))

    op.drop_table("evidence_transfers")
    op.drop_table("entitlements")
    op.drop_table("api_credentials")
    op.drop_table("runs")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_items_tenant_status"))

    op.drop_table("review_items")
    op.drop_table("requesters")
    op.drop_table("register_records")
    op.drop_table("persons")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_tenant_record_id"))
        batch_op.drop_index(batch_op.f("ix_links_tenant_idnr"))

    op.drop_table("links")
    op.drop_table("audit_heads")
    op.drop_table("audit_entries")
    op.drop_table("audit_checkpoints")
    op.drop_table("tenants")
