"""``regmod serve``: run the once-only HTTP API with uvicorn (the app is loaded by import string)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

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
    if model is not None:
        os.environ["REGMOD_API_MODEL"] = str(model)  # read by the app factory in each worker
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=log_level,
    )
