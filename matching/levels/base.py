"""What a comparison level kind is: spec fields, three evaluations of its condition, a label.

Every kind is one pydantic class (its fields are the spec's JSON) that says, for a comparison it
belongs to, whether its condition holds: over gathered pair arrays (batch), as a Polars
expression over ``<column>_l`` / ``<column>_r`` columns, and for one query against a few
candidates (online). The engine calls these methods and never asks which kind it holds; the
three must agree pair for pair.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar, TypeVar

import polars as pl
from pydantic import BaseModel, BeforeValidator, ConfigDict, SerializeAsAny

if TYPE_CHECKING:
    from matching.arrays import BoolArray, Positions
    from matching.gathering import Gathered
    from matching.query_pairs import Candidate, Column, QueryPairs
    from matching.spec import Comparison

ColumnPair = tuple[str, str]
"""A (left column, right column) pair; cross-column levels list several as alternatives."""


class Frozen(BaseModel):
    """An immutable spec value that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class Suffixes:
    """How a frame holding both sides of each pair names a column: ``<name><left>`` and
    ``<name><right>``; ``schema`` gives the unsuffixed dtypes."""

    schema: Mapping[str, pl.DataType]
    left: str = "_l"
    right: str = "_r"

    def pair(self, left_name: str, right_name: str) -> tuple[pl.Expr, pl.Expr]:
        """The left side's ``left_name`` and the right side's ``right_name``."""
        return pl.col(f"{left_name}{self.left}"), pl.col(f"{right_name}{self.right}")


class LevelKind(Frozen, ABC):
    """One kind of comparison level; a subclass declares ``kind: Literal[...]`` and its fields."""

    if TYPE_CHECKING:
        kind: str

    cheap: ClassVar[bool] = True
    """Settled without a string kernel: tested on every pair when most are still undecided, and
    counted on every random pair in training (costly kinds are tested on a sample)."""
    needs_codes: ClassVar[bool] = False
    """Reads its text columns as dictionary codes (a string metric)."""
    equality_only: ClassVar[bool] = False
    """Reads its columns only for equality, so any codes standing for the values will do."""

    def read_columns(self, comparison: Comparison) -> set[str]:
        """The input columns the level reads (raises ``SpecError`` when they do not resolve)."""
        return set()

    def compared_pairs(self, comparison: Comparison) -> list[ColumnPair]:
        """The (left, right) column pairs whose values the level compares with each other."""
        return []

    @abstractmethod
    def holds(self, comparison: Comparison, data: Gathered, positions: Positions) -> BoolArray:
        """Batch: whether the condition holds for the gathered pairs at ``positions``."""

    @abstractmethod
    def expression(self, comparison: Comparison, sides: Suffixes) -> pl.Expr:
        """Polars: the condition over a frame of both sides' columns (null counts as false)."""

    @abstractmethod
    def candidate(self, comparison: Comparison, pairs: QueryPairs) -> Candidate:
        """Online: the condition for the query against one candidate, by its position."""

    def check_query(self, comparison: Comparison, columns: Mapping[str, Column]) -> None:
        """Refuse reference column types the online evaluation cannot read as batch does."""

    @abstractmethod
    def label(self) -> str:
        """A short readable label for explanations, e.g. ``jaro_winkler >= 0.92``."""


_KINDS: dict[str, type[LevelKind]] = {}
Kind = TypeVar("Kind", bound=LevelKind)


def register_level(kind_class: type[Kind]) -> type[Kind]:
    """Make a level kind readable in specs under its ``kind`` tag (a class decorator)."""
    tag = kind_class.model_fields["kind"].default
    if tag in _KINDS and _KINDS[tag] is not kind_class:
        raise ValueError(f"level kind {tag!r} is registered twice")
    _KINDS[tag] = kind_class
    return kind_class


def _parse_level(value: object) -> object:
    """A level's JSON (or dict) as the instance of the kind its ``kind`` tag names."""
    if not isinstance(value, Mapping):
        return value
    tag = value.get("kind")
    if tag not in _KINDS:
        raise ValueError(f"unknown level kind {tag!r}; known: {sorted(_KINDS)}")
    return _KINDS[tag].model_validate(value)


Level = Annotated[SerializeAsAny[LevelKind], BeforeValidator(_parse_level)]
"""A level of a comparison in a spec: any registered kind, told apart by its ``kind`` tag."""
