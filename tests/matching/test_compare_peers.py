"""The side-by-side benchmark gives recordlinkage one comparison per regmod comparison."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from benchmarks import instructions
from benchmarks.febrl4 import febrl_spec
from benchmarks.peers.datasets import DATASETS, Dataset
from matching import LinkageSpec
from regmod.linkage import german_spec


def _dataset(spec: LinkageSpec) -> Dataset:
    return Dataset(name="t", left=pl.DataFrame(), right=None, spec=spec, truth=frozenset())


def test_every_german_comparison_reaches_recordlinkage() -> None:
    dataset = _dataset(german_spec())
    strings = dataset.string_comparisons()
    assert strings == [
        ("family_name_search", "jarowinkler", 0.94),
        ("first_name_search", "jarowinkler", 0.92),
        ("birth_date_text", "damerau_levenshtein", 0.875),
        ("birth_place_search", "jarowinkler", 0.9),
    ]
    assert dataset.exact_comparisons() == ["postcode", "sex"]
    assert len(strings) + len(dataset.exact_comparisons()) == len(german_spec().comparisons)


def test_febrl_comparisons_keep_their_metric_and_top_threshold() -> None:
    dataset = _dataset(febrl_spec())
    assert ("soc_sec_id", "levenshtein", 0.85) in dataset.string_comparisons()
    assert dataset.exact_comparisons() == ["street_number", "state"]


def test_instruction_counts_run_on_the_inputs_compare_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instructions, "folder", lambda name: tmp_path / name)
    instructions.save("febrl4")
    saved, built = instructions.load("febrl4"), DATASETS["febrl4"]()
    assert saved.left.equals(built.left)
    assert saved.right is not None and built.right is not None
    assert saved.right.equals(built.right)
    assert saved.spec == built.spec
    assert saved.truth == built.truth
