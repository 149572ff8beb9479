"""Blocking: candidate pairs by equi-joins on blocking keys, and their counts before any join.

Rule k keeps only the pairs that no earlier rule finds (the earlier keys are evaluated on the
pair), so pairs are never de-duplicated by a global ``unique()``. Null keys never match.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations

import polars as pl
from pydantic import BaseModel, ConfigDict

from matching.errors import BlockingExplosionError, SpecError
from matching.spec import BlockingRule, LinkageSpec, key_expression

INDEX_DTYPE = pl.UInt32


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


def guard_pair_count(left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec) -> None:
    """Raise ``BlockingExplosionError`` when blocking would exceed ``spec.max_pairs``.

    The sum of the rules' own counts bounds the total from above and costs one group-by per
    rule; only when it exceeds the limit is the exact report computed.
    """
    left_keys = key_frame(left, spec.blocking)
    right_keys = None if right is None else key_frame(right, spec.blocking)
    bound = sum(
        _count_agreeing(left_keys, right_keys, names) for names in _rule_key_names(spec.blocking)
    )
    if bound > spec.max_pairs:
        check_pair_limit(analyse_blocking(left, right, spec), spec.max_pairs)


def block(left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec) -> pl.DataFrame:
    """Candidate pairs ``idx_l, idx_r`` (UInt32) of all rules, sorted, after the max-pairs guard.

    ``right=None`` deduplicates ``left`` (``idx_l < idx_r``).
    """
    guard_pair_count(left, right, spec)
    return block_partition(left, right, spec.blocking, partition=0, partitions=1)


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
    left_keys = key_frame(left, rules).with_row_index("idx", offset=0)
    right_keys = (
        left_keys if right is None else key_frame(right, rules).with_row_index("idx", offset=0)
    )
    names = _rule_key_names(rules)
    frames = [
        _rule_pairs(left_keys, right_keys, names, index, right is None, partition, partitions)
        for index in range(len(rules))
    ]
    return (
        pl.concat(frames)
        .select(pl.col("idx_l").cast(INDEX_DTYPE), pl.col("idx_r").cast(INDEX_DTYPE))
        .sort("idx_l", "idx_r")
    )


def iter_partitions(
    left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec, partitions: int
) -> Iterator[pl.DataFrame]:
    """Yield the pair frames of ``partitions`` partitions in turn (memory grows with one part)."""
    guard_pair_count(left, right, spec)
    for partition in range(partitions):
        yield block_partition(
            left, right, spec.blocking, partition=partition, partitions=partitions
        )


def _rule_pairs(
    left_keys: pl.DataFrame,
    right_keys: pl.DataFrame,
    names: list[list[str]],
    index: int,
    dedupe: bool,
    partition: int,
    partitions: int,
) -> pl.DataFrame:
    own = names[index]
    lhs = left_keys.lazy().select("idx", *own).drop_nulls(own)
    rhs = right_keys.lazy().select("idx", *own).drop_nulls(own)
    if partitions > 1:
        lhs = lhs.filter(pl.struct(own).hash(seed=0) % partitions == partition)
        rhs = rhs.filter(pl.struct(own).hash(seed=0) % partitions == partition)
    pairs = lhs.join(rhs, on=own, how="inner", suffix="_r").select(
        pl.col("idx").alias("idx_l"), pl.col("idx_r")
    )
    if dedupe:
        pairs = pairs.filter(pl.col("idx_l") < pl.col("idx_r"))
    collected = pairs.collect()
    if index == 0:
        return collected
    found_before = _agreement(left_keys, right_keys, collected, names[:index])
    return collected.filter(~pl.any_horizontal(found_before.get_columns()))


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
    left_keys = key_frame(left, rules)
    right_keys = left_keys if right is None else key_frame(right, rules)
    return _agreement(left_keys, right_keys, pairs, _rule_key_names(rules))


def _agreement(
    left_keys: pl.DataFrame, right_keys: pl.DataFrame, pairs: pl.DataFrame, rules: list[list[str]]
) -> pl.DataFrame:
    """Per rule (a list of key columns), whether each pair's keys are all equal and non-null."""
    names = sorted({name for rule in rules for name in rule})
    gathered = pl.DataFrame(
        [left_keys[name].gather(pairs["idx_l"]).alias(f"{name}_l") for name in names]
        + [right_keys[name].gather(pairs["idx_r"]).alias(f"{name}_r") for name in names],
        height=pairs.height,
    )
    return gathered.select(
        pl.all_horizontal(
            (pl.col(f"{name}_l") == pl.col(f"{name}_r")).fill_null(False) for name in rule
        ).alias(f"rule_{index}")
        for index, rule in enumerate(rules)
    )
