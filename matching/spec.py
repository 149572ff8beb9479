"""The declarative linkage model: what to block on, how to compare, how to train, when to decide.

A ``LinkageSpec`` is plain data (pydantic, JSON round-trippable, versioned), so the whole model
reads in one screen and travels with every trained model. Helper constructors keep it short:

>>> spec = LinkageSpec(
...     record_id="rec_id",
...     blocking=[block_on("surname"), block_on("date_of_birth")],
...     comparisons=[
...         string_comparison("surname", thresholds=(0.92, 0.8), term_frequency=True),
...         exact_comparison("date_of_birth"),
...     ],
... )
>>> LinkageSpec.model_validate_json(spec.model_dump_json()) == spec
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from matching.errors import SpecError

ColumnPair = tuple[str, str]
"""A (left column, right column) pair; cross-column levels list several as alternatives."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _PairedLevel(_Frozen):
    """A level reading one column on both sides, or alternative (left, right) column pairs."""

    column: str | None = None
    pairs: list[ColumnPair] | None = Field(
        default=None, description="Alternative (left, right) column pairs; agree if any pair does."
    )


class NullLevel(_Frozen):
    """Nothing to compare: a listed column is null on either side (level -1, weight 0)."""

    kind: Literal["null"] = "null"
    columns: list[str] | None = None


class ExactLevel(_PairedLevel):
    """Values are equal; also the level that term-frequency adjustment applies to."""

    kind: Literal["exact"] = "exact"


class SimilarityLevel(_PairedLevel):
    """String similarity in [0, 1] at or above a threshold (Jaccard reads token lists)."""

    kind: Literal["similarity"] = "similarity"
    metric: Literal["jaro_winkler", "levenshtein", "damerau_levenshtein", "jaccard"]
    threshold: float = Field(gt=0.0, le=1.0)


class NumericLevel(_PairedLevel):
    """Absolute numeric difference at most ``max_difference``."""

    kind: Literal["numeric"] = "numeric"
    max_difference: float = Field(ge=0.0)


class ListOverlapLevel(_PairedLevel):
    """Two lists share any element (``any``) or start with the same element (``first``)."""

    kind: Literal["list_overlap"] = "list_overlap"
    mode: Literal["any", "first"] = "any"


class DateColumns(_Frozen):
    """A date held as (year, month, day) columns; month and day may be null (partial date)."""

    year: str
    month: str
    day: str


class DateLevel(_Frozen):
    """Dates agree: ``exact`` (partial dates agree with any date that fits), ``day_month_swap``,
    ``within_days`` (full dates only) or ``within_years``."""

    kind: Literal["date"] = "date"
    match: Literal["exact", "day_month_swap", "within_days", "within_years"]
    tolerance: int = Field(default=0, ge=0)
    columns: DateColumns | None = None


class ElseLevel(_Frozen):
    """Everything the earlier levels did not catch; always the last level."""

    kind: Literal["else"] = "else"


Level = Annotated[
    NullLevel
    | ExactLevel
    | SimilarityLevel
    | NumericLevel
    | ListOverlapLevel
    | DateLevel
    | ElseLevel,
    Field(discriminator="kind"),
]


class TermFrequencyAdjustment(_Frozen):
    """Scale the exact level's weight by how rare the agreeing value is (rare names weigh more)."""

    column: str | None = None
    weight: float = Field(default=1.0, ge=0.0, le=1.0)


class Comparison(_Frozen):
    """A named comparison: ordered levels, first match wins; null is -1, then 0, 1, … to ``else``."""

    name: str
    column: str | None = Field(default=None, description="Default column of the levels.")
    date_columns: DateColumns | None = Field(default=None, description="Default date columns.")
    levels: list[Level]
    term_frequency: TermFrequencyAdjustment | None = None
    contradicts_from: int | None = Field(
        default=None,
        ge=0,
        description="First agreement level (0-based, towards else) at which the values say the "
        "records are different entities: such a pair is never an automatic match.",
    )

    @model_validator(mode="after")
    def _check_levels(self) -> Comparison:
        if not _IDENTIFIER.match(self.name):
            raise SpecError(f"comparison name {self.name!r} must be an identifier like 'surname'")
        kinds = [level.kind for level in self.levels]
        if kinds.count("else") != 1 or kinds[-1] != "else":
            raise SpecError(f"comparison {self.name!r}: the last level must be 'else', got {kinds}")
        if "null" in kinds[1:]:
            raise SpecError(f"comparison {self.name!r}: a null level may only come first")
        if len(self.agreement_levels) > 100:
            raise SpecError(f"comparison {self.name!r}: at most 100 levels")
        for level in self.levels:
            _check_columns_resolve(self, level)
        if self.term_frequency is not None and self.tf_level_index is None:
            raise SpecError(f"comparison {self.name!r}: term-frequency needs an exact level")
        if self.term_frequency is not None and self.tf_column is None:
            raise SpecError(f"comparison {self.name!r}: term-frequency needs a column")
        if self.contradicts_from is not None and self.contradicts_from >= len(
            self.agreement_levels
        ):
            raise SpecError(
                f"comparison {self.name!r}: contradicts_from {self.contradicts_from} is past "
                f"the last level {len(self.agreement_levels) - 1}"
            )
        return self

    def contradicts(self, level: int) -> bool:
        """Whether agreement ``level`` (null: -1) says the two records are different entities."""
        return self.contradicts_from is not None and level >= self.contradicts_from

    @property
    def agreement_levels(self) -> list[Level]:
        """The levels numbered 0, 1, …: every level except the null level."""
        return [level for level in self.levels if level.kind != "null"]

    @property
    def null_level(self) -> NullLevel | None:
        """The null level, when the comparison has one."""
        first = self.levels[0]
        return first if isinstance(first, NullLevel) else None

    @property
    def tf_level_index(self) -> int | None:
        """Index of the first exact level, the one term-frequency adjustment applies to."""
        for index, level in enumerate(self.agreement_levels):
            if isinstance(level, ExactLevel):
                return index
        return None

    @property
    def tf_column(self) -> str | None:
        """The column whose value frequencies adjust the exact level."""
        if self.term_frequency is None:
            return None
        return self.term_frequency.column or _exact_level_column(self)

    def level_labels(self) -> list[str]:
        """Readable labels of the agreement levels, e.g. ``jaro_winkler >= 0.92``."""
        return [describe_level(level) for level in self.agreement_levels]


class BlockingRule(_Frozen):
    """Pairs whose keys are all equal (and non-null) form a block.

    A key is a column name or a Polars SQL expression such as ``substr(surname, 1, 3)``.
    """

    keys: list[str] = Field(min_length=1)

    def columns(self) -> set[str]:
        """The input columns the keys read."""
        return {name for key in self.keys for name in key_expression(key).meta.root_names()}


class Training(_Frozen):
    """How parameters are estimated: u from random pairs, m and λ by EM on level patterns."""

    seed: int = 42
    u_random_pairs: int = Field(default=1_000_000, ge=1000)
    u_similarity_pairs: int | None = Field(
        default=None,
        ge=1000,
        description="Of the random pairs no exact, date or numeric level settles, how many the "
        "string-similarity and list-overlap levels are tested on (standing for all); None: all.",
    )
    em_max_iterations: int = Field(default=50, ge=1)
    em_tolerance: float = Field(default=1e-6, gt=0.0)
    em_blocking_rules: list[int] | None = Field(
        default=None, description="Indices into `blocking` for EM sessions; None: every rule."
    )


class Thresholds(_Frozen):
    """Decision thresholds on ``match_probability``: match at or above ``match``, review from
    ``review`` up to it, no match below."""

    match: float = Field(default=0.99, gt=0.0, lt=1.0)
    review: float = Field(default=0.5, gt=0.0, lt=1.0)

    @model_validator(mode="after")
    def _check_order(self) -> Thresholds:
        if self.review > self.match:
            raise SpecError(f"review threshold {self.review} must not exceed match {self.match}")
        return self


class LinkageSpec(_Frozen):
    """The whole linkage model: link type, record id, blocking, comparisons, training, thresholds."""

    version: Literal[1] = 1
    link_type: Literal["link", "dedupe"] = "link"
    record_id: str
    blocking: list[BlockingRule] = Field(min_length=1)
    max_pairs: int = Field(default=200_000_000, ge=1, description="Blocking guard.")
    comparisons: list[Comparison] = Field(min_length=1)
    training: Training = Training()
    thresholds: Thresholds = Thresholds()

    @model_validator(mode="after")
    def _check_consistency(self) -> LinkageSpec:
        names = [comparison.name for comparison in self.comparisons]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise SpecError(f"comparison names must be unique; repeated: {duplicates}")
        rules = self.training.em_blocking_rules or []
        bad = [index for index in rules if not 0 <= index < len(self.blocking)]
        if bad:
            raise SpecError(
                f"training.em_blocking_rules {bad} out of range; valid: 0..{len(self.blocking) - 1}"
            )
        return self

    def comparison(self, name: str) -> Comparison:
        """The comparison called ``name``."""
        for comparison in self.comparisons:
            if comparison.name == name:
                return comparison
        raise SpecError(f"no comparison {name!r}; known: {[c.name for c in self.comparisons]}")

    def input_columns(self) -> set[str]:
        """Every input column the spec reads (record id, blocking keys, comparison columns)."""
        columns = {self.record_id}
        for rule in self.blocking:
            columns |= rule.columns()
        for comparison in self.comparisons:
            columns |= comparison_columns(comparison)
        return columns


def key_expression(key: str) -> pl.Expr:
    """A blocking key as a Polars expression: a bare column name, else a Polars SQL expression."""
    if _IDENTIFIER.match(key):
        return pl.col(key)
    try:
        return pl.sql_expr(key)
    except Exception as error:
        raise SpecError(
            f"blocking key {key!r} is neither a column name nor a valid SQL expression "
            f"(e.g. 'substr(surname, 1, 3)'): {error}"
        ) from error


def level_pairs(comparison: Comparison, level: _PairedLevel) -> list[ColumnPair]:
    """The (left, right) column pairs a level reads: its own, else the comparison's column."""
    if level.pairs:
        return list(level.pairs)
    column = level.column or comparison.column
    if column is None:
        raise SpecError(
            f"comparison {comparison.name!r}: a {level_kind(level)} level needs a column"
        )
    return [(column, column)]


def level_date_columns(comparison: Comparison, level: DateLevel) -> DateColumns:
    """The date columns a date level reads: its own, else the comparison's."""
    columns = level.columns or comparison.date_columns
    if columns is None:
        raise SpecError(f"comparison {comparison.name!r}: a date level needs date_columns")
    return columns


def null_columns(comparison: Comparison) -> list[str]:
    """Columns whose nulls make the comparison null: listed, else the default column or year."""
    level = comparison.null_level
    if level is None:
        return []
    if level.columns:
        return list(level.columns)
    if comparison.column is not None:
        return [comparison.column]
    if comparison.date_columns is not None:
        return [comparison.date_columns.year]
    raise SpecError(f"comparison {comparison.name!r}: the null level needs columns")


def comparison_columns(comparison: Comparison) -> set[str]:
    """Every input column a comparison reads."""
    columns = set(null_columns(comparison))
    for level in comparison.agreement_levels:
        if isinstance(level, DateLevel):
            dates = level_date_columns(comparison, level)
            columns |= {dates.year, dates.month, dates.day}
        elif isinstance(level, _PairedLevel):
            columns |= {name for pair in level_pairs(comparison, level) for name in pair}
    if comparison.tf_column is not None:
        columns.add(comparison.tf_column)
    return columns


def level_kind(level: Level | _PairedLevel) -> str:
    """The ``kind`` tag of a level."""
    return str(getattr(level, "kind", type(level).__name__))


def describe_level(level: Level) -> str:
    """A short human label of a level, e.g. ``jaro_winkler >= 0.92`` or ``date within 30 days``."""
    match level:
        case ExactLevel():
            return f"exact {_pairs_label(level)}".strip()
        case SimilarityLevel():
            return f"{level.metric} >= {level.threshold} {_pairs_label(level)}".strip()
        case NumericLevel():
            return f"difference <= {level.max_difference} {_pairs_label(level)}".strip()
        case ListOverlapLevel():
            return f"list overlap ({level.mode}) {_pairs_label(level)}".strip()
        case DateLevel():
            return f"date {level.match}" + (f" {level.tolerance}" if level.tolerance else "")
        case NullLevel():
            return "null"
        case ElseLevel():
            return "else"
    raise SpecError(f"unknown level {level!r}")


def _pairs_label(level: _PairedLevel) -> str:
    if level.pairs:
        return "[" + " | ".join(f"{left}~{right}" for left, right in level.pairs) + "]"
    return f"[{level.column}]" if level.column else ""


def _exact_level_column(comparison: Comparison) -> str | None:
    index = comparison.tf_level_index
    if index is None:
        return None
    level = comparison.agreement_levels[index]
    assert isinstance(level, ExactLevel)
    return level_pairs(comparison, level)[0][0]


def _check_columns_resolve(comparison: Comparison, level: Level) -> None:
    if isinstance(level, DateLevel):
        level_date_columns(comparison, level)
    elif isinstance(level, _PairedLevel):
        level_pairs(comparison, level)
    elif isinstance(level, NullLevel):
        null_columns(comparison)


# -- helper constructors: the short way to write a spec ---------------------------------------


def block_on(*keys: str) -> BlockingRule:
    """A blocking rule on the equality of all ``keys`` (column names or SQL expressions)."""
    return BlockingRule(keys=list(keys))


def exact_comparison(
    column: str, *, name: str | None = None, term_frequency: bool = False
) -> Comparison:
    """null / exact / else on one column."""
    return Comparison(
        name=name or column,
        column=column,
        levels=[NullLevel(), ExactLevel(), ElseLevel()],
        term_frequency=TermFrequencyAdjustment() if term_frequency else None,
    )


def string_comparison(
    column: str,
    *,
    name: str | None = None,
    metric: Literal[
        "jaro_winkler", "levenshtein", "damerau_levenshtein", "jaccard"
    ] = "jaro_winkler",
    thresholds: Sequence[float] = (0.92, 0.8),
    term_frequency: bool = False,
) -> Comparison:
    """null / exact / similarity at each threshold (descending) / else on one column."""
    similar = [
        SimilarityLevel(metric=metric, threshold=t) for t in sorted(thresholds, reverse=True)
    ]
    return Comparison(
        name=name or column,
        column=column,
        levels=[NullLevel(), ExactLevel(), *similar, ElseLevel()],
        term_frequency=TermFrequencyAdjustment() if term_frequency else None,
    )


def date_comparison(
    name: str, columns: DateColumns, *, within_days: int | None = 31, within_years: int | None = 1
) -> Comparison:
    """null / exact (partial dates fit) / day–month swap / within days / within years / else."""
    levels: list[Level] = [
        NullLevel(),
        DateLevel(match="exact"),
        DateLevel(match="day_month_swap"),
    ]
    if within_days is not None:
        levels.append(DateLevel(match="within_days", tolerance=within_days))
    if within_years is not None:
        levels.append(DateLevel(match="within_years", tolerance=within_years))
    return Comparison(name=name, date_columns=columns, levels=[*levels, ElseLevel()])
