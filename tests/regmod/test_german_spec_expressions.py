"""The one-select level expressions agree with batch comparison on the German spec and real data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from matching import block, train
from matching.comparisons import compare, gamma_column, level_expressions
from matching.online import OnlineIndex
from matching.scoring import predict
from matching.spec import comparison_columns
from regmod.ingest import read_register
from regmod.linkage import german_spec, prepare_for_linkage

SAMPLE = Path(__file__).parents[2] / "fixtures" / "sample"


@pytest.fixture(scope="module")
def frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    register = prepare_for_linkage(read_register(SAMPLE / "register.csv").accepted)
    reference = prepare_for_linkage(read_register(SAMPLE / "reference.csv").accepted)
    return register.head(1500), reference


def test_level_expressions_equal_batch_levels_for_every_german_comparison(
    frames: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    register, reference = frames
    spec = german_spec()
    pairs = block(register, reference, spec)
    batch = compare(register, reference, pairs, spec)
    columns = sorted({c for rule in spec.comparisons for c in comparison_columns(rule)})
    gathered = pl.concat(
        [
            register.select(columns)[pairs["idx_l"]].rename({c: f"{c}_l" for c in columns}),
            reference.select(columns)[pairs["idx_r"]].rename({c: f"{c}_r" for c in columns}),
        ],
        how="horizontal",
    )
    expressed = gathered.select(level_expressions(spec, register.select(columns).schema))
    gammas = [gamma_column(c.name) for c in spec.comparisons]
    assert_frame_equal(expressed, batch.select(gammas))


def test_online_query_scores_like_batch_with_the_german_spec(
    frames: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    register, reference = frames
    spec = german_spec()
    model = train(register, reference, spec)
    index = OnlineIndex(reference, model)
    for row in (0, 7, 99, 512):
        query = register[row]
        result = index.query(query, top_k=50)
        pairs = pl.DataFrame(
            {"idx_l": [0] * result.candidates.height, "idx_r": result.candidates["idx_r"]},
            schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32},
        )
        batch = predict(query, reference, pairs, model)
        assert result.candidates.sort("idx_r")["match_weight"].to_list() == pytest.approx(
            batch.sort("idx_r")["match_weight"].to_list(), abs=1e-9
        )
