"""The string-similarity level: a similarity in [0, 1] at or above a threshold.

Jaro–Winkler, Levenshtein, Damerau–Levenshtein or Jaccard (of space-separated tokens, or of two
token lists). Batch runs the native kernels on dictionary codes (``matching.string_similarity``,
``matching.levels.edit_distance``); online runs the scalar rapidfuzz functions the kernels wrap,
so both give bit-identical similarities.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import Field
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler, Levenshtein

from matching.encoding import hashable
from matching.errors import SpecError
from matching.kernels import Metric, list_jaccard, similarity_expr
from matching.levels.base import Suffixes, register_level
from matching.levels.edit_distance import edit_distance_agrees
from matching.levels.paired import PairedLevel, expression_holds
from matching.query_pairs import CodedColumn, never

if TYPE_CHECKING:
    from matching.arrays import BoolArray, Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, Column, QueryPairs
    from matching.spec import Comparison

SimilarityMetric = Literal["jaro_winkler", "levenshtein", "damerau_levenshtein", "jaccard"]


@register_level
class SimilarityLevel(PairedLevel):
    """String similarity in [0, 1] at or above a threshold (Jaccard reads token lists)."""

    kind: Literal["similarity"] = "similarity"
    metric: SimilarityMetric
    threshold: float = Field(gt=0.0, le=1.0)
    cheap = False
    needs_codes = True

    def pair_holds(
        self, left_name: str, right_name: str, data: Gathered, positions: Positions
    ) -> BoolArray:
        """Encoded text by the kernels on codes; token lists (Jaccard) by the expression."""
        encoded = data.prepared.encoded
        if left_name not in encoded or right_name not in encoded:
            return expression_holds(self, (left_name, right_name), data, positions)
        if self.metric in ("levenshtein", "damerau_levenshtein"):
            return edit_distance_agrees(
                self.metric, self.threshold, (left_name, right_name), data, positions
            )
        similarity = data.similarity(left_name, right_name, self.metric, positions)
        agree: BoolArray = similarity >= self.threshold
        return agree

    def pair_expression(self, left_name: str, right_name: str, sides: Suffixes) -> pl.Expr:
        left, right = sides.pair(left_name, right_name)
        dtypes = {sides.schema[left_name], sides.schema[right_name]}
        if self._of_lists(dtypes):
            return list_jaccard(left, right) >= self.threshold
        self._check_text(left_name, right_name, dtypes)
        similarity = similarity_expr(left, right, self.metric, rows=0)
        return pl.when(left == right).then(1.0).otherwise(similarity) >= self.threshold

    def pair_candidate(self, left: str, right: str, pairs: QueryPairs) -> Candidate:
        value = pairs.query[left]
        if value is None:
            return never
        if self._of_lists({pairs.columns[left].dtype, pairs.columns[right].dtype}):
            return pairs.where(_jaccard_at_least(value, self.threshold), right)
        return _similar(self.metric, left, right, self.threshold, pairs)

    def check_query(self, comparison: Comparison, columns: Mapping[str, Column]) -> None:
        for left, right in self.column_pairs(comparison):
            dtypes = {columns[left].dtype, columns[right].dtype}
            if not self._of_lists(dtypes):
                self._check_text(left, right, dtypes)

    def label(self) -> str:
        return f"{self.metric} >= {self.threshold} {self.columns_label()}".strip()

    def _of_lists(self, dtypes: set[pl.DataType]) -> bool:
        return self.metric == "jaccard" and any(isinstance(dtype, pl.List) for dtype in dtypes)

    def _check_text(self, left: str, right: str, dtypes: set[pl.DataType]) -> None:
        if not dtypes <= {pl.String, pl.Null}:
            raise SpecError(
                f"{self.metric} needs String columns (jaccard also List); "
                f"{left!r} and {right!r} are {sorted(map(str, dtypes))}"
            )


def _similar(
    metric: SimilarityMetric, left: str, right: str, threshold: float, pairs: QueryPairs
) -> Candidate:
    """String similarity of the query's ``left`` and the candidate's ``right`` at or above
    ``threshold`` (equal strings: 1.0), each distinct pair scored once per query."""
    value = pairs.query[left]
    column = pairs.columns[right]
    if not isinstance(column, CodedColumn):
        return never
    gathered = pairs.gathered(right)
    known = pairs.scores.setdefault((metric, left, right), {})
    kernel, entries = _METRICS[metric], column.dictionary.values

    def test(i: int) -> bool:
        code = gathered[i]
        if code < 0:
            return False
        if code not in known:
            other = entries[code]
            known[code] = 1.0 if value == other else kernel(value, other)
        return known[code] >= threshold

    return test


def _jaccard_at_least(value: list[Any], threshold: float) -> Callable[[list[Any]], bool]:
    """Jaccard similarity of a list with ``value``, as sets, at or above ``threshold``."""
    return lambda other: _jaccard(value, other) >= threshold


def _jaccard(left: list[Any], right: list[Any]) -> float:
    """Jaccard similarity of two lists as sets; two empty lists: 0."""
    left_set = {hashable(item) for item in left}
    right_set = {hashable(item) for item in right}
    union = len(left_set | right_set)
    return len(left_set & right_set) / union if union else 0.0


def _token_jaccard(left: str, right: str) -> float:
    """Jaccard similarity of the space-separated tokens of two strings."""
    return _jaccard(left.split(" "), right.split(" "))


_METRICS: dict[Metric, Callable[[str, str], float]] = {
    "jaro_winkler": JaroWinkler.normalized_similarity,
    "levenshtein": Levenshtein.normalized_similarity,
    "damerau_levenshtein": DamerauLevenshtein.normalized_similarity,
    "jaccard": _token_jaccard,
}
