"""Benchmarks of the stages after scoring: 1:1 assignment, dedupe clustering, online queries.

Full size (1M pairs, 1M reference rows) with ``--benchmark-only``; ``--benchmark-disable`` smoke-runs
the same code on a few thousand rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from matching.assignment import ASSIGNED, assign_one_to_one
from matching.clustering import cluster_pairs
from matching.model import ComparisonParameters, Parameters, TrainedModel
from matching.online import OnlineIndex
from matching.spec import (
    DateColumns,
    LinkageSpec,
    block_on,
    date_comparison,
    exact_comparison,
    string_comparison,
)

FULL_PAIRS = 1_000_000
SMOKE_PAIRS = 5_000


def smoke_run(config: pytest.Config) -> bool:
    """True under ``--benchmark-disable``: run small, only to prove the code works."""
    return bool(config.getoption("benchmark_disable", default=False))


def linkage_like_pairs(n_pairs: int, seed: int = 7) -> pl.DataFrame:
    """Scored pairs shaped like a linkage run: 40 % true links with high weights, the rest noise."""
    rng = np.random.default_rng(seed)
    n_records = int(n_pairs * 0.4)
    n_noise = n_pairs - n_records
    frame = pl.DataFrame(
        {
            "idx_l": np.concatenate([np.arange(n_records), rng.integers(0, n_records, n_noise)]),
            "idx_r": np.concatenate(
                [rng.permutation(n_records), rng.integers(0, n_records, n_noise)]
            ),
            "match_weight": np.concatenate(
                [rng.normal(12.0, 3.0, n_records), rng.normal(-5.0, 6.0, n_noise)]
            ),
        },
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32, "match_weight": pl.Float64},
    )
    unique = frame.unique(["idx_l", "idx_r"], keep="first", maintain_order=True)
    return unique.with_columns(match_probability=1.0 / (1.0 + 2.0 ** -pl.col("match_weight")))


@pytest.fixture(scope="module")
def scored_pairs(request: pytest.FixtureRequest) -> pl.DataFrame:
    return linkage_like_pairs(SMOKE_PAIRS if smoke_run(request.config) else FULL_PAIRS)


def test_assignment_of_a_million_pairs(
    benchmark: BenchmarkFixture, scored_pairs: pl.DataFrame
) -> None:
    result = benchmark.pedantic(
        assign_one_to_one, args=(scored_pairs,), kwargs={"tie_margin": 1.0}, rounds=3
    )
    assigned = result.filter(status=ASSIGNED)
    assert assigned["idx_l"].n_unique() == assigned.height
    benchmark.extra_info["pairs"] = scored_pairs.height


def test_clustering_of_a_million_pairs(
    benchmark: BenchmarkFixture, scored_pairs: pl.DataFrame
) -> None:
    n_records = scored_pairs.select(pl.max_horizontal("idx_l", "idx_r").max()).item() + 1
    result = benchmark.pedantic(
        cluster_pairs,
        args=(scored_pairs, n_records),
        kwargs={"threshold": 0.5},
        rounds=3,
    )
    assert result.height == n_records
    benchmark.extra_info["pairs"] = scored_pairs.height


FULL_REFERENCE = 1_000_000
SMOKE_REFERENCE = 5_000
QUERIES = 300


def synthetic_model() -> TrainedModel:
    """A generic person spec with plausible parameters (latency does not depend on their values)."""
    date = DateColumns(year="birth_year", month="birth_month", day="birth_day")
    spec = LinkageSpec(
        record_id="rec_id",
        blocking=[
            block_on("surname", "birth_year"),
            block_on("birth_year", "birth_month", "birth_day"),
        ],
        comparisons=[
            string_comparison("first_name"),
            string_comparison("surname", term_frequency=True),
            date_comparison("birth_date", date),
            exact_comparison("postcode"),
        ],
    )

    def parameters(levels: int) -> ComparisonParameters:
        m = np.geomspace(1.0, 0.01, levels)
        u = np.geomspace(0.01, 1.0, levels)
        return ComparisonParameters(m=list(m / m.sum()), u=list(u / u.sum()))

    return TrainedModel(
        spec=spec,
        parameters=Parameters(
            prior=1e-6,
            comparisons={c.name: parameters(len(c.agreement_levels)) for c in spec.comparisons},
            term_frequencies={"surname": {"s17": 0.001, "s4242": 0.0002}},
        ),
    )


def synthetic_reference(rows: int, seed: int = 11) -> pl.DataFrame:
    """People with 5,000 first names, 20,000 surnames and birth dates over 80 years."""
    rng = np.random.default_rng(seed)
    first = np.array([f"f{i}" for i in range(5_000)])
    surnames = np.array([f"s{i}" for i in range(20_000)])
    return pl.DataFrame(
        {
            "rec_id": np.arange(rows),
            "first_name": first[rng.integers(0, first.size, rows)],
            "surname": surnames[rng.integers(0, surnames.size, rows)],
            "birth_year": rng.integers(1930, 2010, rows).astype(np.int16),
            "birth_month": rng.integers(1, 13, rows).astype(np.int8),
            "birth_day": rng.integers(1, 29, rows).astype(np.int8),
            "postcode": rng.integers(10_000, 99_999, rows).astype(str),
        }
    )


def test_online_query_latency_on_a_million_row_reference(
    benchmark: BenchmarkFixture, request: pytest.FixtureRequest
) -> None:
    rows = SMOKE_REFERENCE if smoke_run(request.config) else FULL_REFERENCE
    reference = synthetic_reference(rows)
    index = OnlineIndex(reference, synthetic_model())
    queries = iter(reference.sample(QUERIES, seed=3, with_replacement=True).iter_rows(named=True))

    def next_query() -> tuple[tuple[dict[str, object]], dict[str, object]]:
        return (next(queries),), {}

    result = benchmark.pedantic(index.query, setup=next_query, rounds=QUERIES - 1)
    assert result.candidates.height >= 1
    if benchmark.stats is not None:
        latencies = np.array(benchmark.stats.stats.data) * 1e3
        benchmark.extra_info["p50_ms"] = float(np.percentile(latencies, 50))
        benchmark.extra_info["p99_ms"] = float(np.percentile(latencies, 99))
    benchmark.extra_info["reference_rows"] = rows
