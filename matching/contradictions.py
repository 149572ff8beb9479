"""Decisive negative evidence: comparisons whose level says two records are different entities.

A Fellegi–Sunter weight adds evidence as if comparisons were independent, so a pair that agrees
on family name, birth date and address outweighs a first name that disagrees — exactly the
twins' case. A comparison with ``contradicts_from`` vetoes an automatic match instead.
"""

from __future__ import annotations

import polars as pl

from matching.gamma import gamma_column
from matching.spec import LinkageSpec

CONTRADICTIONS = "contradictions"
"""Column naming, per pair, the comparisons that contradict, joined by ``", "`` (``""``: none).
Text, not a list: a list column costs more to build than the rest of scoring."""


def contradiction_expression(spec: LinkageSpec) -> pl.Expr:
    """The names of the comparisons whose level contradicts, per pair (``""`` for none)."""
    flags = [
        pl.when(pl.col(gamma_column(c.name)) >= c.contradicts_from).then(pl.lit(c.name))
        for c in spec.comparisons
        if c.contradicts_from is not None
    ]
    if not flags:
        return pl.lit("").alias(CONTRADICTIONS)
    return pl.concat_str(flags, separator=", ", ignore_nulls=True).alias(CONTRADICTIONS)


def contradicting(spec: LinkageSpec, levels: dict[str, int]) -> list[str]:
    """The comparisons of one pair's ``levels`` (comparison name → level) that contradict."""
    return [c.name for c in spec.comparisons if c.contradicts(levels.get(c.name, -1))]


DECISIVELY_EQUAL = "decisively_equal"
"""Column: no decisive comparison of the pair is below its first level (null counts as equal)."""


def decisively_equal_expression(spec: LinkageSpec) -> pl.Expr:
    """Per pair, whether every comparison with decisive levels agrees at its first level."""
    checks = [
        pl.col(gamma_column(c.name)) <= 0
        for c in spec.comparisons
        if c.contradicts_from is not None
    ]
    return pl.all_horizontal(checks or [pl.lit(True)]).alias(DECISIVELY_EQUAL)
