"""Blocking: candidate pairs by equi-joins on blocking keys, and their counts before any join.

Rule k keeps only the pairs that no earlier rule finds (the earlier keys are evaluated on the
pair), so pairs are never de-duplicated by a global ``unique()``. Null keys never match.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict

from matching.errors import BlockingExplosionError, SpecError
from matching.spec import BlockingRule, LinkageSpec, key_expression

INDEX_DTYPE = pl.UInt32
_INDEX_SPAN = 2**32


class RuleCount(BaseModel):
    """Pair counts of one blocking rule: all it finds, and those no earlier rule finds."""

    model_config = ConfigDict(frozen=True)

    rule: int
    keys: list[str]
    pairs: int
    new_pairs: int


class BlockingReport(BaseModel):
    """Pair counts per rule and in total, computed from key group sizes without joining."""

    model_config = ConfigDict(frozen=True)

    rules: list[RuleCount]
    total_pairs: int

    def to_frame(self) -> pl.DataFrame:
        """The report as a table, one row per rule."""
        return pl.DataFrame(
            [
                {
                    "rule": r.rule,
                    "keys": ", ".join(r.keys),
                    "pairs": r.pairs,
                    "new_pairs": r.new_pairs,
                }
                for r in self.rules
            ],
            schema={"rule": pl.Int64, "keys": pl.String, "pairs": pl.Int64, "new_pairs": pl.Int64},
        )


def key_frame(frame: pl.DataFrame, rules: Sequence[BlockingRule]) -> pl.DataFrame:
    """The distinct key expressions of ``rules`` evaluated on ``frame``, one column per key."""
    try:
        return frame.select(
            key_expression(key).alias(name) for key, name in _key_columns(rules).items()
        )
    except pl.exceptions.ColumnNotFoundError as error:
        raise SpecError(f"a blocking key reads a missing column: {error}") from error


def analyse_blocking(
    left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec
) -> BlockingReport:
    """Count the pairs each rule would produce, from key group sizes (sum of n_l·n_r per key).

    ``new_pairs`` (pairs no earlier rule finds) follows by inclusion–exclusion over the earlier
    rules: a pair found by two rules agrees on the union of their keys.
    """
    left_keys = key_frame(left, spec.blocking)
    right_keys = None if right is None else key_frame(right, spec.blocking)
    names = _rule_key_names(spec.blocking)
    counts: list[RuleCount] = []
    for index, rule in enumerate(spec.blocking):
        pairs = _count_agreeing(left_keys, right_keys, names[index])
        new_pairs = pairs
        for size in range(1, index + 1):
            for earlier in combinations(range(index), size):
                union = sorted(set(names[index]).union(*(names[e] for e in earlier)))
                new_pairs += (-1) ** size * _count_agreeing(left_keys, right_keys, union)
        counts.append(RuleCount(rule=index, keys=list(rule.keys), pairs=pairs, new_pairs=new_pairs))
    return BlockingReport(rules=counts, total_pairs=sum(c.new_pairs for c in counts))


def _guard(ids: RuleIds, left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec) -> None:
    """Raise ``BlockingExplosionError`` when blocking would exceed ``spec.max_pairs``.

    Upper bounds first: for links, per rule the largest key group of ``left`` times the keyed
    rows of ``right`` (one group-by of one frame per rule); then the sum of the rules' own counts
    (group-bys of both frames and a join per rule); only when both exceed the limit is the exact
    report computed.
    """
    dedupe = right is None
    rules = [rule_column(index) for index in range(len(spec.blocking))]
    if not dedupe and _largest_group_bound(ids, rules) <= spec.max_pairs:
        return
    bound = sum(_count_agreeing(ids.left, None if dedupe else ids.right, [rule]) for rule in rules)
    if bound > spec.max_pairs:
        check_pair_limit(analyse_blocking(left, right, spec), spec.max_pairs)


def _largest_group_bound(ids: RuleIds, rules: list[str]) -> int:
    """The pairs of ``rules`` at most: per rule, its largest key group on the left times the
    keyed right rows, summed.

    A group is bounded by its bin when the ids are hashed into about as many bins as rows:
    groups sharing a bin only add up, so the bound stays an upper bound, and a count per bin
    costs a fraction of counting the distinct ids.
    """
    keyed = ids.right.select(pl.col(rules).count()).row(0)
    bins = 1 << max(ids.left.height, 1).bit_length()
    total = 0
    for rule, rows in zip(rules, keyed, strict=True):
        hashed = ids.left[rule].drop_nulls().hash(seed=0).to_numpy() & np.uint64(bins - 1)
        largest = int(np.bincount(hashed.astype(np.intp)).max(initial=0))
        total += largest * int(rows)
    return total


def block(
    left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec, ids: RuleIds | None = None
) -> pl.DataFrame:
    """Candidate pairs ``idx_l, idx_r`` (UInt32) of all rules, sorted, after the max-pairs guard.

    ``right=None`` deduplicates ``left`` (``idx_l < idx_r``); ``ids`` (the frames' ``rule_ids``)
    may be passed to reuse them.
    """
    ids = ids or rule_ids(left, right, spec.blocking)
    _guard(ids, left, right, spec)
    return _pairs(ids, len(spec.blocking), right is None, partition=0, partitions=1)


def check_pair_limit(report: BlockingReport, max_pairs: int) -> None:
    """Raise when the rules would produce more than ``max_pairs`` pairs."""
    if report.total_pairs > max_pairs:
        worst = max(report.rules, key=lambda r: r.new_pairs)
        raise BlockingExplosionError(
            f"blocking would produce {report.total_pairs:,} pairs, above max_pairs={max_pairs:,}; "
            f"rule {worst.rule} on {worst.keys} alone adds {worst.new_pairs:,}. "
            "Use more specific keys or raise max_pairs."
        )


def block_partition(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    rules: Sequence[BlockingRule],
    *,
    partition: int,
    partitions: int,
) -> pl.DataFrame:
    """The pairs of one partition: pairs whose first agreeing rule's keys hash to ``partition``.

    Pure (frames in, frame out), so partitions can run one at a time or on other workers; the
    union over ``partition in range(partitions)`` is exactly the unpartitioned pair set.
    """
    if not 0 <= partition < partitions:
        raise SpecError(f"partition {partition} outside 0..{partitions - 1}")
    ids = rule_ids(left, right, rules)
    return _pairs(ids, len(rules), right is None, partition=partition, partitions=partitions)


def _pairs(
    ids: RuleIds, rules: int, dedupe: bool, *, partition: int, partitions: int
) -> pl.DataFrame:
    # The rules' joins are independent: one collect runs them side by side.
    frames = pl.collect_all(
        _rule_pairs(ids, index, dedupe, partition, partitions) for index in range(rules)
    )
    # Sorted as one 64-bit key (idx_l, idx_r), which is several times faster than two columns.
    key = pl.concat(frames).select(
        (pl.col("idx_l").cast(pl.UInt64) * _INDEX_SPAN + pl.col("idx_r")).sort().alias("key")
    )
    return key.select(
        (pl.col("key") // _INDEX_SPAN).cast(INDEX_DTYPE).alias("idx_l"),
        (pl.col("key") % _INDEX_SPAN).cast(INDEX_DTYPE).alias("idx_r"),
    )


def iter_partitions(
    left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec, partitions: int
) -> Iterator[pl.DataFrame]:
    """Yield the pair frames of ``partitions`` partitions in turn (memory grows with one part)."""
    ids = rule_ids(left, right, spec.blocking)
    _guard(ids, left, right, spec)
    for partition in range(partitions):
        yield _pairs(
            ids, len(spec.blocking), right is None, partition=partition, partitions=partitions
        )


def _rule_pairs(
    ids: RuleIds, index: int, dedupe: bool, partition: int, partitions: int
) -> pl.LazyFrame:
    """The pairs rule ``index`` finds and no earlier rule does: the join carries the earlier
    rules' ids of both records, and a pair whose ids agree on one of them is dropped."""
    own = rule_column(index)
    earlier = [rule_column(before) for before in range(index)]
    columns = [pl.int_range(pl.len(), dtype=INDEX_DTYPE).alias("idx"), own, *earlier]
    lhs = ids.left.lazy().select(columns).drop_nulls(own)
    rhs = ids.right.lazy().select(columns).drop_nulls(own)
    if partitions > 1:
        lhs = lhs.filter(pl.col(own).hash(seed=0) % partitions == partition)
        rhs = rhs.filter(pl.col(own).hash(seed=0) % partitions == partition)
    pairs = lhs.join(rhs, on=own, how="inner", suffix="_r")
    if dedupe:
        pairs = pairs.filter(pl.col("idx") < pl.col("idx_r"))
    if earlier:
        found_before = pl.any_horizontal(
            (pl.col(name) == pl.col(f"{name}_r")).fill_null(False) for name in earlier
        )
        pairs = pairs.filter(~found_before)
    return pairs.select(pl.col("idx").alias("idx_l"), pl.col("idx_r"))


@dataclass(frozen=True)
class RuleIds:
    """Per record, one UInt64 id per rule (``rule_<k>``): equal ids ⇔ equal keys; null when a
    key is null. Joins and agreement checks then read one integer column per rule."""

    left: pl.DataFrame
    right: pl.DataFrame
    text_codes: Mapping[str, tuple[pl.Series, pl.Series]] = field(default_factory=dict)
    """Per text column that is a key by itself, its UInt32 codes on the left and right (equal
    codes ⇔ equal values, null where null), for the comparisons to reuse."""


def rule_column(index: int) -> str:
    """Name of rule ``index``'s id column."""
    return f"rule_{index}"


def rule_ids(
    left: pl.DataFrame, right: pl.DataFrame | None, rules: Sequence[BlockingRule]
) -> RuleIds:
    """The rule ids of both frames (``right=None``: the same frame on both sides).

    Each key column becomes a dense code (strings by one hash into fresh categories, integers
    by their offset from the minimum); a rule's codes are packed into one exact 64-bit id, or
    ranked together when their ranges do not fit.
    """
    left_keys = key_frame(left, rules)
    both = left_keys if right is None else pl.concat([left_keys, key_frame(right, rules)])
    codes = both.select(_dense_code(both.schema[name], name) for name in both.columns)
    spans = codes.select(pl.all().max().fill_null(0).cast(pl.UInt64) + 1).row(0, named=True)
    ids = codes.select(
        _packed(names, spans).alias(rule_column(index))
        for index, names in enumerate(_rule_key_names(rules))
    )
    text = {
        key: codes[name].cast(pl.UInt32)
        for key, name in _key_columns(rules).items()
        if both.schema[name] == pl.String and key_expression(key).meta.is_column()
    }
    if right is None:
        return RuleIds(ids, ids, {key: (code, code) for key, code in text.items()})
    return RuleIds(
        left=ids.head(left.height),
        right=ids.tail(right.height),
        text_codes={
            key: (code.head(left.height), code.tail(right.height)) for key, code in text.items()
        },
    )


def _dense_code(dtype: pl.DataType, name: str) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.String:
        return column.cast(pl.Categorical(pl.Categories.random())).to_physical().cast(pl.UInt64)
    if dtype.is_integer():
        # Any range of the type fits once the minimum is taken off: 32-bit types in Int64,
        # 64-bit ones only in Int128, whose 16 bytes a row cost a fresh run page faults.
        wide = column.cast(pl.Int64 if dtype in _AT_MOST_32_BITS else pl.Int128)
        return (wide - wide.min()).cast(pl.UInt64)
    return column.rank("dense").cast(pl.UInt64) - 1


_AT_MOST_32_BITS = frozenset({pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16, pl.UInt32})


def _packed(names: list[str], spans: dict[str, int]) -> pl.Expr:
    """The codes of ``names`` as one id: mixed radix when it fits in 63 bits, else a rank."""
    if math.prod(spans[name] for name in names) >= 2**63:
        present = pl.all_horizontal(pl.col(name).is_not_null() for name in names)
        return pl.when(present).then(pl.struct(names).rank("dense").cast(pl.UInt64))
    packed = pl.lit(0, dtype=pl.UInt64)
    for name in names:
        packed = packed * spans[name] + pl.col(name)
    return packed


def _key_columns(rules: Sequence[BlockingRule]) -> dict[str, str]:
    """Each distinct key text once, named ``__key_<n>``, so rules sharing a key share a column."""
    names: dict[str, str] = {}
    for rule in rules:
        for key in rule.keys:
            names.setdefault(key, f"__key_{len(names)}")
    return names


def _rule_key_names(rules: Sequence[BlockingRule]) -> list[list[str]]:
    names = _key_columns(rules)
    return [[names[key] for key in rule.keys] for rule in rules]


def _count_agreeing(
    left_keys: pl.DataFrame, right_keys: pl.DataFrame | None, names: list[str]
) -> int:
    """Pairs agreeing on all ``names``: sum n_l·n_r per key (dedupe: n·(n−1)/2)."""
    left_sizes = left_keys.lazy().drop_nulls(names).group_by(names).len("n_l")
    if right_keys is None:
        total = left_sizes.select(
            (pl.col("n_l").cast(pl.Int64) * (pl.col("n_l") - 1) // 2).sum()
        ).collect()
    else:
        right_sizes = right_keys.lazy().drop_nulls(names).group_by(names).len("n_r")
        total = (
            left_sizes.join(right_sizes, on=names, how="inner")
            .select((pl.col("n_l").cast(pl.Int64) * pl.col("n_r").cast(pl.Int64)).sum())
            .collect()
        )
    value = total.item()
    return int(value) if value is not None else 0


def rule_agreement(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    pairs: pl.DataFrame,
    rules: Sequence[BlockingRule],
) -> pl.DataFrame:
    """One Boolean column ``rule_<k>`` per rule: whether the pair agrees on all of rule k's keys.

    Lets training take each rule's pairs from one pair frame of all rules.
    """
    return agreement(rule_ids(left, right, rules), pairs, range(len(rules)))


def agreement(ids: RuleIds, pairs: pl.DataFrame, rules: Iterable[int]) -> pl.DataFrame:
    """One Boolean column ``rule_<k>`` per rule index in ``rules``: whether each pair's rule
    ids are equal (all keys equal and non-null)."""
    names = [rule_column(index) for index in rules]
    # Ids stay below 2**63, so a null becomes a different out-of-range id on each side and
    # never agrees. One frame gather per side, which Polars spreads over its threads, then
    # NumPy compares (faster than NumPy's own gathers).
    left = ids.left.select(pl.col(names).fill_null(_NULL_ID_LEFT))[pairs["idx_l"]]
    right = ids.right.select(pl.col(names).fill_null(_NULL_ID_RIGHT))[pairs["idx_r"]]
    flags = [
        pl.Series(name, left[name].to_numpy() == right[name].to_numpy(), dtype=pl.Boolean)
        for name in names
    ]
    return pl.DataFrame(flags, height=pairs.height)


_NULL_ID_LEFT = 2**64 - 1
_NULL_ID_RIGHT = 2**64 - 2
