"""Comparison levels of one query record against a few reference rows, in Python.

The levels equal ``compute_levels`` level for level (tests/matching/test_query_levels.py checks
that); each level kind supplies its test (``LevelKind.candidate``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from matching.gamma import NULL_LEVEL
from matching.query_pairs import Column, QueryPairs
from matching.spec import Comparison, LinkageSpec

Levels = npt.NDArray[np.int8]


def check_levels(spec: LinkageSpec, columns: Mapping[str, Column]) -> None:
    """Refuse level and column-type combinations that batch comparison refuses too."""
    for comparison in spec.comparisons:
        for level in comparison.agreement_levels:
            level.check_query(comparison, columns)


def query_levels(comparison: Comparison, pairs: QueryPairs) -> Levels:
    """The Int8 level of each candidate: -1 null, then the first agreeing level, else last."""
    levels = comparison.agreement_levels
    result = [len(levels) - 1] * pairs.size
    pending = list(range(pairs.size))
    null_level = comparison.null_level
    if null_level is not None:
        is_null = null_level.candidate(comparison, pairs)
        pending = []
        for i in range(pairs.size):
            if is_null(i):
                result[i] = NULL_LEVEL
            else:
                pending.append(i)
    # The last level is else: what no earlier level caught stays there.
    for index, level in enumerate(levels[:-1]):
        if not pending:
            break
        agrees = level.candidate(comparison, pairs)
        undecided = []
        for i in pending:
            if agrees(i):
                result[i] = index
            else:
                undecided.append(i)
        pending = undecided
    return np.array(result, dtype=np.int8)
