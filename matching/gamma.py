"""The level columns of compared pairs: their names, their dtype and the null level."""

from __future__ import annotations

import polars as pl

NULL_LEVEL = -1
"""Level of a pair with nothing to compare (weight 0)."""
GAMMA_DTYPE = pl.Int8


def gamma_column(name: str) -> str:
    """Name of the level column of comparison ``name``."""
    return f"gamma_{name}"


def tf_column(name: str) -> str:
    """Name of the column holding the frequency of the agreeing value (exact level only)."""
    return f"tf_{name}"
