"""Reference persons (IDNr base data) and register records: canonical frames in, rows out.

Display values (street, city, birth place, house number) are kept as read (the ``_raw`` column);
names in their normalised original spelling; search forms beside them for lookups.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import polars as pl
import sqlalchemy as sa

from regmod.errors import InputError
from regmod.record import RECORD_ID, SOURCE_REGISTER, raw_column
from regmod.store.bulk import upsert
from regmod.store.schema import persons, register_records

_NORMALISED_AS_IS = (
    "family_name",
    "family_name_search",
    "family_name_phonetic",
    "birth_name",
    "birth_name_search",
    "first_name_search",
    "first_name_phonetic",
    "doctoral_degree",
    "nationality",
    "street_search",
    "postcode",
    "city_search",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "death_year",
    "death_month",
    "death_day",
)
_AS_READ = ("birth_place", "street", "house_number", "city")


def _column(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None)


def person_columns(frame: pl.DataFrame) -> list[pl.Expr]:
    """Expressions that turn a canonical frame into the stored person columns."""
    first_names = (
        pl.col("first_names").list.join(" ")
        if "first_names" in frame.columns
        else pl.lit(None, pl.String)
    )
    block = _column(frame, "information_block").cast(pl.Boolean).fill_null(False)
    return [
        *(_column(frame, name).alias(name) for name in _NORMALISED_AS_IS),
        *(_column(frame, raw_column(name)).alias(name) for name in _AS_READ),
        first_names.alias("first_names"),
        block.alias("information_block"),
    ]


def upsert_persons(conn: sa.Connection, tenant: str, frame: pl.DataFrame) -> int:
    """Insert or update the reference persons of a canonical frame; returns the rows written.

    Every row needs a valid IDNr (normalised column ``idnr``); the last row wins for a repeated one.
    """
    missing = frame.filter(pl.col("idnr").is_null()) if "idnr" in frame.columns else frame
    if missing.height:
        first = missing.get_column(RECORD_ID)[0] if RECORD_ID in frame.columns else "?"
        raise InputError(
            f"{missing.height} reference rows have no valid IDNr (first: record {first}); "
            "a reference person needs an 11-digit IDNr with a correct check digit",
            field="idnr",
        )
    rows = (
        frame.select(pl.lit(tenant).alias("tenant"), pl.col("idnr"), *person_columns(frame))
        .unique(subset="idnr", keep="last", maintain_order=True)
        .to_dicts()
    )
    return upsert(conn, persons, rows, ("tenant", "idnr"))


def upsert_register_records(
    conn: sa.Connection, tenant: str, frame: pl.DataFrame, run_id: str | None = None
) -> int:
    """Insert or update register records (``record_id`` unique per tenant); returns rows written."""
    rows = frame.select(
        pl.lit(tenant).alias("tenant"),
        pl.col(RECORD_ID).cast(pl.String),
        _column(frame, SOURCE_REGISTER).fill_null("").alias(SOURCE_REGISTER),
        _column(frame, "idnr").alias("idnr"),
        *person_columns(frame),
        pl.lit(run_id, pl.String).alias("run_id"),
    ).to_dicts()
    return upsert(conn, register_records, rows, ("tenant", RECORD_ID))


def find_person(conn: sa.Connection, tenant: str, idnr: str) -> dict[str, Any] | None:
    """The stored reference person with ``idnr`` (columns of table ``persons``), or None."""
    return find_persons(conn, tenant, [idnr]).get(idnr)


_PERSONS = sa.select(persons).where(
    persons.c.tenant == sa.bindparam("tenant"),
    persons.c.idnr.in_(sa.bindparam("idnrs", expanding=True)),
)


def find_persons(
    conn: sa.Connection, tenant: str, idnrs: Collection[str]
) -> dict[str, dict[str, Any]]:
    """The stored reference persons of ``tenant`` among ``idnrs``, by IDNr, in one query."""
    rows = conn.execute(_PERSONS, {"tenant": tenant, "idnrs": sorted(idnrs)}).mappings()
    return {str(row["idnr"]): dict(row) for row in rows}


def find_record(conn: sa.Connection, tenant: str, record_id: str) -> dict[str, Any] | None:
    """The stored register record ``record_id`` (columns of ``register_records``), or None."""
    table = register_records
    query = sa.select(table).where(table.c.tenant == tenant, table.c.record_id == record_id)
    row = conn.execute(query).mappings().first()
    return None if row is None else dict(row)
