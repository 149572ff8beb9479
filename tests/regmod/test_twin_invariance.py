"""A register record's decision does not change when an unrelated twin of it is added to the
register: the twin's record never takes its IDNr, and the record keeps its own (same models)."""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import Linker
from matching.model import TrainedModel
from regmod.ingest import read_register
from regmod.linkage import german_spec, linkage_keys
from regmod.normalize.single import normalised_values
from regmod.reconcile import engine
from regmod.reconcile.decide import MATCH, DecisionRules, Decisions, decide
from regmod.reconcile.run import linkable, sample_files
from regmod.record import RAW_FIELDS, RECORD_ID, raw_column

RULES = DecisionRules(match_threshold=0.999, review_threshold=0.5, tie_margin=4.0)
TWIN_NAMES = ["Xaver", "Quirin", "Yvonne", "Zeynep", "Ottokar", "Wiebke"]


@cache
def _world() -> tuple[pl.DataFrame, pl.DataFrame, TrainedModel, TrainedModel]:
    files = sample_files()
    register = linkable(read_register(files.register))
    reference = linkable(read_register(files.reference))
    spec = german_spec()
    model = engine.link(register, reference, spec).model
    dedupe = Linker(register, None, spec.model_copy(update={"link_type": "dedupe"}))
    return register, reference, model, dedupe.training.train()


def _decisions(register: pl.DataFrame) -> Decisions:
    _, reference, model, dedupe_model = _world()
    linked = engine.link(register, reference, model.spec, model)
    dedupe = engine.register_pairs(register, model.spec, dedupe_model)
    return decide(linked.scored, dedupe, register.height, RULES)


@cache
def _before() -> pl.DataFrame:
    return _decisions(_world()[0]).records


def _twin_of(row: dict[str, Any], first_name: str) -> dict[str, Any]:
    raw = {raw_column(f): row.get(raw_column(f)) for f in RAW_FIELDS}
    raw[raw_column("first_names")] = first_name
    values = normalised_values(raw)
    return {**row, **raw, **values, **linkage_keys(values), RECORD_ID: "T-TWIN"}


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(TWIN_NAMES))
def test_a_twin_added_to_the_register_changes_no_decision(pick: int, name: str) -> None:
    register = _world()[0]
    before = _before()
    linked = before.filter(pl.col("decision") == MATCH)
    index = int(linked["idx_l"][pick % linked.height])
    row = register.row(index, named=True)
    twin = pl.DataFrame([_twin_of(row, name)], schema=register.schema)
    after = _decisions(pl.concat([register, twin])).records
    assert after.head(register.height).equals(before)
    twin = after.row(register.height, named=True)
    assert twin["idx_r"] == before["idx_r"][index]  # its best candidate is the sibling's IDNr …
    assert twin["decision"] != MATCH  # … and is never linked: the first names contradict
