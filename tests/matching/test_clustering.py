"""Specification of dedupe clustering: connected components of pairs at or above a threshold."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.clustering import cluster_pairs
from matching.errors import MatchingError


def scored(rows: list[tuple[int, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32, "match_probability": pl.Float64},
        orient="row",
    )


def reference_components(edges: list[tuple[int, int]], n_records: int) -> list[int]:
    """Smallest member of each record's component, by repeated relabelling until stable."""
    label = list(range(n_records))
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            low = min(label[a], label[b])
            if label[a] != low or label[b] != low:
                label[a] = label[b] = low
                changed = True
    return label


def test_chain_of_links_forms_one_cluster_named_by_its_smallest_record() -> None:
    result = cluster_pairs(scored([(4, 5, 0.99), (2, 5, 0.95), (0, 1, 0.2)]), 6, threshold=0.9)
    assert result["cluster_id"].to_list() == [0, 1, 2, 3, 2, 2]


def test_pair_exactly_at_threshold_links() -> None:
    result = cluster_pairs(scored([(0, 1, 0.9)]), 2, threshold=0.9)
    assert result["cluster_id"].to_list() == [0, 0]


def test_records_without_pairs_are_singletons() -> None:
    result = cluster_pairs(scored([]), 3, threshold=0.5)
    assert result.rows() == [(0, 0), (1, 1), (2, 2)]
    assert result.schema == pl.Schema({"idx": pl.UInt32, "cluster_id": pl.UInt32})


def test_threshold_may_apply_to_match_weight() -> None:
    pairs = pl.DataFrame({"idx_l": [0], "idx_r": [1], "match_weight": [7.5]})
    result = cluster_pairs(pairs, 2, threshold=5.0, score_column="match_weight")
    assert result["cluster_id"].to_list() == [0, 0]


def test_index_beyond_record_count_is_rejected() -> None:
    with pytest.raises(MatchingError, match="n_records"):
        cluster_pairs(scored([(0, 9, 1.0)]), 3, threshold=0.5)


edge_lists = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from([0.1, 0.5, 0.9, 1.0])),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(rows=edge_lists, seed=st.integers(0, 2**16))
def test_clusters_are_exactly_the_connected_components_above_threshold(
    rows: list[tuple[int, int, float]], seed: int
) -> None:
    frame = scored(rows)
    result = cluster_pairs(frame, 12, threshold=0.5)
    kept = [(a, b) for a, b, p in rows if p >= 0.5]
    assert result["cluster_id"].to_list() == reference_components(kept, 12)
    labels = result["cluster_id"].to_list()
    assert all(labels[a] == labels[b] for a, b in kept)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=seed)
    assert cluster_pairs(shuffled, 12, threshold=0.5).equals(result)
