"""Ed25519 keys that sign checkpoints of the audit chain's head."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from regmod.errors import ConfigurationError


def key_id(public_key_hex: str) -> str:
    """A short fingerprint of a public key (16 hex digits of its SHA-256)."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


@dataclass(frozen=True)
class Verifier:
    """Checks checkpoint signatures against one trusted public key."""

    public_key_hex: str

    @classmethod
    def from_hex(cls, public_key_hex: str) -> Verifier:
        """A verifier for a 32-byte public key written as 64 hex digits."""
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        except ValueError as error:
            raise ConfigurationError(
                f"audit public key {public_key_hex[:16]!r}… is not an Ed25519 public key; "
                "expected 64 hex digits (see `regmod audit keygen`)"
            ) from error
        return cls(public_key_hex.lower())

    @property
    def key_id(self) -> str:
        return key_id(self.public_key_hex)

    def verify(self, message: bytes, signature_hex: str) -> bool:
        """True when ``signature_hex`` is this key's signature of ``message``."""
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key_hex))
        try:
            public.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """Signs checkpoints with an Ed25519 private key."""

    private_key: Ed25519PrivateKey

    @classmethod
    def from_hex(cls, private_key_hex: str) -> Signer:
        """A signer from the 32-byte private key written as 64 hex digits (``REGMOD_AUDIT_SIGNING_KEY``)."""
        try:
            return cls(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_key_hex)))
        except ValueError as error:
            raise ConfigurationError(
                "REGMOD_AUDIT_SIGNING_KEY is not an Ed25519 private key; expected 64 hex digits "
                "(create one with `regmod audit keygen`)"
            ) from error

    @classmethod
    def generate(cls) -> Signer:
        """A fresh random key (for tests and ``regmod audit keygen``)."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def private_key_hex(self) -> str:
        raw = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return raw.hex()

    @property
    def verifier(self) -> Verifier:
        """The verifier holding this key's public half."""
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(raw.hex())

    def sign(self, message: bytes) -> str:
        """The signature of ``message`` as 128 hex digits."""
        return self.private_key.sign(message).hex()
