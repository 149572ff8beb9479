"""``regmod mapping init``: write the column mapping recognised in a file as TOML to check and edit;
and the table of what was recognised, which ``regmod reconcile --dry-run`` prints too."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from regmod.errors import ConfigurationError
from regmod.ingest import EXTRA_COLUMNS, ColumnMapping, IngestResult
from regmod.ingest.headers import missing_targets, recognised_mapping
from regmod.ingest.inputs import top_reasons
from regmod.ingest.readers import read_table
from regmod.record import RAW_FIELDS

console = Console()
err_console = Console(stderr=True)
mapping_app = typer.Typer(help="Column mappings: write the recognised mapping of a file as TOML.")


@mapping_app.command("init")
def mapping_init(
    file: Annotated[Path, typer.Argument(help="Register extract or reference to recognise.")],
    out: Annotated[
        Path | None, typer.Option(help="Where to write the TOML (default: print it).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Encoding of the file (default: detect).")
    ] = None,
) -> None:
    """Recognise the headers of FILE and write the mapping as TOML for --mapping.

    A mapping that still lacks a record id or identifying fields is written too, with a warning:
    it is a start to edit.
    """
    headers = read_table(file, encoding=encoding).headers
    mapping = recognised_mapping(headers)
    missing = missing_targets(mapping)
    text = mapping.to_toml(comment=mapping_comment(file, mapping, mapping.unmapped(headers)))
    if out is None:
        typer.echo(text, nl=False)
    elif out.exists():
        raise ConfigurationError(f"{out} already exists; choose another --out or remove it")
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(f"cannot write {out}: {error.strerror}") from None
        console.print(
            f"mapping of {file} written to {out}: check it, then pass --mapping {out}",
            markup=False,
        )
    if missing:
        err_console.print(
            f"warning: no header of {file} was recognised as {', '.join(missing)}; "
            "add it under [columns] (or as record_id) before use",
            markup=False,
            soft_wrap=True,
        )


def mapping_comment(file: Path, mapping: ColumnMapping, unmapped: tuple[str, ...]) -> str:
    """The lines above a written mapping: where it came from and what it leaves out."""
    mapped = set(mapping.columns.values())
    absent = [field for field in RAW_FIELDS if field not in mapped]
    return "\n".join(
        [
            f"Column mapping recognised in {file}; check and edit, then pass it as --mapping.",
            "Keys under [columns] are the file's headers, values canonical fields.",
            f"Fields not found in the file: {', '.join(absent) or 'none'}.",
            f"Headers carried through unmapped (in {EXTRA_COLUMNS}): "
            f"{', '.join(unmapped) or 'none'}.",
        ]
    )


def print_recognition(role: str, result: IngestResult) -> None:
    """Which header feeds which field, what is carried through, and the counts read."""
    mapping = result.column_mapping
    table = Table(title=Text(f"{role}: {result.file} ({result.format}, {result.encoding})"))
    table.add_column("header")
    table.add_column("field")
    if mapping.record_id is not None:
        table.add_row(Text(mapping.record_id), "record id")
    for header, field in mapping.columns.items():
        table.add_row(Text(header), field)
    for header in result.unmapped:
        table.add_row(Text(header), f"(carried through in {EXTRA_COLUMNS})")
    console.print(table)
    console.print(
        f"mapping {mapping.name}; rows in {result.rows_in:,}: accepted {result.accepted.height:,}, "
        f"quarantined {result.quarantine.height:,}; rows sharing an IDNr "
        f"{result.shared_idnr.height:,}; UTF-8 lines in an 8-bit file {result.utf8_lines:,}",
        soft_wrap=True,
        markup=False,
    )
    for reason, rows in top_reasons(result):
        console.print(f"  quarantined {rows:,}: {reason}", soft_wrap=True, markup=False)
