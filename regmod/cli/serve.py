"""``regmod serve``: run the once-only HTTP API with uvicorn (the app is loaded by import string)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from regmod.errors import ConfigurationError
from regmod.evidence.online import newest_model
from regmod.settings import get_settings

APP_FACTORY = "api.main:create_app"
"""Loaded by name so that ``regmod`` never imports the ``api`` package itself."""


def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default: REGMOD_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: REGMOD_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    model: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="model.json for online matching."),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the API (evidence requests, matching, cockpit, review, audit) until interrupted."""
    import uvicorn  # imported here so other commands start fast

    settings = get_settings()
    if workers > 1 and not settings.api_preview_secret:
        # Each worker would key preview tokens with its own random secret and refuse the
        # confirms of previews another worker issued.
        raise ConfigurationError(
            f"--workers {workers} needs a shared REGMOD_API_PREVIEW_SECRET for previews"
        )
    model = model or settings.api_model or newest_model(settings.runs_dir)
    if model is None:
        typer.echo(
            f"no model.json under {settings.runs_dir} and none given: /v1/match and subjects "
            "by attributes answer 503 (set --model or REGMOD_API_MODEL)"
        )
    else:
        # Resolved once here and read by the app factory in each worker, so all serve one model.
        os.environ["REGMOD_API_MODEL"] = str(model.resolve())
        typer.echo(f"online matching with model {model.resolve()}")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=log_level,
    )
