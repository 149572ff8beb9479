"""Native string-similarity kernels, each returning a similarity in [0, 1].

polars-ds runs the string metrics in Rust over whole columns; it measured faster than rapidfuzz's
``process.cpdist`` with the list conversion that needs (figures in benchmarks/README.md), so it
is the kernel here.
"""

from __future__ import annotations

from typing import Literal

import polars as pl
import polars_ds as pds

Metric = Literal[
    "jaro_winkler", "levenshtein", "damerau_levenshtein", "optimal_string_alignment", "jaccard"
]

PARALLEL_FROM_ROWS = 50_000
"""Below this many rows the threads cost more than they save."""


def similarity_expr(left: pl.Expr, right: pl.Expr, metric: Metric, *, rows: int) -> pl.Expr:
    """Similarity of two string expressions, null where either is null; Jaccard compares the sets
    of space-separated tokens.

    >>> pl.select(similarity_expr(pl.lit("martha"), pl.lit("marhta"), "jaro_winkler", rows=1)).item()
    0.9611111111111111
    """
    parallel = rows >= PARALLEL_FROM_ROWS
    both_present = left.is_not_null() & right.is_not_null()
    # The polars-ds kernels panic on null input, so they only ever see non-null strings.
    left, right = left.fill_null(""), right.fill_null("")
    kernel: pl.Expr
    if metric == "jaro_winkler":
        kernel = pds.str_jw(left, right, parallel=parallel)
    elif metric == "levenshtein":
        kernel = pds.str_leven(left, right, parallel=parallel, return_sim=True)
    elif metric == "damerau_levenshtein":
        kernel = pds.str_d_leven(left, right, parallel=parallel, return_sim=True)
    elif metric == "optimal_string_alignment":
        kernel = pds.str_osa(left, right, parallel=parallel, return_sim=True)
    else:
        kernel = list_jaccard(left.str.split(" "), right.str.split(" "))
    return pl.when(both_present).then(kernel)


def list_jaccard(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """Jaccard similarity of two list expressions taken as sets (two empty lists: 0)."""
    shared = left.list.set_intersection(right).list.len()
    union = left.list.set_union(right).list.len()
    return pl.when(union > 0).then(shared / union).otherwise(0.0)
