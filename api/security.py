"""API-key authentication: the key from ``Authorization: Bearer`` or ``X-API-Key``, checked by hash.

The store keeps only SHA-256 of each key's secret and compares in constant time
(``regmod.store.access.authenticate_key``); this module only finds the key in the request.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.security import APIKeyHeader, HTTPBearer

from api.problems import ProblemError, ProblemKind

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
