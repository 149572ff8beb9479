"""One settings object for the CLI, the store and the API (environment prefix ``REGMOD_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``REGMOD_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="REGMOD_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///regmod.sqlite",
        description="SQLAlchemy URL of the store; SQLite file by default, PostgreSQL in production.",
    )
    runs_dir: Path = Field(
        default=Path("runs"), description="Where reconciliation runs are written."
    )
    audit_signing_key: str | None = Field(
        default=None,
        description="Ed25519 private key (hex, 32 bytes) that signs audit checkpoints.",
    )
    audit_public_key: str | None = Field(
        default=None,
        description="Ed25519 public key (hex) that verifies checkpoints where the private key is absent.",
    )
    audit_checkpoint_every: int = Field(
        default=1000,
        ge=0,
        description="Write a signed checkpoint of the chain head every N entries (0: never by count).",
    )
    audit_checkpoint_minutes: float = Field(
        default=60.0,
        ge=0,
        description="Checkpoint the head once its oldest uncovered entry is this old (0: never by "
        "age); run `regmod audit checkpoint` on a shorter timer so idle tenants are covered too.",
    )
    audit_witness: Path | None = Field(
        default=None,
        description="Append-only JSON-lines file outside the database that receives every "
        "checkpoint; `regmod audit verify` compares the chain against it.",
    )
    api_max_request_bytes: int = Field(
        default=50 * 1024 * 1024, description="Largest request body the API accepts."
    )
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
    api_warm_indexes: bool = Field(
        default=True,
        description="Build every tenant's online index when the server starts (/readyz waits "
        "for it), so that no request pays for the build.",
    )
    host: str = "127.0.0.1"
    port: int = 8000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
