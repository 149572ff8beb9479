"""The information block flag (Auskunftssperre) from the spellings registers use."""

from __future__ import annotations

import polars as pl

from regmod.normalize.text import strip_value

BLOCK_VALUES: dict[str, bool] = {
    **dict.fromkeys(("ja", "j", "yes", "y", "1", "true", "wahr", "x"), True),
    **dict.fromkeys(("nein", "n", "no", "0", "false", "falsch"), False),
}
"""Accepted spellings (lower case); a cross ``X`` in a column means blocked."""


def _spelling(expr: pl.Expr) -> pl.Expr:
    cleaned = expr.str.strip_chars().str.to_lowercase()
    return pl.when(cleaned != "").then(cleaned)


def normalise_information_block(expr: pl.Expr) -> pl.Expr:
    """True when blocked; blank is False; an unknown spelling is True so nothing leaks."""
    spelling = _spelling(expr)
    return (
        pl.when(spelling.is_null())
        .then(False)
        .otherwise(spelling.replace_strict(BLOCK_VALUES, default=True, return_dtype=pl.Boolean))
    )


def information_block_value(text: str | None) -> bool:
    """``normalise_information_block`` of one value."""
    spelling = "" if text is None else strip_value(text).lower()
    return spelling != "" and BLOCK_VALUES.get(spelling, True)


def is_unknown_block_value(expr: pl.Expr) -> pl.Expr:
    """True where a non-blank value is no accepted spelling."""
    spelling = _spelling(expr)
    return spelling.is_not_null() & ~spelling.is_in(list(BLOCK_VALUES))
