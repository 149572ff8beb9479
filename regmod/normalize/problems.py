"""Per row, the raw values that normalisation could not use, for ingest's quarantine.

``problems(frame)`` is a ``list[str]`` expression; each reason reads ``"<field>: <what>"`` with
the canonical field name first, so a caller can decide per field which reasons quarantine a row:

- ``family_name: empty`` — no family name left after titles and ``geb.`` are taken out
- ``birth_date: impossible date '31.02.1980'`` / ``birth_date: unreadable date 'abc'`` (also
  ``death_date``)
- ``idnr: check digit wrong``, ``idnr: wrong length …``, ``idnr: leading zero``, ``idnr: not
  only digits``, ``idnr: digit repetition rule broken …``
- ``sex: unknown code 'q'``, ``postcode: not five digits 'AB12'``, ``postcode: four digits are
  ambiguous … '1067'``, ``house_number: no number 'o. Nr.'``,
  ``information_block: unknown value 'vielleicht' (treated as blocked)``

Blank or missing values are no problem except the family name. An empty list means the row is
clean.

>>> frame.with_columns(problems(frame))  # doctest: +SKIP
"""

from __future__ import annotations

import polars as pl

from regmod.normalize.address import postcode_problem, split_house_number
from regmod.normalize.dates import is_readable_date, parse_partial_date
from regmod.normalize.frame import raw
from regmod.normalize.idnr import idnr_problems
from regmod.normalize.information_block import is_unknown_block_value
from regmod.normalize.names import family_name_field
from regmod.normalize.sex import is_unknown_sex


def _quoted(value: pl.Expr) -> pl.Expr:
    return pl.lit(" '") + value + pl.lit("'")


def _reason(field: str, what: pl.Expr | str) -> pl.Expr:
    return pl.lit(f"{field}: ") + (pl.lit(what) if isinstance(what, str) else what)


def _is_blank(value: pl.Expr) -> pl.Expr:
    return value.is_null() | (value.str.strip_chars() == "")


def _date_problem(field: str, value: pl.Expr) -> pl.Expr:
    return (
        pl.when(_is_blank(value))
        .then(None)
        .when(~is_readable_date(value))
        .then(_reason(field, pl.lit("unreadable date") + _quoted(value)))
        .when(parse_partial_date(value).is_null())
        .then(_reason(field, pl.lit("impossible date") + _quoted(value)))
    )


def problems(frame: pl.DataFrame | pl.LazyFrame) -> pl.Expr:
    """Column ``problems``: one reason per raw value of the row that could not be used."""
    schema = frame.collect_schema()
    family_name = raw(schema, "family_name")
    postcode = raw(schema, "postcode")
    house_number = raw(schema, "house_number")
    block = raw(schema, "information_block")
    sex = raw(schema, "sex")
    idnr_reason = idnr_problems(raw(schema, "idnr"))
    reasons = [
        pl.when(family_name_field(family_name).struct.field("name").is_null()).then(
            _reason("family_name", "empty")
        ),
        _date_problem("birth_date", raw(schema, "birth_date")),
        _date_problem("death_date", raw(schema, "death_date")),
        pl.when(idnr_reason.is_not_null()).then(_reason("idnr", idnr_reason)),
        pl.when(is_unknown_sex(sex)).then(_reason("sex", pl.lit("unknown code") + _quoted(sex))),
        pl.when(postcode_problem(postcode).is_not_null()).then(
            _reason("postcode", postcode_problem(postcode) + _quoted(postcode))
        ),
        pl.when(~_is_blank(house_number) & split_house_number(house_number).is_null()).then(
            _reason("house_number", pl.lit("no number") + _quoted(house_number))
        ),
        pl.when(is_unknown_block_value(block)).then(
            _reason(
                "information_block",
                pl.lit("unknown value") + _quoted(block) + pl.lit(" (treated as blocked)"),
            )
        ),
    ]
    return pl.concat_list(reasons).list.drop_nulls().alias("problems")
