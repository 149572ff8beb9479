"""Comparison level kinds, one module each, and ``Level``: the spec's field type for any of them.

A kind is a ``LevelKind`` subclass decorated with ``register_level``: its fields are its JSON in
the spec, its methods its condition in batch, as a Polars expression and online, and its label.
Adding a kind is adding a module (see docs/architecture.md) and importing it here.
"""

from matching.levels.base import ColumnPair, Level, LevelKind, Suffixes, register_level
from matching.levels.date import DateColumns, DateLevel
from matching.levels.else_level import ElseLevel
from matching.levels.exact import ExactLevel
from matching.levels.list_overlap import ListOverlapLevel
from matching.levels.null import NullLevel
from matching.levels.numeric import NumericLevel
from matching.levels.paired import PairedLevel
from matching.levels.similarity import SimilarityLevel

__all__ = [
    "ColumnPair",
    "DateColumns",
    "DateLevel",
    "ElseLevel",
    "ExactLevel",
    "Level",
    "LevelKind",
    "ListOverlapLevel",
    "NullLevel",
    "NumericLevel",
    "PairedLevel",
    "SimilarityLevel",
    "Suffixes",
    "register_level",
]
