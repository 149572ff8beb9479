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
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from matching.errors import SpecError
from matching.levels import (
    DateColumns,
    DateLevel,
    ElseLevel,
    ExactLevel,
    Level,
    ListOverlapLevel,
    NullLevel,
    NumericLevel,
    PairedLevel,
    SimilarityLevel,
)
from matching.levels.similarity import SimilarityMetric

__all__ = [
    "BlockingRule",
    "Comparison",
    "DateColumns",
    "DateLevel",
    "ElseLevel",
    "ExactLevel",
    "Level",
    "LinkageSpec",
    "ListOverlapLevel",
    "NullLevel",
    "NumericLevel",
    "SimilarityLevel",
    "TermFrequencyAdjustment",
    "Thresholds",
    "Training",
    "block_on",
    "comparison_columns",
    "date_comparison",
    "exact_comparison",
    "key_expression",
    "string_comparison",
]
"""The spec's vocabulary, level kinds included (they live in ``matching.levels``)."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
            level.read_columns(self)
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
        return [level.label() for level in self.agreement_levels]


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


def comparison_columns(comparison: Comparison) -> set[str]:
    """Every input column a comparison reads."""
    columns = {name for level in comparison.levels for name in level.read_columns(comparison)}
    if comparison.tf_column is not None:
        columns.add(comparison.tf_column)
    return columns


def _exact_level_column(comparison: Comparison) -> str | None:
    index = comparison.tf_level_index
    if index is None:
        return None
    level = comparison.agreement_levels[index]
    assert isinstance(level, PairedLevel)
    return level.column_pairs(comparison)[0][0]


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
    metric: SimilarityMetric = "jaro_winkler",
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
