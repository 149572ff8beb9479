"""Read the register and the reference of one run, with the guards a register office relies on.

The reference must carry an IDNr column; a register that looks like a reference (an IDNr on every
row) given with a reference that has none means the two were swapped. An input whose every row is
quarantined is refused with the reasons, before any linkage stage runs.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from regmod.errors import InputError
from regmod.ingest.mapping import ColumnMapping
from regmod.ingest.read import IngestResult, read_register

TOP_REASONS = 3
"""How many quarantine reasons the refusal of a fully quarantined input names."""


def read_inputs(
    register: Path,
    reference: Path,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    reference_mapping: ColumnMapping | str | Path | None = None,
    encoding: str | None = None,
) -> tuple[IngestResult, IngestResult]:
    """Both inputs read and checked: roles not swapped, each with rows left to link."""
    register_in = read_register(register, mapping=mapping, encoding=encoding)
    reference_in = read_register(reference, mapping=reference_mapping, reference=True)
    check_roles(register_in, reference_in)
    require_accepted(register_in)
    require_accepted(reference_in)
    return register_in, reference_in


def check_roles(register: IngestResult, reference: IngestResult) -> None:
    """Refuse a reference without an IDNr column, saying so when the inputs look swapped."""
    if "idnr" in reference.column_mapping.columns.values():
        return
    if _looks_like_reference(register):
        raise InputError(
            f"the reference has no IDNr column but the register {register.file} has a valid "
            "IDNr on every row: register and reference look swapped (the register comes first)",
            file=reference.file,
            row=1,
        )
    raise InputError(
        f"the reference has no IDNr column (headers {list(reference.column_mapping.columns)}); "
        "the IDNr reference data needs one, e.g. IdNr or Identifikationsnummer",
        file=reference.file,
        row=1,
    )


def _looks_like_reference(result: IngestResult) -> bool:
    has_idnr = "idnr" in result.column_mapping.columns.values()
    accepted = result.accepted
    return has_idnr and accepted.height > 0 and accepted["idnr"].null_count() == 0


def require_accepted(result: IngestResult) -> None:
    """Refuse an input whose rows are all quarantined, naming the file and the main reasons."""
    if result.accepted.height > 0:
        return
    named = ", ".join(f"{reason!r} ({rows} rows)" for reason, rows in top_reasons(result))
    raise InputError(
        f"all {result.rows_in} rows are quarantined, none is left to link; most common: {named}",
        file=result.file,
    )


def top_reasons(result: IngestResult, count: int = TOP_REASONS) -> list[tuple[str, int]]:
    """The most common quarantine reasons of ``result`` with their row counts, most first."""
    reasons = (
        result.quarantine.select(pl.col("reason").str.split("; ").explode())
        .group_by("reason")
        .len()
        .sort(["len", "reason"], descending=[True, False])
        .head(count)
    )
    return [(str(reason), int(rows)) for reason, rows in reasons.iter_rows()]
