"""Sex codes of the registers: ``m``, ``w`` (weiblich), ``d`` (divers), ``x`` (no entry)."""

from __future__ import annotations

import unicodedata

import polars as pl

from regmod.normalize.text import strip_value

SEX_CODES: dict[str, str] = {
    "m": "m",
    "männlich": "m",
    "maennlich": "m",
    "male": "m",
    "w": "w",
    "weiblich": "w",
    "f": "w",
    "female": "w",
    "d": "d",
    "divers": "d",
    "diverse": "d",
    "x": "x",
    "ohne angabe": "x",
    "keine angabe": "x",
}
"""Accepted spellings (lower case) and their register code; English ``f`` is ``w``."""


def _spelling(expr: pl.Expr) -> pl.Expr:
    cleaned = expr.str.normalize("NFC").str.strip_chars().str.to_lowercase()
    return pl.when(cleaned != "").then(cleaned)


def normalise_sex(expr: pl.Expr) -> pl.Expr:
    """Register code ``m``/``w``/``d``/``x``; blank and unknown spellings become null."""
    return _spelling(expr).replace_strict(SEX_CODES, default=None, return_dtype=pl.String)


def sex_value(text: str | None) -> str | None:
    """``normalise_sex`` of one value."""
    if text is None:
        return None
    return SEX_CODES.get(strip_value(unicodedata.normalize("NFC", text)).lower())


def is_unknown_sex(expr: pl.Expr) -> pl.Expr:
    """True where a non-blank value is no accepted spelling."""
    spelling = _spelling(expr)
    return spelling.is_not_null() & ~spelling.is_in(list(SEX_CODES))
