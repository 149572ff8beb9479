"""Preview tokens: proof that a confirmation comes from whoever received the preview, and in time.

The state (who asked, for whom, what) stays in the preview's transfer row; the token only binds
tenant, request id and expiry with an HMAC, so it needs no table of its own.

>>> signer = PreviewSigner(b"k" * 32)
>>> token = signer.issue("05315000", "req-1", expires_at=2_000_000_000)
>>> signer.check(token, "05315000", "req-1", now=1_900_000_000)
True
>>> signer.check(token, "05315000", "req-2", now=1_900_000_000)
False
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREVIEW_KEY_LABEL = b"regmod evidence preview token v1"


def derive_preview_key(secret: str | None) -> bytes:
    """A key for preview tokens from a server secret (domain-separated), random when absent.

    Without a configured secret the key lives only in this process: previews then confirm only
    against the same server process.
    """
    if not secret:
        return secrets.token_bytes(32)
    return hmac.new(secret.encode(), PREVIEW_KEY_LABEL, hashlib.sha256).digest()


class PreviewSigner:
    """Issues and checks preview tokens of the form ``<expires_unix>.<hmac hex>``."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, tenant: str, request_id: str, expires_at: int) -> str:
        message = f"{tenant}\x1f{request_id}\x1f{expires_at}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def issue(self, tenant: str, request_id: str, *, expires_at: int) -> str:
        """A token for ``request_id`` of ``tenant`` valid until ``expires_at`` (Unix seconds)."""
        return f"{expires_at}.{self._mac(tenant, request_id, expires_at)}"

    def check(self, token: str, tenant: str, request_id: str, *, now: float) -> bool:
        """True when ``token`` was issued for this request and has not expired."""
        expires_text, _, mac = token.partition(".")
        if not expires_text.isdigit() or len(expires_text) > 12:
            return False
        expires_at = int(expires_text)
        expected = self._mac(tenant, request_id, expires_at)
        return hmac.compare_digest(expected, mac) and now <= expires_at
