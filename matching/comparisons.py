"""Comparison levels of candidate pairs: one Int8 ``gamma_<name>`` column per comparison.

Strings are dictionary-encoded once (one shared dictionary, so cross-column levels compare
codes), values are gathered by pair index, equal codes short-cut to exact, and each string
metric runs in the native kernel once per distinct (left value, right value) pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import polars as pl

from matching.errors import SpecError
from matching.kernels import Metric, list_jaccard, similarity_expr
from matching.spec import (
    Comparison,
    DateLevel,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    ListOverlapLevel,
    NumericLevel,
    SimilarityLevel,
    comparison_columns,
    level_date_columns,
    level_pairs,
    null_columns,
)

NULL_LEVEL = -1
GAMMA_DTYPE = pl.Int8
DEDUPE_FROM_ROWS = 250_000
"""Below this many pairs the kernel runs on every pair: finding the distinct pairs (a sort) costs
more than it saves (FEBRL4, 87k pairs: 16 ms per column with the distinct step, 10 ms without)."""

TermFrequencyTables = Mapping[str, pl.DataFrame]
"""Per comparison name, a frame ``value: String, frequency: Float64``."""


def gamma_column(name: str) -> str:
    """Name of the level column of comparison ``name``."""
    return f"gamma_{name}"


def tf_column(name: str) -> str:
    """Name of the column holding the frequency of the agreeing value (exact level only)."""
    return f"tf_{name}"


@dataclass(frozen=True)
class PreparedFrames:
    """The columns the comparisons read, strings as UInt32 codes into one shared dictionary."""

    left: pl.DataFrame
    right: pl.DataFrame
    dictionary: pl.Series
    encoded: frozenset[str]
    tf_by_code: dict[str, pl.Series] = field(default_factory=dict)


def prepare(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    spec: LinkageSpec,
    tf_tables: TermFrequencyTables | None = None,
) -> PreparedFrames:
    """Select and encode the comparison columns of both frames (``right=None``: dedupe)."""
    columns = sorted(set().union(*(comparison_columns(c) for c in spec.comparisons)))
    left_part = _select(left, columns, "left")
    right_part = left_part if right is None else _select(right, columns, "right")
    encoded = frozenset(name for name in columns if _is_text(left_part, right_part, name))
    as_text = [pl.col(name).cast(pl.String) for name in encoded]
    left_part = left_part.with_columns(as_text)
    right_part = left_part if right is None else right_part.with_columns(as_text)
    values = [left_part[name] for name in encoded]
    if right is not None:
        values += [right_part[name] for name in encoded]
    dictionary = (
        pl.concat([v.rename("value") for v in values]).drop_nulls().unique().sort()
        if values
        else pl.Series("value", [], pl.String)
    )
    categories = pl.Enum(dictionary)
    encode = [pl.col(name).cast(categories).to_physical().cast(pl.UInt32) for name in encoded]
    left_codes = left_part.with_columns(encode)
    right_codes = left_codes if right is None else right_part.with_columns(encode)
    return PreparedFrames(
        left=left_codes,
        right=right_codes,
        dictionary=dictionary,
        encoded=encoded,
        tf_by_code=_tf_by_code(spec, dictionary, encoded, tf_tables or {}),
    )


def attach_term_frequencies(
    prepared: PreparedFrames, spec: LinkageSpec, tf_tables: TermFrequencyTables
) -> PreparedFrames:
    """``prepared`` with term-frequency lookups, reusing its encoding (e.g. after training)."""
    return replace(
        prepared,
        tf_by_code=_tf_by_code(spec, prepared.dictionary, prepared.encoded, tf_tables),
    )


def compare(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    pairs: pl.DataFrame,
    spec: LinkageSpec,
    tf_tables: TermFrequencyTables | None = None,
) -> pl.DataFrame:
    """``pairs`` with a ``gamma_<name>`` column per comparison (and ``tf_<name>`` with tables)."""
    return compute_levels(prepare(left, right, spec, tf_tables), pairs, spec)


def compute_levels(
    prepared: PreparedFrames, pairs: pl.DataFrame, spec: LinkageSpec
) -> pl.DataFrame:
    """Add the level columns to ``pairs`` (``idx_l``, ``idx_r``) from prepared frames."""
    gathered = _Gathered(prepared, pairs["idx_l"], pairs["idx_r"])
    levels = pairs.with_columns(_levels(comparison, gathered) for comparison in spec.comparisons)
    return _with_term_frequencies(levels, gathered, spec)


def add_term_frequencies(
    prepared: PreparedFrames, levels: pl.DataFrame, spec: LinkageSpec
) -> pl.DataFrame:
    """Add the ``tf_<name>`` columns to a level frame computed without term-frequency tables."""
    return _with_term_frequencies(
        levels, _Gathered(prepared, levels["idx_l"], levels["idx_r"]), spec
    )


def _with_term_frequencies(
    levels: pl.DataFrame, gathered: _Gathered, spec: LinkageSpec
) -> pl.DataFrame:
    return levels.with_columns(
        _term_frequency(comparison, levels[gamma_column(comparison.name)], gathered)
        for comparison in spec.comparisons
        if comparison.name in gathered.prepared.tf_by_code
    )


class _Gathered:
    """Columns gathered by pair index, each at most once per side."""

    def __init__(self, prepared: PreparedFrames, idx_l: pl.Series, idx_r: pl.Series) -> None:
        self.prepared = prepared
        self.idx = {"l": idx_l, "r": idx_r}
        self.cache: dict[tuple[str, str], pl.Series] = {}
        self.similarities: dict[tuple[str, str, str], pl.Series] = {}
        self.height = len(idx_l)

    def get(self, side: str, name: str) -> pl.Series:
        key = (side, name)
        if key not in self.cache:
            frame = self.prepared.left if side == "l" else self.prepared.right
            self.cache[key] = frame[name].gather(self.idx[side])
        return self.cache[key]

    def similarity(self, left_name: str, right_name: str, metric: Metric) -> pl.Series:
        """String similarity of two encoded columns, computed once per metric and column pair."""
        key = (metric, left_name, right_name)
        if key not in self.similarities:
            self.similarities[key] = string_similarity(
                self.get("l", left_name),
                self.get("r", right_name),
                self.prepared.dictionary,
                metric,
            )
        return self.similarities[key]

    def frame(self, columns: dict[str, pl.Series]) -> pl.DataFrame:
        return pl.DataFrame(columns, height=self.height)


def _levels(comparison: Comparison, data: _Gathered) -> pl.Series:
    conditions: list[pl.Series] = []
    for level in comparison.agreement_levels:
        if isinstance(level, ElseLevel):
            break
        conditions.append(_condition(comparison, level, data).fill_null(False))
    is_null = _null_condition(comparison, data)
    frame = data.frame({f"c{i}": c for i, c in enumerate(conditions)} | {"null": is_null})
    first_agreeing = pl.coalesce(
        pl.when(pl.col("null")).then(pl.lit(NULL_LEVEL)),
        *(pl.when(pl.col(f"c{i}")).then(pl.lit(i)) for i in range(len(conditions))),
        pl.lit(len(conditions)),
    )
    return frame.select(
        first_agreeing.cast(GAMMA_DTYPE).alias(gamma_column(comparison.name))
    ).to_series()


def _null_condition(comparison: Comparison, data: _Gathered) -> pl.Series:
    result = pl.repeat(False, data.height, eager=True)
    for name in null_columns(comparison):
        result = result | data.get("l", name).is_null() | data.get("r", name).is_null()
    return result


def _condition(comparison: Comparison, level: object, data: _Gathered) -> pl.Series:
    if isinstance(level, DateLevel):
        return _date_condition(comparison, level, data)
    assert isinstance(level, ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel)
    result: pl.Series | None = None
    for left_name, right_name in level_pairs(comparison, level):
        agree = _pair_condition(level, left_name, right_name, data).fill_null(False)
        result = agree if result is None else result | agree
    assert result is not None
    return result


def _pair_condition(
    level: ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel,
    left_name: str,
    right_name: str,
    data: _Gathered,
) -> pl.Series:
    left, right = data.get("l", left_name), data.get("r", right_name)
    if isinstance(level, ExactLevel):
        return left == right
    if isinstance(level, NumericLevel):
        return (left.cast(pl.Float64) - right.cast(pl.Float64)).abs() <= level.max_difference
    if isinstance(level, ListOverlapLevel):
        lists = data.frame({"l": left, "r": right})
        if level.mode == "first":
            return lists.select(pl.col("l").list.first() == pl.col("r").list.first()).to_series()
        shared = pl.col("l").list.set_intersection(pl.col("r")).list.len() > 0
        return lists.select(shared).to_series()
    if left_name in data.prepared.encoded and right_name in data.prepared.encoded:
        similarity = data.similarity(left_name, right_name, level.metric)
    elif level.metric == "jaccard" and isinstance(left.dtype, pl.List):
        similarity = (
            data.frame({"l": left, "r": right})
            .select(list_jaccard(pl.col("l"), pl.col("r")))
            .to_series()
        )
    else:
        raise SpecError(
            f"{level.metric} needs String columns (jaccard also List); "
            f"{left_name!r} is {left.dtype}, {right_name!r} is {right.dtype}"
        )
    return similarity >= level.threshold


def string_similarity(
    left_codes: pl.Series,
    right_codes: pl.Series,
    dictionary: pl.Series,
    metric: Metric,
    *,
    dedupe_from_rows: int = DEDUPE_FROM_ROWS,
) -> pl.Series:
    """Similarity per pair of dictionary codes: 1.0 when equal, null when either is null, else
    the kernel, run once per distinct (left, right) code pair.

    Distinct pairs are numbered by a dense rank of a 64-bit pair key (sort-based; a hash join
    back onto millions of pairs measured several times slower).
    """
    pairs = pl.DataFrame({"l": left_codes, "r": right_codes})
    differ = pl.col("l") != pl.col("r")
    if pairs.height < dedupe_from_rows:
        per_pair = _kernel(dictionary.gather(left_codes), dictionary.gather(right_codes), metric)
    else:
        key = pl.when(differ).then(pl.col("l").cast(pl.UInt64) * _CODE_SPAN + pl.col("r"))
        ranked = pairs.select(key.alias("key"), key.rank("dense").alias("rank"))
        distinct = ranked["key"].drop_nulls().unique().sort()
        scored = _kernel(
            dictionary.gather(distinct // _CODE_SPAN),
            dictionary.gather(distinct % _CODE_SPAN),
            metric,
        )
        per_pair = scored.gather(ranked["rank"] - 1)
    return pairs.select(
        pl.when(pl.col("l") == pl.col("r")).then(1.0).otherwise(per_pair)
    ).to_series()


def _kernel(left: pl.Series, right: pl.Series, metric: Metric) -> pl.Series:
    """The kernel on the rows where both values are present (null elsewhere).

    Nulls never reach the kernel: polars-ds takes a one-row column for a scalar and fails on a
    null one.
    """
    present = (left.is_not_null() & right.is_not_null()).arg_true()
    strings = pl.DataFrame({"a": left.gather(present), "b": right.gather(present)})
    scores = strings.select(similarity_expr(pl.col("a"), pl.col("b"), metric, rows=strings.height))
    if strings.height == len(left):
        return scores.to_series()
    return pl.Series(values=[None] * len(left), dtype=pl.Float64).scatter(
        present, scores.to_series()
    )


_CODE_SPAN = 2**32


def _date_condition(comparison: Comparison, level: DateLevel, data: _Gathered) -> pl.Series:
    dates = level_date_columns(comparison, level)
    frame = data.frame(
        {
            f"{part}_{side}": data.get(side, name).cast(pl.Int64)
            for side in ("l", "r")
            for part, name in (("y", dates.year), ("m", dates.month), ("d", dates.day))
        }
    )
    return frame.select(date_agreement(level)).to_series()


def date_agreement(
    level: DateLevel, *, left_suffix: str = "_l", right_suffix: str = "_r"
) -> pl.Expr:
    """Agreement of (y, m, d) columns named ``y_l, m_l, d_l, y_r, m_r, d_r`` under a date level.

    ``exact`` lets a null month or day on either side agree (partial dates fit).
    """
    return date_parts_agreement(
        level,
        [pl.col(f"{part}{left_suffix}") for part in "ymd"],
        [pl.col(f"{part}{right_suffix}") for part in "ymd"],
    )


def date_parts_agreement(level: DateLevel, left: list[pl.Expr], right: list[pl.Expr]) -> pl.Expr:
    """Agreement of two (year, month, day) expression triples under a date level."""
    y_l, m_l, d_l = left
    y_r, m_r, d_r = right
    if level.match == "exact":
        month_fits = m_l.is_null() | m_r.is_null() | (m_l == m_r)
        day_fits = d_l.is_null() | d_r.is_null() | (d_l == d_r)
        return (y_l == y_r) & month_fits & day_fits
    if level.match == "day_month_swap":
        return (y_l == y_r) & (m_l == d_r) & (d_l == m_r)
    if level.match == "within_years":
        return (y_l - y_r).abs() <= level.tolerance
    days = (day_number(y_l, m_l, d_l) - day_number(y_r, m_r, d_r)).abs()
    return days <= level.tolerance


def day_number(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Days since 1970-01-01 by civil-calendar arithmetic (no validation, null-propagating)."""
    shifted = year - (month <= 2).cast(pl.Int64)
    era = shifted.floordiv(400)
    year_of_era = shifted - era * 400
    month_index = pl.when(month > 2).then(month - 3).otherwise(month + 9)
    day_of_year = (153 * month_index + 2).floordiv(5) + day - 1
    day_of_era = (
        year_of_era * 365 + year_of_era.floordiv(4) - year_of_era.floordiv(100) + day_of_year
    )
    return era * 146_097 + day_of_era - 719_468


def _term_frequency(comparison: Comparison, gamma: pl.Series, data: _Gathered) -> pl.Series:
    assert comparison.tf_column is not None and comparison.tf_level_index is not None
    codes = data.get("l", comparison.tf_column)
    frequency = data.prepared.tf_by_code[comparison.name].gather(codes)
    return (
        data.frame({"gamma": gamma, "frequency": frequency})
        .select(
            pl.when(pl.col("gamma") == comparison.tf_level_index)
            .then(pl.col("frequency"))
            .alias(tf_column(comparison.name))
        )
        .to_series()
    )


def _tf_by_code(
    spec: LinkageSpec,
    dictionary: pl.Series,
    encoded: frozenset[str],
    tf_tables: TermFrequencyTables,
) -> dict[str, pl.Series]:
    """Per tf comparison, the frequency of each dictionary code (null when not in the table)."""
    result: dict[str, pl.Series] = {}
    values = dictionary.to_frame("value")
    for comparison in spec.comparisons:
        if comparison.tf_column is None or comparison.name not in tf_tables:
            continue
        if comparison.tf_column not in encoded:
            raise SpecError(
                f"term-frequency column {comparison.tf_column!r} must be a String column"
            )
        table = tf_tables[comparison.name]
        result[comparison.name] = values.join(table, on="value", how="left", maintain_order="left")[
            "frequency"
        ]
    return result


def _select(frame: pl.DataFrame, columns: list[str], side: str) -> pl.DataFrame:
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise SpecError(
            f"the {side} frame lacks columns {missing} that the comparisons read; "
            f"it has {frame.columns}"
        )
    return frame.select(columns)


def _is_text(left: pl.DataFrame, right: pl.DataFrame, name: str) -> bool:
    """A String column on one side, String or all-null on the other: dictionary-encoded."""
    dtypes = {left.schema[name], right.schema[name]}
    return pl.String in dtypes and dtypes <= {pl.String, pl.Null}


def level_expressions(
    spec: LinkageSpec,
    schema: Mapping[str, pl.DataType],
    *,
    left_suffix: str = "_l",
    right_suffix: str = "_r",
) -> list[pl.Expr]:
    """One Int8 ``gamma_<name>`` expression per comparison, over a frame holding each input
    column twice, as ``<col>_l`` and ``<col>_r``; ``schema`` gives the unsuffixed dtypes.

    The same levels as ``compute_levels`` in a single ``select``: no dictionary, no distinct
    pairs, so it suits a handful of pairs (an online query) where per-operation overhead rules.
    """
    sides = _Suffixes(schema, left_suffix, right_suffix)
    return [_level_expression(comparison, sides) for comparison in spec.comparisons]


@dataclass(frozen=True)
class _Suffixes:
    schema: Mapping[str, pl.DataType]
    left: str
    right: str

    def pair(self, left_name: str, right_name: str) -> tuple[pl.Expr, pl.Expr]:
        return pl.col(f"{left_name}{self.left}"), pl.col(f"{right_name}{self.right}")


def _level_expression(comparison: Comparison, sides: _Suffixes) -> pl.Expr:
    conditions: list[pl.Expr] = []
    for level in comparison.agreement_levels:
        if isinstance(level, ElseLevel):
            break
        conditions.append(_condition_expression(comparison, level, sides).fill_null(False))
    is_null = pl.lit(False)
    for name in null_columns(comparison):
        left, right = sides.pair(name, name)
        is_null = is_null | left.is_null() | right.is_null()
    first_agreeing = pl.coalesce(
        pl.when(is_null).then(pl.lit(NULL_LEVEL)),
        *(pl.when(condition).then(pl.lit(i)) for i, condition in enumerate(conditions)),
        pl.lit(len(conditions)),
    )
    return first_agreeing.cast(GAMMA_DTYPE).alias(gamma_column(comparison.name))


def _condition_expression(comparison: Comparison, level: object, sides: _Suffixes) -> pl.Expr:
    if isinstance(level, DateLevel):
        dates = level_date_columns(comparison, level)
        names = (dates.year, dates.month, dates.day)
        return date_parts_agreement(
            level,
            [pl.col(f"{name}{sides.left}").cast(pl.Int64) for name in names],
            [pl.col(f"{name}{sides.right}").cast(pl.Int64) for name in names],
        )
    assert isinstance(level, ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel)
    agreements = [
        _pair_expression(level, left_name, right_name, sides).fill_null(False)
        for left_name, right_name in level_pairs(comparison, level)
    ]
    return pl.any_horizontal(agreements)


def _pair_expression(
    level: ExactLevel | SimilarityLevel | NumericLevel | ListOverlapLevel,
    left_name: str,
    right_name: str,
    sides: _Suffixes,
) -> pl.Expr:
    left, right = sides.pair(left_name, right_name)
    if isinstance(level, ExactLevel):
        return left == right
    if isinstance(level, NumericLevel):
        return (left.cast(pl.Float64) - right.cast(pl.Float64)).abs() <= level.max_difference
    if isinstance(level, ListOverlapLevel):
        if level.mode == "first":
            return left.list.first() == right.list.first()
        return left.list.set_intersection(right).list.len() > 0
    dtypes = {sides.schema[left_name], sides.schema[right_name]}
    if level.metric == "jaccard" and any(isinstance(dtype, pl.List) for dtype in dtypes):
        return list_jaccard(left, right) >= level.threshold
    if not dtypes <= {pl.String, pl.Null}:
        raise SpecError(
            f"{level.metric} needs String columns (jaccard also List); "
            f"{left_name!r} and {right_name!r} are {sorted(map(str, dtypes))}"
        )
    similarity = similarity_expr(left, right, level.metric, rows=0)
    return pl.when(left == right).then(1.0).otherwise(similarity) >= level.threshold
