"""Assembles the ``regmod`` command and turns user mistakes into one-line errors, not tracebacks."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from matching.errors import MatchingError
from regmod import __version__
from regmod.cli import reconcile as reconcile_commands
from regmod.cli.audit import audit_app
from regmod.cli.db import db_app, load
from regmod.cli.mapping import mapping_app
from regmod.cli.runs import runs_app
from regmod.cli.serve import serve
from regmod.errors import RegmodError

app = typer.Typer(
    name="regmod",
    help="Link register records to the IDNr, serve once-only evidence, keep a verifiable audit log.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(mapping_app, name="mapping")
app.add_typer(runs_app, name="runs")
app.command("load")(load)
app.command("serve")(serve)


@app.callback()
def root() -> None:
    """regmod: registry-modernisation data matching for German public administration."""


@app.command()
def version() -> None:
    """Print the software version."""
    typer.echo(__version__)


reconcile_commands.register(app)


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except (RegmodError, MatchingError) as error:
        first_line = str(error).splitlines()[0]
        err_console.print(
            f"[bold red]error:[/] {escape(first_line)}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
