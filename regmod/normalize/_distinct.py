"""Run costly work once per distinct value of a column, never once per row.

Register columns repeat a few thousand names, places and dates over millions of rows, so the
distinct values are transformed and the results spread back with ``replace_strict``.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def per_distinct(
    expr: pl.Expr, transform: Callable[[pl.Series], pl.Series], return_dtype: pl.DataType
) -> pl.Expr:
    """Apply ``transform`` to the distinct non-null values of ``expr``; nulls stay null."""

    def apply(values: pl.Series) -> pl.Series:
        distinct = values.drop_nulls().unique()
        if distinct.is_empty():
            return pl.Series(values.name, [None] * len(values), dtype=return_dtype)
        results = transform(distinct).cast(return_dtype)
        return values.replace_strict(distinct, results, default=None, return_dtype=return_dtype)

    return expr.map_batches(apply, return_dtype=return_dtype, is_elementwise=True)


def native_per_distinct(
    expr: pl.Expr, build: Callable[[pl.Expr], pl.Expr], return_dtype: pl.DataType
) -> pl.Expr:
    """Evaluate the Polars expression ``build(value)`` once per distinct value of ``expr``."""

    def transform(distinct: pl.Series) -> pl.Series:
        return distinct.to_frame("value").select(build(pl.col("value"))).to_series()

    return per_distinct(expr, transform, return_dtype)


def map_distinct(
    expr: pl.Expr, function: Callable[[str], object], return_dtype: pl.DataType
) -> pl.Expr:
    """Call the Python ``function`` once per distinct non-null string of ``expr``."""

    def transform(distinct: pl.Series) -> pl.Series:
        return pl.Series([function(value) for value in distinct.to_list()], dtype=return_dtype)

    return per_distinct(expr, transform, return_dtype)
