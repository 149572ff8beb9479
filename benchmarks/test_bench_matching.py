"""Matching-engine benchmarks: FEBRL4 end to end, and the string kernels against the comparison
stage. ``pytest benchmarks --benchmark-disable`` smoke-runs them once on small inputs."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from rapidfuzz import distance, process

from benchmarks.febrl4 import best_per_left, febrl_spec, load_febrl4
from benchmarks.scale_matching import random_words
from matching import LinkageSpec, Linker, block_on, compute_levels, prepare, string_comparison
from matching.kernels import similarity_expr

PAIRS = 1_000_000


@pytest.fixture(scope="module")
def name_pairs(request: pytest.FixtureRequest) -> pl.DataFrame:
    """Random name pairs drawn from 20 000 names (so values repeat, as names do)."""
    disabled = request.config.getoption("benchmark_disable", default=False)
    count = 20_000 if disabled else PAIRS
    rng = np.random.default_rng(0)
    names = np.array(random_words(rng, 20_000, 4, 9))
    return pl.DataFrame(
        {
            "a": names[rng.integers(0, len(names), count)],
            "b": names[rng.integers(0, len(names), count)],
        }
    )


def test_febrl4_end_to_end(benchmark: pytest.FixtureRequest) -> None:
    left, right, _ = load_febrl4()

    def run() -> pl.DataFrame:
        linker = Linker(left, right, febrl_spec())
        linker.training.train()
        return best_per_left(linker.inference.predict(keep_components=False), 0.5)

    selected = benchmark(run)  # type: ignore[operator]
    assert selected.height > 4900


def test_kernel_polars_ds_jaro_winkler(
    benchmark: pytest.FixtureRequest, name_pairs: pl.DataFrame
) -> None:
    expr = similarity_expr(pl.col("a"), pl.col("b"), "jaro_winkler", rows=name_pairs.height)
    benchmark(lambda: name_pairs.select(expr))  # type: ignore[operator]


def test_kernel_rapidfuzz_cpdist_jaro_winkler(
    benchmark: pytest.FixtureRequest, name_pairs: pl.DataFrame
) -> None:
    def run() -> object:
        return process.cpdist(
            name_pairs["a"].to_list(),
            name_pairs["b"].to_list(),
            scorer=distance.JaroWinkler.normalized_similarity,
            workers=-1,
        )

    benchmark(run)  # type: ignore[operator]


def test_comparison_stage_two_jaro_winkler_levels(
    benchmark: pytest.FixtureRequest, name_pairs: pl.DataFrame
) -> None:
    spec = LinkageSpec(
        record_id="a",
        blocking=[block_on("a")],
        comparisons=[string_comparison("name", thresholds=(0.92, 0.8))],
    )
    left = name_pairs.select(pl.col("a").alias("name"))
    right = name_pairs.select(pl.col("b").alias("name"))
    index = pl.Series(range(name_pairs.height), dtype=pl.UInt32)
    pairs = pl.DataFrame({"idx_l": index, "idx_r": index})
    prepared = prepare(left, right, spec)  # once per frame pair, not per pair: outside the timing
    result = benchmark(lambda: compute_levels(prepared, pairs, spec))  # type: ignore[operator]
    assert result.height == name_pairs.height
