"""Settings of the HTTP service: the shared ``Settings`` plus the few only the API reads."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from regmod.settings import Settings


class ApiSettings(Settings):
    """``REGMOD_*`` settings plus the API's own (``REGMOD_API_MODEL``, ``REGMOD_API_PREVIEW_SECRET``)."""

    api_model: Path | None = Field(
        default=None,
        description="Trained model (model.json) for /v1/match and subjects by attributes; "
        "default: the newest model.json under runs_dir.",
    )
    api_preview_secret: str | None = Field(
        default=None,
        description="Secret that keys preview tokens; without it tokens hold per process only.",
    )
    api_index_ttl_seconds: float = Field(
        default=5.0,
        description="How long a tenant's online index is trusted before its persons are recounted.",
    )
