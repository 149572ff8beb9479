"""Addresses: postcode with leading zeros, a street search form, house number and suffix."""

from __future__ import annotations

import polars as pl

from regmod.normalize._distinct import native_per_distinct
from regmod.normalize.text import (
    as_python_pattern,
    fold_letters,
    fold_letters_value,
    strip_value,
)

HOUSE_NUMBER = pl.Struct({"number": pl.Int32(), "suffix": pl.String()})

_COUNTRY_PREFIX = r"(?i)^de?\s*-?\s*"
_SPACE = r"\s"
_FIVE_DIGITS = r"^[0-9]{5}$"
_STRASSE = r"STRA(?:SS|S)E\b"
_PLATZ = r"PLATZ\b"
_NOT_IN_KEY = r"[^A-Z0-9?]"
_LEADING_NUMBER = r"^([0-9]{1,9})"
_AFTER_NUMBER = r"^[0-9]{1,9}(.*)$"
_COUNTRY_PREFIX_VALUE, _SPACE_VALUE, _FIVE_DIGITS_VALUE = map(
    as_python_pattern, (_COUNTRY_PREFIX, _SPACE, _FIVE_DIGITS)
)
_STRASSE_VALUE, _PLATZ_VALUE, _NOT_IN_KEY_VALUE = map(
    as_python_pattern, (_STRASSE, _PLATZ, _NOT_IN_KEY)
)
_LEADING_NUMBER_VALUE, _AFTER_NUMBER_VALUE = map(
    as_python_pattern, (_LEADING_NUMBER, _AFTER_NUMBER)
)


def _postcode_digits(expr: pl.Expr) -> pl.Expr:
    """The postcode without a country prefix (``D-``, ``DE ``) and without inner spaces."""
    return expr.str.strip_chars().str.replace(_COUNTRY_PREFIX, "").str.replace_all(_SPACE, "")


def normalise_postcode(expr: pl.Expr) -> pl.Expr:
    """Five digits as text (``D-01067`` → ``01067``); anything else, also ``1067``, is null.

    Four digits are ambiguous (a lost leading zero or a foreign postcode), so they are not
    guessed.
    """
    digits = _postcode_digits(expr)
    return pl.when(digits.str.contains(_FIVE_DIGITS)).then(digits)


def postcode_value(text: str | None) -> str | None:
    """``normalise_postcode`` of one value."""
    if text is None:
        return None
    digits = _SPACE_VALUE.sub("", _COUNTRY_PREFIX_VALUE.sub("", strip_value(text), count=1))
    return digits if _FIVE_DIGITS_VALUE.search(digits) else None


def postcode_problem(expr: pl.Expr) -> pl.Expr:
    """Why a non-blank postcode was not used, else null."""
    digits = _postcode_digits(expr)
    return (
        pl.when(digits.str.contains(r"^[0-9]{4}$"))
        .then(pl.lit("four digits are ambiguous (lost leading zero or foreign)"))
        .when(~digits.str.contains(_FIVE_DIGITS) & (digits != ""))
        .then(pl.lit("not five digits"))
    )


def street_search_form(expr: pl.Expr) -> pl.Expr:
    """Compact street key: search-form letters and digits; Straße/Strasse/Str. → STR, Platz/Pl. → PL.

    ``"Konrad-Adenauer-Straße"`` and ``"Konrad Adenauer Str."`` both become
    ``"KONRADADENAUERSTR"``.
    """
    return native_per_distinct(expr, _street_key, pl.String())


def _street_key(expr: pl.Expr) -> pl.Expr:
    key = (
        fold_letters(expr)
        .str.replace_all(_STRASSE, "STR")
        .str.replace_all(_PLATZ, "PL")
        .str.replace_all(_NOT_IN_KEY, "")
    )
    return pl.when(key != "").then(key)


def street_key_value(text: str | None) -> str | None:
    """``street_search_form`` of one value."""
    if text is None:
        return None
    key = _PLATZ_VALUE.sub("PL", _STRASSE_VALUE.sub("STR", fold_letters_value(text)))
    return _NOT_IN_KEY_VALUE.sub("", key) or None


def split_house_number(expr: pl.Expr) -> pl.Expr:
    """Struct{number, suffix}: ``12a`` and ``12 a`` → (12, "a"), ``12-14`` → (12, "-14"), ``12/1`` → (12, "/1").

    Null struct when the text does not start with a number.
    """
    return native_per_distinct(expr, _house_number, HOUSE_NUMBER)


def _house_number(expr: pl.Expr) -> pl.Expr:
    text = expr.str.strip_chars()
    number = text.str.extract(_LEADING_NUMBER, 1).cast(pl.Int32)
    suffix = text.str.extract(_AFTER_NUMBER, 1).str.replace_all(_SPACE, "").str.to_lowercase()
    return (
        pl.when(number.is_not_null())
        .then(
            pl.struct(
                number.alias("number"),
                pl.when(suffix != "").then(suffix).alias("suffix"),
            )
        )
        .otherwise(pl.lit(None, dtype=HOUSE_NUMBER))
    )


def house_number_value(text: str | None) -> dict[str, int | str | None] | None:
    """``split_house_number`` of one value."""
    if text is None:
        return None
    stripped = strip_value(text)
    number = _LEADING_NUMBER_VALUE.search(stripped)
    if number is None:
        return None
    after = _AFTER_NUMBER_VALUE.search(stripped)
    suffix = None if after is None else _SPACE_VALUE.sub("", after.group(1)).lower()
    return {"number": int(number.group(1)), "suffix": suffix or None}
