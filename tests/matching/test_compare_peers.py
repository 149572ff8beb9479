"""The side-by-side benchmark gives recordlinkage one comparison per regmod comparison."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from benchmarks import instructions
from benchmarks.compare import Measurement, speed_up
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
        ("several_first_names_text", "jarowinkler", 0.9),
        ("birth_date_text", "damerau_levenshtein", 0.875),
        ("birth_place_search", "jarowinkler", 0.9),
    ]
    assert dataset.exact_comparisons() == ["postcode", "generation", "sex"]
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


def test_speed_up_gives_the_ratio_of_medians_and_the_range_over_repeats() -> None:
    def run(total: float) -> Measurement:
        return Measurement({"total": total}, 1, 1.0, 1.0, 1.0, 1.0, 1.0)

    runs = {
        "regmod": [run(1.0), run(2.0), run(1.2)],
        "recordlinkage": [run(10.0), run(12.0), run(14.4)],
    }
    assert speed_up(runs) == "speed-up ×10.0 (repeats ×6.0–12.0)"
    assert speed_up({tool: measured[:1] for tool, measured in runs.items()}) == "speed-up ×10.0"
