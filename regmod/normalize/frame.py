"""The one entry point: add every column of ``NORMALISED_SCHEMA`` to a frame of raw records."""

from __future__ import annotations

from typing import overload

import polars as pl

from regmod.normalize.address import normalise_postcode, split_house_number, street_search_form
from regmod.normalize.dates import is_placeholder_date, parse_partial_date
from regmod.normalize.idnr import valid_idnr
from regmod.normalize.information_block import normalise_information_block
from regmod.normalize.names import (
    clean_birth_name,
    doctoral_degree,
    family_name_core,
    family_name_field,
    family_name_parts,
    first_names_list,
    name_field,
)
from regmod.normalize.phonetics import koelner_phonetik
from regmod.normalize.sex import normalise_sex
from regmod.normalize.text import (
    clean_text,
    has_lost_letter,
    loose_form,
    search_form,
    visible_text,
)
from regmod.record import NORMALISED_SCHEMA, raw_column

_FAMILY = "__normalise_family"
_FIRST = "__normalise_first"
_BIRTH = "__normalise_birth_date"
_DEATH = "__normalise_death_date"
_HOUSE = "__normalise_house_number"


def raw(schema: pl.Schema, field: str) -> pl.Expr:
    """The visible text of raw column ``field``, or a null string column when the frame lacks it.

    Control, escape and zero-width characters are removed here, before any normalisation; the
    raw column itself keeps them.
    """
    name = raw_column(field)
    if name in schema:
        return visible_text(pl.col(name).cast(pl.String))
    return pl.repeat(None, pl.len(), dtype=pl.String)  # a column, not a scalar literal


def _parsed(schema: pl.Schema) -> list[pl.Expr]:
    return [
        family_name_field(raw(schema, "family_name")).alias(_FAMILY),
        name_field(raw(schema, "first_names")).alias(_FIRST),
        parse_partial_date(raw(schema, "birth_date")).alias(_BIRTH),
        parse_partial_date(raw(schema, "death_date")).alias(_DEATH),
        split_house_number(raw(schema, "house_number")).alias(_HOUSE),
    ]


def _direct(schema: pl.Schema) -> list[pl.Expr]:
    family = pl.col(_FAMILY).struct
    first_names = first_names_list(pl.col(_FIRST).struct.field("name"))
    birth_name = pl.coalesce(
        clean_birth_name(raw(schema, "birth_name")), family.field("birth_name")
    )
    return [
        valid_idnr(raw(schema, "idnr")).alias("idnr"),
        family.field("name").alias("family_name"),
        search_form(family.field("name")).alias("family_name_search"),
        birth_name.alias("birth_name"),
        search_form(birth_name).alias("birth_name_search"),
        first_names.alias("first_names"),
        first_names.list.eval(search_form(pl.element())).alias("first_names_search"),
        pl.coalesce(
            doctoral_degree(raw(schema, "doctoral_degree")),
            family.field("doctoral_degree"),
            pl.col(_FIRST).struct.field("doctoral_degree"),
        ).alias("doctoral_degree"),
        pl.coalesce(family.field("generation"), pl.col(_FIRST).struct.field("generation")).alias(
            "generation"
        ),
        normalise_sex(raw(schema, "sex")).alias("sex"),
        pl.col(_BIRTH).struct.field("year").alias("birth_year"),
        pl.col(_BIRTH).struct.field("month").alias("birth_month"),
        pl.col(_BIRTH).struct.field("day").alias("birth_day"),
        is_placeholder_date(pl.col(_BIRTH)).alias("birth_date_placeholder"),
        search_form(raw(schema, "birth_place")).alias("birth_place_search"),
        clean_text(raw(schema, "nationality")).alias("nationality"),
        street_search_form(raw(schema, "street")).alias("street_search"),
        pl.col(_HOUSE).struct.field("number").alias("house_number"),
        pl.col(_HOUSE).struct.field("suffix").alias("house_number_suffix"),
        normalise_postcode(raw(schema, "postcode")).alias("postcode"),
        search_form(raw(schema, "city")).alias("city_search"),
        pl.col(_DEATH).struct.field("year").alias("death_year"),
        pl.col(_DEATH).struct.field("month").alias("death_month"),
        pl.col(_DEATH).struct.field("day").alias("death_day"),
        normalise_information_block(raw(schema, "information_block")).alias("information_block"),
        pl.any_horizontal(
            has_lost_letter(raw(schema, field))
            for field in ("family_name", "birth_name", "first_names")
        ).alias("name_damaged"),
    ]


def _derived() -> list[pl.Expr]:
    core = family_name_core(pl.col("family_name_search"))
    first_name = pl.col("first_names_search").list.first()
    return [
        core.alias("family_name_core"),
        family_name_parts(core).alias("family_name_parts"),
        loose_form(core).alias("family_name_loose"),
        koelner_phonetik(core).alias("family_name_phonetic"),
        koelner_phonetik(pl.col("birth_name_search")).alias("birth_name_phonetic"),
        first_name.alias("first_name_search"),
        loose_form(first_name).alias("first_name_loose"),
        koelner_phonetik(first_name).alias("first_name_phonetic"),
    ]


@overload
def normalise(frame: pl.DataFrame) -> pl.DataFrame: ...
@overload
def normalise(frame: pl.LazyFrame) -> pl.LazyFrame: ...
def normalise(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Add every ``NORMALISED_SCHEMA`` column with its dtype; raw columns, rows and order stay.

    Missing raw columns count as null. A DataFrame comes back as a DataFrame, a LazyFrame as a
    LazyFrame (nothing is computed until it is collected). A DataFrame is computed by the
    in-memory engine, which hands each per-distinct step the whole column at once.
    """
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    kept = [name for name in schema.names() if name not in NORMALISED_SCHEMA]
    normalised = (
        lazy.with_columns(_parsed(schema))
        .with_columns(_direct(schema))
        .with_columns(_derived())
        .select(
            *kept,
            *(pl.col(name).cast(dtype) for name, dtype in NORMALISED_SCHEMA.items()),
        )
    )
    return normalised.collect(engine="in-memory") if isinstance(frame, pl.DataFrame) else normalised
