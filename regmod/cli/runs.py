"""``regmod runs …``: housekeeping of the run directories."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regmod.reconcile.staging import remove_stale_under
from regmod.settings import get_settings

runs_app = typer.Typer(help="Housekeeping of reconciliation run directories.", no_args_is_help=True)


@runs_app.command("clean")
def clean_command(
    runs_dir: Annotated[
        Path | None, typer.Option(help="Folder of the runs (default: REGMOD_RUNS_DIR).")
    ] = None,
) -> None:
    """Remove the staging directories that killed runs left behind; running ones are kept."""
    root = runs_dir or get_settings().runs_dir
    cleanup = remove_stale_under(root)
    for path in cleanup.removed:
        typer.echo(f"removed {path}")
    for path in cleanup.in_use:
        typer.echo(f"kept {path}: its run is still writing")
    typer.echo(f"{len(cleanup.removed)} removed, {len(cleanup.in_use)} in use under {root}")
