"""A level kind is one class: a toy kind written here alone runs in batch, Polars and online."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from matching import (
    Comparison,
    ElseLevel,
    ExactLevel,
    LinkageSpec,
    NullLevel,
    block_on,
    compare,
    register_level,
)
from matching.comparisons import level_expressions
from matching.gamma import gamma_column
from matching.levels import PairedLevel, Suffixes
from matching.query_levels import query_levels
from matching.query_pairs import QueryPairs, never, reference_columns

if TYPE_CHECKING:
    from matching.query_pairs import Candidate


@register_level
class SameStartLevel(PairedLevel):
    """The first ``length`` characters of two strings are equal (toy kind for this test only)."""

    kind: Literal["same_start"] = "same_start"
    length: int = 1

    def pair_expression(self, left_name: str, right_name: str, sides: Suffixes) -> pl.Expr:
        left, right = sides.pair(left_name, right_name)
        return left.str.slice(0, self.length) == right.str.slice(0, self.length)

    def pair_candidate(self, left: str, right: str, pairs: QueryPairs) -> Candidate:
        value = pairs.query[left]
        if value is None:
            return never
        start = value[: self.length]
        return pairs.where(lambda other: other[: self.length] == start, right)

    def label(self) -> str:
        return f"first {self.length} characters {self.columns_label()}".strip()


SPEC = LinkageSpec(
    record_id="id",
    blocking=[block_on("name")],
    comparisons=[
        Comparison(
            name="name",
            column="name",
            levels=[
                NullLevel(),
                ExactLevel(),
                SameStartLevel(length=3),
                SameStartLevel(pairs=[("name", "nickname")]),
                ElseLevel(),
            ],
        )
    ],
)
SCHEMA = {"name": pl.String, "nickname": pl.String}


def batch(query: dict[str, Any], reference: pl.DataFrame) -> list[int]:
    left = pl.DataFrame([query], schema=SCHEMA)
    pairs = pl.DataFrame(
        {"idx_l": [0] * reference.height, "idx_r": list(range(reference.height))},
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32},
    )
    result: list[int] = compare(left, reference, pairs, SPEC)[gamma_column("name")].to_list()
    return result


def polars(query: dict[str, Any], reference: pl.DataFrame) -> list[int]:
    both = pl.concat(
        [
            pl.DataFrame([query] * reference.height, schema=SCHEMA).rename(lambda c: f"{c}_l"),
            reference.rename(lambda c: f"{c}_r"),
        ],
        how="horizontal",
    )
    result: list[int] = both.select(level_expressions(SPEC, SCHEMA)).to_series().to_list()
    return result


def online(query: dict[str, Any], reference: pl.DataFrame) -> list[int]:
    rows = np.arange(reference.height, dtype=np.uint32)
    pairs = QueryPairs(query, reference_columns(reference), rows)
    result: list[int] = query_levels(SPEC.comparisons[0], pairs).tolist()
    return result


def test_the_toy_kind_gives_its_levels_three_ways() -> None:
    query = {"name": "martina", "nickname": "tina"}
    reference = pl.DataFrame(
        {
            "name": ["martina", "marta", "tina", "mia", None, "x"],
            "nickname": ["x", "y", "z", "m", "m", None],
        },
        schema=SCHEMA,
    )
    expected = [0, 1, 3, 2, -1, 3]
    assert batch(query, reference) == expected
    assert polars(query, reference) == expected
    assert online(query, reference) == expected


def test_the_toy_kind_travels_in_the_spec_json_and_labels_itself() -> None:
    assert LinkageSpec.model_validate_json(SPEC.model_dump_json()) == SPEC
    assert '"kind":"same_start","length":3' in SPEC.model_dump_json()
    assert SPEC.comparisons[0].level_labels()[1:3] == [
        "first 3 characters",
        "first 1 characters [name~nickname]",
    ]


def test_an_unknown_kind_is_refused_naming_the_known_ones() -> None:
    data = json.loads(SPEC.model_dump_json())
    data["comparisons"][0]["levels"][2]["kind"] = "soundalike"
    with pytest.raises(
        ValidationError, match=r"unknown level kind 'soundalike'; known: \[.*'exact'"
    ):
        LinkageSpec.model_validate(data)


names = st.one_of(st.none(), st.text(alphabet="abß", max_size=4))
records = st.fixed_dictionaries({"name": names, "nickname": names})


@settings(max_examples=200, deadline=None)
@given(query=records, reference=st.lists(records, min_size=1, max_size=6))
def test_batch_polars_and_online_agree_on_the_toy_kind(
    query: dict[str, Any], reference: list[dict[str, Any]]
) -> None:
    frame = pl.DataFrame(reference, schema=SCHEMA)
    assert batch(query, frame) == polars(query, frame) == online(query, frame)
