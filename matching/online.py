"""An in-memory index of a reference frame that answers one query record with scored candidates.

At construction each blocking rule's key is hashed for every reference row and the row indices are
sorted by hash, so a query finds a rule's block by binary search. The candidates of all rules are
checked for real key equality, then compared in one ``select`` of the level expressions
(``matching.comparisons.level_expressions``, the same levels as batch comparison) and scored by
batch scoring (``matching.scoring.score``), so a query and a batch run give the same weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.comparisons import gamma_column, level_expressions, tf_column
from matching.errors import MatchingError, SpecError
from matching.explain import explain_row
from matching.model import TrainedModel
from matching.scoring import score
from matching.spec import BlockingRule, comparison_columns, key_expression

_HASH_SEED = 20_240_917
_U32 = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class QueryResult:
    """The best candidates of one query, strongest first, and how they were scored.

    ``candidates`` holds ``idx_r`` (row in the reference), the record id, the level, Bayes-factor
    and weight columns of batch scoring, and ``margin``: the weight minus the best other
    candidate's weight (for the top candidate its lead over the runner-up; null when alone).
    """

    candidates: pl.DataFrame
    n_candidates: int
    model: TrainedModel

    @property
    def margin(self) -> float | None:
        """Lead of the top candidate over the runner-up (None without two candidates)."""
        if self.candidates.height == 0:
            return None
        value = self.candidates["margin"][0]
        return None if value is None else float(value)

    def explanation(self, rank: int = 0) -> pl.DataFrame:
        """Waterfall of the candidate at ``rank`` (0: the best): prior, then each comparison."""
        if not 0 <= rank < self.candidates.height:
            raise MatchingError(f"rank {rank} outside 0..{self.candidates.height - 1}")
        return explain_row(self.candidates.row(rank, named=True), self.model)


@dataclass(frozen=True)
class _RuleIndex:
    """Reference row indices sorted by the hash of one blocking rule's key."""

    hashes: npt.NDArray[np.uint64]
    rows: _U32

    def block(self, key_hash: int) -> _U32:
        needle = np.uint64(key_hash)
        start = int(np.searchsorted(self.hashes, needle, side="left"))
        end = int(np.searchsorted(self.hashes, needle, side="right"))
        return self.rows[start:end]


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
        self._query_schema = self.reference.drop(spec.record_id).schema
        compared = sorted(set().union(*(comparison_columns(c) for c in spec.comparisons)))
        self._compared_right = self.reference.select(compared).rename(
            {name: f"{name}_r" for name in compared}
        )
        self._compared = compared
        self._levels = level_expressions(spec, self._query_schema)
        self._frequencies = {
            name: dict(zip(table["value"].to_list(), table["frequency"].to_list(), strict=True))
            for name, table in model.tf_tables().items()
        }
        self._rules = list(spec.blocking)
        self._key_columns = [*_key_expressions(self._rules), *_key_hashes(self._rules)]
        keys = self.reference.select(self._key_columns)
        self._reference_keys = keys.select(pl.exclude("^rule_.*_hash$"))
        self._indexes = [
            _build_rule_index(keys[_rule_hash_name(index)]) for index in range(len(self._rules))
        ]

    def __len__(self) -> int:
        return self.reference.height

    def query(self, record: Mapping[str, Any] | pl.DataFrame, *, top_k: int = 5) -> QueryResult:
        """Score the reference rows sharing a blocking key with ``record``; keep the ``top_k`` best.

        ``record`` is one record as a mapping or a one-row frame; columns it lacks count as null.
        """
        if top_k < 1:
            raise MatchingError(f"top_k must be at least 1, got {top_k}")
        query = self._query_frame(record)
        rows = self._candidate_rows(query)
        candidates = self.reference[rows]
        scored = score(self._levels_of(query, rows), self.model)
        record_id = self.model.spec.record_id
        ranked = (
            scored.drop("idx_l")
            .with_columns(pl.Series("idx_r", rows, pl.UInt32), candidates[record_id])
            .select("idx_r", record_id, pl.exclude("idx_r", record_id))
            .sort(["match_weight", "idx_r"], descending=[True, False])
        )
        return QueryResult(
            candidates=_with_margin(ranked).head(top_k), n_candidates=rows.size, model=self.model
        )

    def _levels_of(self, query: pl.DataFrame, rows: _U32) -> pl.DataFrame:
        """Level and term-frequency columns of the query against reference ``rows``, one select."""
        left = query.select(pl.col(name).alias(f"{name}_l") for name in self._compared)
        pairs = self._compared_right[rows].join(left, how="cross")
        values = query.row(0, named=True)
        frequencies = []
        for comparison in self.model.spec.comparisons:
            table = self._frequencies.get(comparison.name)
            if table is None or comparison.tf_column is None:
                continue
            frequency = table.get(values[comparison.tf_column])
            frequencies.append(
                pl.when(pl.col(gamma_column(comparison.name)) == comparison.tf_level_index)
                .then(pl.lit(frequency, dtype=pl.Float64))
                .alias(tf_column(comparison.name))
            )
        return pairs.select(
            pl.lit(0, dtype=pl.UInt32).alias("idx_l"),
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("idx_r"),
            *self._levels,
        ).with_columns(frequencies)

    def _query_frame(self, record: Mapping[str, Any] | pl.DataFrame) -> pl.DataFrame:
        """The query as one row in the reference's schema; absent columns are null."""
        frame = record if isinstance(record, pl.DataFrame) else pl.DataFrame([dict(record)])
        if frame.height != 1:
            raise MatchingError(f"a query is one record, got {frame.height} rows")
        try:
            return frame.select(
                pl.col(name).cast(dtype)
                if name in frame.columns
                else pl.lit(None, dtype).alias(name)
                for name, dtype in self._query_schema.items()
            )
        except pl.exceptions.InvalidOperationError as error:
            raise MatchingError(
                f"query values do not fit the reference column types {dict(self._query_schema)}: {error}"
            ) from error

    def _candidate_rows(self, query: pl.DataFrame) -> _U32:
        """Sorted reference rows agreeing with the query on every key of at least one rule."""
        query_keys = query.select(self._key_columns).row(0, named=True)
        blocks = [
            index.block(key_hash)
            for number, index in enumerate(self._indexes)
            if (key_hash := query_keys[_rule_hash_name(number)]) is not None
        ]
        rows = np.unique(np.concatenate(blocks)) if blocks else np.empty(0, dtype=np.uint32)
        if not rows.size:
            return rows
        agrees = self._reference_keys[rows].select(
            pl.any_horizontal(
                pl.all_horizontal(
                    pl.col(name) == pl.lit(query_keys[name])
                    for name in _rule_key_names(index, rule)
                )
                for index, rule in enumerate(self._rules)
            ).fill_null(False)
        )
        kept: _U32 = rows[agrees.to_series().to_numpy()]
        return kept


def _read_columns(model: TrainedModel) -> set[str]:
    """Every reference column the comparisons and blocking keys read."""
    columns: set[str] = set()
    for comparison in model.spec.comparisons:
        columns |= comparison_columns(comparison)
    for rule in model.spec.blocking:
        columns |= rule.columns()
    return columns


def _rule_key_names(index: int, rule: BlockingRule) -> list[str]:
    """Column names of rule ``index``'s keys, unique across rules that share a key text."""
    return [f"rule_{index}_key_{position}" for position in range(len(rule.keys))]


def _rule_hash_name(index: int) -> str:
    """Column name of rule ``index``'s key hash."""
    return f"rule_{index}_hash"


def _key_expressions(rules: list[BlockingRule]) -> list[pl.Expr]:
    """Every key of every rule as its own column ``rule_<i>_key_<j>``."""
    return [
        key_expression(key).alias(name)
        for index, rule in enumerate(rules)
        for key, name in zip(rule.keys, _rule_key_names(index, rule), strict=True)
    ]


def _key_hashes(rules: list[BlockingRule]) -> list[pl.Expr]:
    """Per rule, the hash of its key tuple, or null when any key is null (nulls never block)."""
    expressions = []
    for index, rule in enumerate(rules):
        keys = [
            key_expression(key).alias(name)
            for key, name in zip(rule.keys, _rule_key_names(index, rule), strict=True)
        ]
        complete = pl.all_horizontal(key.is_not_null() for key in keys)
        hashed = pl.struct(keys).hash(_HASH_SEED)
        expressions.append(pl.when(complete).then(hashed).alias(_rule_hash_name(index)))
    return expressions


def _build_rule_index(hashes: pl.Series) -> _RuleIndex:
    """Sort the non-null key hashes of one rule, keeping each one's reference row."""
    rows = np.flatnonzero(hashes.is_not_null().to_numpy()).astype(np.uint32)
    values = hashes.drop_nulls().to_numpy()
    order = np.argsort(values, kind="stable")
    return _RuleIndex(hashes=values[order], rows=rows[order])


def _with_margin(ranked: pl.DataFrame) -> pl.DataFrame:
    """Weight minus the best other candidate's weight: the runner-up for the top, else the top."""
    weight = pl.col("match_weight")
    best_other = (
        pl.when(pl.int_range(pl.len()) == 0)
        .then(weight.shift(-1).first())
        .otherwise(weight.first())
    )
    return ranked.with_columns((weight - best_other).alias("margin"))
