"""The run directory: Parquet tables plus documents, written atomically.

Everything is written into a hidden staging directory beside the target and renamed into place
only when complete (``regmod.reconcile.staging``), so a crash never leaves a result that looks
whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from regmod.errors import ConfigurationError
from regmod.ingest.spreadsheet import escape_text_columns
from regmod.reconcile.staging import refuse_staging, staging_directory

TABLES: tuple[str, ...] = (
    "records",
    "links",
    "review",
    "unmatched",
    "quarantine",
    "duplicates",
)
"""Parquet tables of a run directory, in the order the summary shows them."""


def write_run_directory(
    target: Path,
    tables: Mapping[str, pl.DataFrame],
    documents: Mapping[str, str],
    *,
    csv: bool = False,
) -> Path:
    """Write ``tables`` as ``<name>.parquet`` (and CSV when asked) and ``documents`` as text files
    into ``target``, atomically; ``target`` must not exist yet."""
    if target.exists():
        raise ConfigurationError(
            f"run directory {target} already exists; choose a new --out or remove it first"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with staging_directory(target) as staging:
        for name, frame in tables.items():
            write_table(staging, name, frame, csv=csv)
        for name, text in documents.items():
            (staging / name).write_text(text, encoding="utf-8")
    return target


def write_table(directory: Path, name: str, frame: pl.DataFrame, *, csv: bool = False) -> None:
    """Write one table reproducibly: same frame, same bytes (no timestamps, no statistics drift).

    The CSV copy escapes cells a spreadsheet would run as formulas; ingest restores them.
    """
    frame.write_parquet(directory / f"{name}.parquet", compression="zstd", statistics=False)
    if csv:
        flat = frame.with_columns(
            pl.col(column).list.join(" ")
            for column, dtype in frame.schema.items()
            if isinstance(dtype, pl.List)
        )
        escape_text_columns(flat).write_csv(directory / f"{name}.csv")


def read_table(run_dir: Path, name: str) -> pl.DataFrame:
    """Read one table of a run directory, with a clear error when it is not a run directory."""
    refuse_staging(run_dir)
    path = run_dir / f"{name}.parquet"
    if not path.is_file():
        raise ConfigurationError(
            f"{run_dir} is not a reconciliation run directory: {path.name} is missing"
        )
    return pl.read_parquet(path)
