"""Spreadsheet formulas in text cells (CSV injection): escaped on export, restored on import.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``
(the OWASP advice). Cells that already begin with ``'`` before such a character get one more, so
``unescape_formula(escape_formula(x)) == x`` for every text.
"""

from __future__ import annotations

import re

import polars as pl

_FORMULA_START = r"[=+\-@\t\r]"
_ESCAPED = rf"^'*{_FORMULA_START}"
_RESTORED = rf"^'('*{_FORMULA_START})"


def escape_formula(value: pl.Expr) -> pl.Expr:
    """``value`` with a leading ``'`` where a spreadsheet would read a formula.

    >>> pl.select(escape_formula(pl.lit("=1+1"))).item()
    "'=1+1"
    """
    return pl.when(value.str.contains(_ESCAPED)).then(pl.lit("'") + value).otherwise(value)


def unescape_formula(value: pl.Expr) -> pl.Expr:
    """Undo ``escape_formula``: drop the one ``'`` it added, leave every other text alone."""
    return value.str.replace(_RESTORED, "$1")


def may_hold_escaped_cells(text: str) -> bool:
    """Whether ``text`` holds an escaped formula anywhere; a cheap test that spares the columns."""
    return re.search(f"'{_FORMULA_START}", text) is not None


def escape_text_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of ``frame`` escaped; other columns unchanged."""
    return frame.with_columns(
        escape_formula(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )
