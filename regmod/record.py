"""The canonical person record: raw fields as read, normalised fields beside them.

Ingest maps a register's own headers onto ``RAW_FIELDS`` (every value text, ``<field>_raw``);
normalisation adds the columns of ``NORMALISED_SCHEMA``. Register-specific column names never
travel past ingest, and every derived value can be traced to the raw column it came from.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

RECORD_ID = "record_id"
SOURCE_REGISTER = "source_register"

RAW_FIELDS: tuple[str, ...] = (
    "idnr",
    "family_name",
    "birth_name",
    "first_names",
    "doctoral_degree",
    "sex",
    "birth_date",
    "birth_place",
    "nationality",
    "street",
    "house_number",
    "postcode",
    "city",
    "death_date",
    "information_block",
)
"""Canonical fields a column mapping can target; each arrives as text in ``<field>_raw``."""


def raw_column(field: str) -> str:
    """Name of the raw text column that holds ``field`` as read from the source."""
    return f"{field}_raw"


RAW_SCHEMA: dict[str, pl.DataType] = {
    RECORD_ID: pl.String(),
    SOURCE_REGISTER: pl.String(),
    **{raw_column(field): pl.String() for field in RAW_FIELDS},
}

NORMALISED_SCHEMA: dict[str, pl.DataType] = {
    "idnr": pl.String(),  # 11 digits, valid check digit, else null
    "family_name": pl.String(),  # NFC, cleaned, title removed, original spelling
    "family_name_search": pl.String(),  # DIN 91379 search form: A–Z, Ä=AE, Ç=C … ("MUELLER")
    "family_name_core": pl.String(),  # search form without particles (VON, VAN, DE …)
    "family_name_loose": pl.String(),  # core with AE/OE/UE as A/O/U: Muller meets Müller
    "family_name_parts": pl.List(pl.String()),  # parts of a double-barrelled name, search form
    "family_name_phonetic": pl.String(),  # Kölner Phonetik of family_name_core (no particles)
    "birth_name": pl.String(),
    "birth_name_search": pl.String(),
    "birth_name_phonetic": pl.String(),
    "first_names": pl.List(pl.String()),  # NFC, in register order; hyphenated names stay one
    "first_names_search": pl.List(pl.String()),
    "first_name_search": pl.String(),  # first of first_names_search
    "first_name_loose": pl.String(),  # first_name_search with AE/OE/UE as A/O/U
    "first_name_phonetic": pl.String(),
    "doctoral_degree": pl.String(),  # "Dr.", "Dr. h.c.", "Dr. e.h." or null, also from a name
    "generation": pl.String(),  # "jr" / "sr" from jun./Jr./sen./Sen. in a name field, else null
    "sex": pl.String(),  # m, w, d, x or null
    "birth_year": pl.Int16(),
    "birth_month": pl.Int8(),  # null when unknown (00.MM.YYYY keeps month, 00.00.YYYY not)
    "birth_day": pl.Int8(),
    "birth_date_placeholder": pl.Boolean(),  # 01.01.: possibly only the year is known
    "birth_place_search": pl.String(),
    "nationality": pl.String(),
    "street_search": pl.String(),  # compact search form, "Straße"/"Str."/"str." unified to "STR"
    "house_number": pl.Int32(),
    "house_number_suffix": pl.String(),  # "a" of "12a", "-14" of "12-14", "/1" of "12/1"
    "postcode": pl.String(),  # five digits with leading zeros, else null
    "city_search": pl.String(),
    "death_year": pl.Int16(),
    "death_month": pl.Int8(),
    "death_day": pl.Int8(),
    "information_block": pl.Boolean(),  # Auskunftssperre
    "name_damaged": pl.Boolean(),  # a '?' from a lossy encoding replaced a letter
}
"""Columns that normalisation adds beside the raw ones."""

CANONICAL_SCHEMA: dict[str, pl.DataType] = {**RAW_SCHEMA, **NORMALISED_SCHEMA}


class PartialDate(BaseModel):
    """A date of which day, or day and month, may be unknown (``00.MM.YYYY``, ``00.00.YYYY``)."""

    model_config = ConfigDict(frozen=True)

    year: int = Field(ge=1000, le=9999)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)

    def as_date(self) -> date | None:
        """The full date when day and month are known, else None (never 1 January)."""
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)
