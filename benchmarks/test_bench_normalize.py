"""Normalisation throughput on sampled raw records; ``benchmarks/normalize_1m.py`` runs 1M."""

from __future__ import annotations

import polars as pl
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.normalize_1m import raw_records
from regmod.normalize import normalise
from regmod.normalize.single import normalised_values
from regmod.record import NORMALISED_SCHEMA


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    return raw_records(20_000)


def test_bench_normalise_20k_records(benchmark: BenchmarkFixture, raw: pl.DataFrame) -> None:
    result = benchmark(normalise, raw)
    assert result.height == raw.height
    assert set(NORMALISED_SCHEMA) <= set(result.columns)


def test_bench_normalise_one_record_for_a_query(
    benchmark: BenchmarkFixture, raw: pl.DataFrame
) -> None:
    """The online path: one record by the scalar twins (``normalise`` of one row: ~30 ms)."""
    row = {name: raw[name][7] for name in raw.columns if name.endswith("_raw")}
    values = benchmark(normalised_values, row)
    assert set(values) == set(NORMALISED_SCHEMA)
