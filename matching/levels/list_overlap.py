"""The list-overlap level: two lists share an element, or start with the same element."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from matching.arrays import BoolArray, Codes
from matching.encoding import hashable
from matching.levels.base import Suffixes, register_level
from matching.levels.paired import PairedLevel, expression_holds
from matching.query_pairs import never

if TYPE_CHECKING:
    from matching.arrays import Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, QueryPairs


@register_level
class ListOverlapLevel(PairedLevel):
    """Two lists share any element (``any``) or start with the same element (``first``)."""

    kind: Literal["list_overlap"] = "list_overlap"
    mode: Literal["any", "first"] = "any"
    cheap = False

    def pair_holds(
        self, left_name: str, right_name: str, data: Gathered, positions: Positions
    ) -> BoolArray:
        """``any``: tested exactly only where the lists' 64-bit signatures (one bit per element
        hash) overlap; a pair without a common bit shares no element, which settles nearly all
        random pairs without touching the lists."""
        if self.mode != "any":
            return expression_holds(self, (left_name, right_name), data, positions)
        (left, _), (right, _) = (
            data.per_record(side, f"signature {name}", partial(_signatures, name), positions)
            for side, name in (("l", left_name), ("r", right_name))
        )
        result = np.zeros(len(positions), dtype=bool)
        maybe = np.flatnonzero(left & right)
        if len(maybe):
            result[maybe] = expression_holds(self, (left_name, right_name), data, positions[maybe])
        return result

    def pair_expression(self, left_name: str, right_name: str, sides: Suffixes) -> pl.Expr:
        left, right = sides.pair(left_name, right_name)
        if self.mode == "first":
            return left.list.first() == right.list.first()
        return left.list.set_intersection(right).list.len() > 0

    def pair_candidate(self, left: str, right: str, pairs: QueryPairs) -> Candidate:
        value = pairs.query[left]
        if value is None:
            return never
        overlap = _first_agrees if self.mode == "first" else _shares_any
        return pairs.where(overlap(value), right)

    def label(self) -> str:
        return f"list overlap ({self.mode}) {self.columns_label()}".strip()


def _signatures(name: str, frame: pl.DataFrame) -> Codes:
    """Per record, one bit per element of list column ``name`` (bit = element hash mod 64),
    ORed; 0 for an empty or null list."""
    lists = frame[name]
    sizes = lists.list.len().fill_null(0).to_numpy()
    elements = lists.explode(empty_as_null=False, keep_nulls=False)
    bits = np.left_shift(np.uint64(1), elements.hash(seed=0).to_numpy() % np.uint64(64))
    starts = np.zeros(len(sizes), dtype=np.int64)
    starts[1:] = np.cumsum(sizes)[:-1]
    # A trailing 0 keeps every start in range; an empty list's slot is overwritten below.
    signatures = np.bitwise_or.reduceat(np.append(bits, np.uint64(0)), starts)
    signatures[sizes == 0] = 0
    return signatures, np.zeros(len(signatures), dtype=bool)


def _first_agrees(value: list[Any]) -> Callable[[list[Any]], bool]:
    """Both lists start with the same non-null element."""
    first = hashable(value[0]) if value else None
    return lambda other: first is not None and bool(other) and hashable(other[0]) == first


def _shares_any(value: list[Any]) -> Callable[[list[Any]], bool]:
    """The lists share an element (a null in both counts, as in Polars set intersection)."""
    items = {hashable(item) for item in value}
    return lambda other: not items.isdisjoint(map(hashable, other))
