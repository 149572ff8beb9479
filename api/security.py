"""API-key authentication: the key from ``Authorization: Bearer`` or ``X-API-Key``, checked by hash.

The store keeps only SHA-256 of each key's secret and compares in constant time
(``regmod.store.access.authenticate_key``); this module finds the key in the request and
remembers, for a few seconds, whom a key the store accepted belongs to.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from fastapi import Request
from fastapi.security import APIKeyHeader, HTTPBearer

from api.problems import ProblemError, ProblemKind
from regmod.store.access import Principal

bearer_scheme = HTTPBearer(auto_error=False, description="API key as a bearer token")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="regmod"'}


def presented_key(request: Request) -> str:
    """The API key the client sent, or a 401 problem when there is none or it is malformed."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise ProblemError(
                ProblemKind.UNAUTHENTICATED,
                "the Authorization header must read 'Bearer <API key>'",
                headers=CHALLENGE,
            )
        return credentials.strip()
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    raise ProblemError(
        ProblemKind.UNAUTHENTICATED,
        "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
        headers=CHALLENGE,
    )


def unknown_key() -> ProblemError:
    """The 401 problem for a key that is unknown, revoked or wrong (one answer for all three)."""
    return ProblemError(ProblemKind.UNAUTHENTICATED, "the API key is not valid", headers=CHALLENGE)


PRINCIPAL_TTL_SECONDS = 2.0
"""How long a process trusts a key the store accepted: a revoked key works at most this long."""


class PrincipalCache:
    """The principals of keys the store accepted recently, by SHA-256 of the key.

    Every request presents a key, and looking it up in the store cost about a third of an
    evidence request; refused keys are not remembered, so they are checked every time.
    """

    def __init__(
        self,
        ttl_seconds: float = PRINCIPAL_TTL_SECONDS,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_keys = max_keys
        self.clock = clock
        self._entries: dict[bytes, tuple[float, Principal]] = {}

    def get(self, key: str) -> Principal | None:
        """The principal of ``key`` when the store accepted it less than the TTL ago."""
        entry = self._entries.get(_fingerprint(key))
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def put(self, key: str, principal: Principal) -> None:
        """Remember that the store accepted ``key`` for ``principal`` just now."""
        if self.ttl_seconds <= 0:
            return
        if len(self._entries) >= self.max_keys:
            self._entries.clear()  # many distinct keys at once: start over rather than grow
        self._entries[_fingerprint(key)] = (self.clock() + self.ttl_seconds, principal)


def _fingerprint(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()
