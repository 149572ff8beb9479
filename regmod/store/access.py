"""Who may ask what: requesters, their entitlements, and API keys stored only as hashes.

A key reads ``rmk_<key id>_<secret>``; the store keeps the key id and SHA-256 of the secret
(the secret is 256 random bits, so a slow hash adds nothing), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection
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


Grant = tuple[int, str, str, str, str]
"""An entitlement as ``(requester_id, tenant, evidence_type, legal_basis, purpose)``."""

_GRANTS = sa.select(
    entitlements.c.requester_id,
    entitlements.c.tenant,
    entitlements.c.evidence_type,
    entitlements.c.legal_basis,
    entitlements.c.purpose,
).where(entitlements.c.requester_id.in_(sa.bindparam("ids", expanding=True)))


def grants_of(conn: sa.Connection, requester_ids: Collection[int]) -> set[Grant]:
    """Every entitlement of ``requester_ids``, in one query (a batch of requests checks many)."""
    rows = conn.execute(_GRANTS, {"ids": sorted(requester_ids)})
    return {(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows}


def is_entitled(
    conn: sa.Connection,
    requester_id: int,
    tenant: str,
    evidence_type: str,
    legal_basis: str,
    purpose: str,
) -> bool:
    """True when exactly this combination was granted."""
    grant = (requester_id, tenant, evidence_type, legal_basis, purpose)
    return grant in grants_of(conn, [requester_id])


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
_ACTIVE_KEY = sa.select(api_credentials).where(
    api_credentials.c.key_id == sa.bindparam("key_id"), api_credentials.c.revoked_at.is_(None)
)


def authenticate_key(conn: sa.Connection, key: str) -> Principal | None:
    """The principal holding ``key``, or None for a malformed, unknown or revoked key."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    row = (
        conn.execute(_ACTIVE_KEY, {"key_id": key_id}).first()
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
