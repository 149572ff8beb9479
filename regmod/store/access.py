"""Who may ask what: requesters, their entitlements, and API keys stored only as hashes.

A key reads ``rmk_<key id>_<secret>``; the store keeps the key id and SHA-256 of the secret
(the secret is 256 random bits, so a slow hash adds nothing), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa

from regmod.errors import InputError, NotFoundError
from regmod.store.schema import api_credentials, entitlements, requesters

KEY_PREFIX = "rmk"


class Role(StrEnum):
    """What a credential may do."""

    REGISTER_OFFICE = "register_office"
    ONLINE_SERVICE = "online_service"
    AUDITOR = "auditor"
    CITIZEN = "citizen"


@dataclass(frozen=True)
class Principal:
    """The authenticated holder of an API key."""

    key_id: str
    role: Role
    tenant: str
    idnr: str | None
    requester_id: int | None


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``key`` is shown once and never stored."""

    key_id: str
    key: str


def create_requester(conn: sa.Connection, tenant: str, name: str, service: str) -> int:
    """Register an online service (Antragsteller-Dienst) of ``tenant``; returns its id."""
    result = conn.execute(
        sa.insert(requesters)
        .values(tenant=tenant, name=name, service=service)
        .returning(requesters.c.id)
    )
    return int(result.scalar_one())


def grant_entitlement(
    conn: sa.Connection,
    requester_id: int,
    tenant: str,
    evidence_type: str,
    legal_basis: str,
    purpose: str,
) -> None:
    """Allow a requester one evidence type, for one legal basis and purpose, in one tenant."""
    conn.execute(
        sa.insert(entitlements).values(
            requester_id=requester_id,
            tenant=tenant,
            evidence_type=evidence_type,
            legal_basis=legal_basis,
            purpose=purpose,
        )
    )


def is_entitled(
    conn: sa.Connection,
    requester_id: int,
    tenant: str,
    evidence_type: str,
    legal_basis: str,
    purpose: str,
) -> bool:
    """True when exactly this combination was granted."""
    table = entitlements
    query = sa.select(sa.literal(1)).where(
        table.c.requester_id == requester_id,
        table.c.tenant == tenant,
        table.c.evidence_type == evidence_type,
        table.c.legal_basis == legal_basis,
        table.c.purpose == purpose,
    )
    return conn.scalar(query) is not None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    conn: sa.Connection,
    tenant: str,
    role: Role,
    *,
    idnr: str | None = None,
    requester_id: int | None = None,
) -> IssuedKey:
    """Issue a key; citizen keys name their IDNr, online-service keys their requester."""
    if (role is Role.CITIZEN) != (idnr is not None):
        raise InputError("a citizen key needs the citizen's IDNr, other keys none", field="idnr")
    if (role is Role.ONLINE_SERVICE) != (requester_id is not None):
        raise InputError(
            "an online-service key needs its requester id, other keys none", field="requester_id"
        )
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    conn.execute(
        sa.insert(api_credentials).values(
            key_id=key_id,
            secret_sha256=_digest(secret),
            role=role.value,
            tenant=tenant,
            idnr=idnr,
            requester_id=requester_id,
            created_at=datetime.now(UTC),
        )
    )
    return IssuedKey(key_id, f"{KEY_PREFIX}_{key_id}_{secret}")


_UNKNOWN_DIGEST = _digest("no such key")


def authenticate_key(conn: sa.Connection, key: str) -> Principal | None:
    """The principal holding ``key``, or None for a malformed, unknown or revoked key."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    table = api_credentials
    row = (
        conn.execute(
            sa.select(table).where(table.c.key_id == key_id, table.c.revoked_at.is_(None))
        ).first()
        if prefix == KEY_PREFIX and secret
        else None
    )
    stored = row.secret_sha256 if row is not None else _UNKNOWN_DIGEST
    matches = hmac.compare_digest(_digest(secret), stored)
    if row is None or not matches:
        return None
    return Principal(row.key_id, Role(row.role), row.tenant, row.idnr, row.requester_id)


def revoke_api_key(conn: sa.Connection, key_id: str) -> None:
    """Revoke a key at once; later authentication with it fails."""
    result = conn.execute(
        sa.update(api_credentials)
        .where(api_credentials.c.key_id == key_id, api_credentials.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if result.rowcount == 0:
        raise NotFoundError(f"no active API key {key_id!r}")
