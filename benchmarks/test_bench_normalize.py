"""Normalisation throughput on sampled raw records; ``benchmarks/normalize_1m.py`` runs 1M."""

from __future__ import annotations

import polars as pl
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.normalize_1m import raw_records
from regmod.normalize import normalise
from regmod.record import NORMALISED_SCHEMA


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    return raw_records(20_000)


def test_bench_normalise_20k_records(benchmark: BenchmarkFixture, raw: pl.DataFrame) -> None:
    result = benchmark(normalise, raw)
    assert result.height == raw.height
    assert set(NORMALISED_SCHEMA) <= set(result.columns)
