"""What verification trusts, from the settings: the public key, the cadence and the witness.

The CLI and the API build their expectations here, so both give the same verdict.
"""

from __future__ import annotations

from pathlib import Path

from regmod.audit.cadence import Cadence
from regmod.audit.signing import Signer, Verifier
from regmod.audit.verify import Expectations
from regmod.audit.witness import FileWitness
from regmod.settings import Settings


def trusted_verifier(settings: Settings, public_key: str | None = None) -> Verifier | None:
    """The verifier for ``public_key``, else REGMOD_AUDIT_PUBLIC_KEY, else the signing key's."""
    if public_key or settings.audit_public_key:
        return Verifier.from_hex(public_key or settings.audit_public_key or "")
    if settings.audit_signing_key:
        return Signer.from_hex(settings.audit_signing_key).verifier
    return None


def expectations(
    settings: Settings, *, public_key: str | None = None, witness: Path | None = None
) -> Expectations:
    """The trusted key, the configured cadence and the witness file (``witness`` or the setting)."""
    path = witness or settings.audit_witness
    return Expectations(
        verifier=trusted_verifier(settings, public_key),
        cadence=Cadence(settings.audit_checkpoint_every, settings.audit_checkpoint_minutes),
        witness=FileWitness(path).read() if path else None,
    )
