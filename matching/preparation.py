"""Preparation of the frames to compare: the columns the comparisons read, text encoded once.

Strings that a string metric or term frequencies read are dictionary-encoded once (columns
compared with each other share codes), other strings compare as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from matching.arrays import Codes
from matching.errors import SpecError
from matching.spec import LinkageSpec, comparison_columns
from matching.term_frequencies import TermFrequencyTables, tf_by_code


@dataclass(frozen=True)
class PreparedFrames:
    """The columns the comparisons read; ``encoded`` strings as UInt32 codes into one dictionary."""

    left: pl.DataFrame
    right: pl.DataFrame
    dictionary: pl.Series
    encoded: frozenset[str]
    tf_by_code: dict[str, pl.Series] = field(default_factory=dict)
    per_record: dict[tuple[str, str], Codes] = field(default_factory=dict)
    """Values derived once per record and side (day numbers, list signatures), for every pair
    set compared."""
    deriving: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    """Held while deriving, so pair sets compared in parallel derive each value once."""

    def derived(self, side: str, name: str, derive: Callable[[pl.DataFrame], Codes]) -> Codes:
        """``derive`` (an integer per record, and where it is null) of the ``side`` frame."""
        key = (side, name)
        with self.deriving:
            if key not in self.per_record:
                self.per_record[key] = derive(self.left if side == "l" else self.right)
            return self.per_record[key]


def prepare(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    spec: LinkageSpec,
    tf_tables: TermFrequencyTables | None = None,
    text_codes: Mapping[str, tuple[pl.Series, pl.Series]] | None = None,
) -> PreparedFrames:
    """Select the comparison columns of both frames (``right=None``: dedupe) and encode the
    text columns that string metrics or term frequencies read; other text stays ``String``,
    unless ``text_codes`` (the blocking keys' codes, ``RuleIds.text_codes``) already hold codes
    for a column that only exact levels compare, and only with itself."""
    columns = sorted(set().union(*(comparison_columns(c) for c in spec.comparisons)))
    left_part = _select(left, columns, "left")
    right_part = left_part if right is None else _select(right, columns, "right")
    text = [name for name in columns if _is_text(left_part, right_part, name)]
    as_text = [pl.col(name).cast(pl.String) for name in text]
    left_part = left_part.with_columns(as_text)
    right_part = left_part if right is None else right_part.with_columns(as_text)
    groups = _dictionary_groups(spec, set(text))
    # A fresh set of categories per group: codes number the values in order of first sight.
    # Separate sets do not contend for one lock, and exact-only columns compare as strings,
    # which costs less than encoding them.
    categories = [pl.Categories.random() for _ in groups]
    encode = [
        pl.col(name).cast(pl.Categorical(group_categories)).to_physical()
        for group, group_categories in zip(groups, categories, strict=True)
        for name in group
    ]
    left_codes = left_part.with_columns(encode)
    right_codes = left_codes if right is None else right_part.with_columns(encode)
    # Each group's codes are shifted past the groups before it, into one shared code space.
    values = [group_categories.to_series() for group_categories in categories]
    offsets = np.cumsum([0, *(len(part) for part in values)])[:-1].tolist()
    # One chunk: gathering strings from a chunked series costs several times as much.
    dictionary = pl.concat([pl.Series(dtype=pl.String), *values]).rename("value").rechunk()
    shift = [
        (pl.col(name) + offset).cast(pl.UInt32)
        for group, offset in zip(groups, offsets, strict=True)
        for name in group
    ]
    encoded = frozenset(name for group in groups for name in group)
    # Reused codes compare as integers, cheaper than the strings, and cost nothing more.
    known = text_codes or {}
    reused = sorted((set(known) & set(text) & _compared_only_by_equality(spec)) - encoded)
    left_codes = left_codes.with_columns(*shift, *(known[name][0].alias(name) for name in reused))
    right_codes = (
        left_codes
        if right is None
        else right_codes.with_columns(*shift, *(known[name][1].alias(name) for name in reused))
    )
    return PreparedFrames(
        left=left_codes,
        right=right_codes,
        dictionary=dictionary,
        encoded=encoded,
        tf_by_code=tf_by_code(spec, dictionary, encoded, tf_tables or {}),
    )


def _dictionary_groups(spec: LinkageSpec, text: set[str]) -> list[list[str]]:
    """The text columns that need codes (read by a string metric or term frequencies), grouped
    so that columns compared with each other share one dictionary."""
    needed: set[str] = set()
    links: list[tuple[str, str]] = []
    for comparison in spec.comparisons:
        if comparison.tf_column is not None:
            needed.add(comparison.tf_column)
        for level in comparison.agreement_levels:
            for pair in level.compared_pairs(comparison):
                links.append(pair)
                if level.needs_codes:
                    needed.update(pair)
    group_of = {name: {name} for name in text}
    for left_name, right_name in links:
        if {left_name, right_name} <= text and group_of[left_name] is not group_of[right_name]:
            merged = group_of[left_name] | group_of[right_name]
            for name in merged:
                group_of[name] = merged
    groups = {id(group): sorted(group) for group in group_of.values() if group & needed}
    return sorted(groups.values())


def _compared_only_by_equality(spec: LinkageSpec) -> set[str]:
    """The columns that only exact levels read, each compared with itself alone (so any codes
    for which equal codes mean equal values stand in for the values)."""
    exact: set[str] = set()
    other: set[str] = set()
    for comparison in spec.comparisons:
        for level in comparison.agreement_levels:
            for left_name, right_name in level.compared_pairs(comparison):
                same = level.equality_only and left_name == right_name
                (exact if same else other).update((left_name, right_name))
    return exact - other


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
