"""An in-memory index of a reference frame that answers one query record with scored candidates.

A query costs a few NumPy operations and a Python loop over distinct candidate values rather
than a chain of Polars operations, each with a fixed overhead: blocking keys are found by
binary search over hashed key codes (``matching.block_index``), levels come from reference
columns held as arrays (``matching.query_levels``), and weights from tables that batch scoring
filled (``matching.query_weights``). Levels and weights equal those of batch comparison and
scoring bit for bit; the ``top_k`` best come back as dicts, a frame only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from matching.block_index import BlockIndex
from matching.errors import MatchingError, SpecError
from matching.explain import explain_row, waterfall_steps
from matching.model import TrainedModel
from matching.query_levels import check_levels, query_levels
from matching.query_pairs import QueryPairs, reference_columns
from matching.query_weights import QueryWeights
from matching.spec import comparison_columns

_INTEGER_RANGES = {
    dtype: (int(np.iinfo(dtype.lower()).min), int(np.iinfo(dtype.lower()).max))
    for dtype in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64")
}


@dataclass(frozen=True)
class QueryResult:
    """The best candidates of one query, strongest first, and how they were scored.

    Each candidate holds ``idx_r`` (row in the reference), the record id, the level, Bayes-factor
    and weight columns of batch scoring, and ``margin``: the weight minus the best other
    candidate's weight (for the top candidate its lead over the runner-up; null when alone).
    ``rows`` has them as dicts; ``candidates`` as a frame, built on first use.
    """

    rows: list[dict[str, Any]]
    schema: pl.Schema
    n_candidates: int
    model: TrainedModel

    @cached_property
    def candidates(self) -> pl.DataFrame:
        """The candidates as a frame of ``schema``."""
        return pl.DataFrame(self.rows, self.schema)

    @property
    def margin(self) -> float | None:
        """Lead of the top candidate over the runner-up (None without two candidates)."""
        if not self.rows:
            return None
        value = self.rows[0]["margin"]
        return None if value is None else float(value)

    def explanation(self, rank: int = 0) -> pl.DataFrame:
        """Waterfall of the candidate at ``rank`` (0: the best): prior, then each comparison."""
        return explain_row(self._row(rank), self.model)

    def steps(self, rank: int = 0) -> list[dict[str, object]]:
        """``explanation(rank)`` as step dicts, without building a frame."""
        return waterfall_steps(self._row(rank), self.model)

    def _row(self, rank: int) -> dict[str, Any]:
        if not 0 <= rank < len(self.rows):
            raise MatchingError(f"rank {rank} outside 0..{len(self.rows) - 1}")
        return self.rows[rank]


class OnlineIndex:
    """Answer single query records against ``reference`` with the spec and parameters of ``model``.

    >>> index = OnlineIndex(reference, model)  # doctest: +SKIP
    >>> result = index.query({"surname": "Meyer", "first_name": "Anna", ...}, top_k=3)  # doctest: +SKIP
    >>> result.candidates["match_weight"], result.margin, result.explanation(0)  # doctest: +SKIP
    """

    def __init__(self, reference: pl.DataFrame, model: TrainedModel) -> None:
        spec = model.spec
        self.model = model
        needed = sorted(_read_columns(model) | {spec.record_id})
        missing = [name for name in needed if name not in reference.columns]
        if missing:
            raise SpecError(
                f"the reference frame lacks columns {missing} that the spec reads; "
                f"it has {reference.columns}"
            )
        self.reference = reference.select(needed)
        self._record_ids = self.reference[spec.record_id]
        self._record_id_list = self._record_ids.to_list()  # a few lookups: no Series gather
        self._schema = self.reference.drop(spec.record_id).schema
        self._fits = {name: _fit_check(dtype) for name, dtype in self._schema.items()}
        compared = sorted(set().union(*(comparison_columns(c) for c in spec.comparisons)))
        self._columns = reference_columns(self.reference.select(compared))
        check_levels(spec, self._columns)
        self._blocks = BlockIndex(self.reference, list(spec.blocking))
        self._weights = QueryWeights(model)
        self._schema_out = pl.Schema(
            {
                "idx_r": pl.UInt32(),
                spec.record_id: self._record_ids.dtype,
                **self._weights.schema(),
                "match_weight": pl.Float64(),
                "match_probability": pl.Float64(),
                "margin": pl.Float64(),
            }
        )

    def __len__(self) -> int:
        return self.reference.height

    def query(self, record: Mapping[str, Any] | pl.DataFrame, *, top_k: int = 5) -> QueryResult:
        """Score the reference rows sharing a blocking key with ``record``; keep the ``top_k`` best.

        ``record`` is one record as a mapping or a one-row frame; columns it lacks count as null.
        """
        if top_k < 1:
            raise MatchingError(f"top_k must be at least 1, got {top_k}")
        values = self._query_values(record)
        rows = self._blocks.rows(values, self._schema)
        pairs = QueryPairs(values, self._columns, rows)
        levels = {c.name: query_levels(c, pairs) for c in self.model.spec.comparisons}
        scored = self._weights.score(levels, values)
        ranked = np.lexsort((rows, -scored.weight))
        order = ranked[:top_k]
        weights = scored.weight[order].tolist()
        margins: list[float | None] = [weight - weights[0] for weight in weights]
        if margins:
            runner_up = float(scored.weight[ranked[1]]) if ranked.size > 1 else None
            margins[0] = None if runner_up is None else weights[0] - runner_up
        best = rows[order].tolist()
        columns = [
            best,
            [self._record_id_list[row] for row in best],
            *scored.columns(order),
            weights,
            [_probability(weight) for weight in weights],
            margins,
        ]
        names = list(self._schema_out)
        found = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        return QueryResult(found, self._schema_out, n_candidates=int(rows.size), model=self.model)

    def _query_values(self, record: Mapping[str, Any] | pl.DataFrame) -> dict[str, Any]:
        """The query's value of every column the spec reads, as the reference types hold it."""
        if isinstance(record, pl.DataFrame):
            if record.height != 1:
                raise MatchingError(f"a query is one record, got {record.height} rows")
            # columns and dtypes, not ``record.schema``: building a Schema costs more than the
            # rest of this lookup
            dtypes = dict(zip(record.columns, record.dtypes, strict=True))
            present = [name for name in self._schema if name in dtypes]
            if all(dtypes[name] == self._schema[name] for name in present):
                row = record.row(0, named=True)
                return {name: row.get(name) for name in self._schema}
            return self._cast(record)
        values = {name: record.get(name) for name in self._schema}
        if all(fits(values[name]) for name, fits in self._fits.items()):
            return values
        return self._cast(pl.DataFrame([dict(record)]))

    def _cast(self, frame: pl.DataFrame) -> dict[str, Any]:
        """Cast a one-row frame to the reference's schema; absent columns are null."""
        try:
            cast = frame.select(
                pl.col(name).cast(dtype)
                if name in frame.columns
                else pl.lit(None, dtype).alias(name)
                for name, dtype in self._schema.items()
            )
        except pl.exceptions.InvalidOperationError as error:
            raise MatchingError(
                f"query values do not fit the reference column types {dict(self._schema)}: {error}"
            ) from error
        return cast.row(0, named=True)


def _probability(weight: float) -> float:
    """``matching.scoring.match_probability`` of one weight (2^1024 overflows to 0 as there)."""
    return 0.0 if weight <= -1024.0 else 1.0 / (1.0 + 2.0 ** (-weight))


def _fit_check(dtype: pl.DataType) -> Callable[[Any], bool]:
    """A test that a value is already what a column of ``dtype`` holds (no cast needed)."""
    if dtype == pl.String:
        return lambda value: value is None or type(value) is str
    if dtype == pl.Float64:
        return lambda value: value is None or type(value) is float
    if dtype == pl.Boolean:
        return lambda value: value is None or type(value) is bool
    if str(dtype) in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[str(dtype)]
        return lambda value: value is None or (type(value) is int and low <= value <= high)
    if dtype == pl.List(pl.String):
        return lambda value: (
            value is None
            or (type(value) is list and all(item is None or type(item) is str for item in value))
        )
    return lambda value: value is None


def _read_columns(model: TrainedModel) -> set[str]:
    """Every reference column the comparisons and blocking keys read."""
    columns: set[str] = set()
    for comparison in model.spec.comparisons:
        columns |= comparison_columns(comparison)
    for rule in model.spec.blocking:
        columns |= rule.columns()
    return columns
