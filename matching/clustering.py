"""Clusters for deduplication: connected components of the pairs scored at or above a threshold."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.errors import MatchingError


def cluster_pairs(
    pairs: pl.DataFrame,
    n_records: int,
    *,
    threshold: float,
    score_column: str = "match_probability",
) -> pl.DataFrame:
    """Label each of ``n_records`` records with its cluster: the smallest record index in it.

    Pairs with ``score_column >= threshold`` link their two records; records in no such pair are
    singletons. Returns ``idx, cluster_id`` (both UInt32), one row per record, sorted by ``idx``.

    >>> pairs = pl.DataFrame({"idx_l": [3, 0], "idx_r": [4, 3], "match_probability": [0.99, 0.97]})
    >>> cluster_pairs(pairs, 5, threshold=0.9)["cluster_id"].to_list()
    [0, 1, 2, 0, 0]
    """
    missing = [c for c in ("idx_l", "idx_r", score_column) if c not in pairs.columns]
    if missing:
        raise MatchingError(
            f"pair frame lacks column(s) {missing}; expected idx_l, idx_r and {score_column!r}"
        )
    links = pairs.filter(pl.col(score_column) >= threshold)
    left = links["idx_l"].cast(pl.Int64).to_numpy()
    right = links["idx_r"].cast(pl.Int64).to_numpy()
    if links.height and max(int(left.max()), int(right.max())) >= n_records:
        raise MatchingError(
            f"pair frame refers to record index {max(int(left.max()), int(right.max()))} "
            f"but n_records is {n_records}; pass the number of rows of the deduplicated frame"
        )
    labels = connected_component_labels(left, right, n_records)
    return pl.DataFrame(
        {
            "idx": pl.Series(np.arange(n_records), dtype=pl.UInt32),
            "cluster_id": pl.Series(labels, dtype=pl.UInt32),
        }
    )


def connected_component_labels(
    left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], n_nodes: int
) -> npt.NDArray[np.int64]:
    """Label every node with the smallest node of its component (edges ``left[i]``–``right[i]``).

    Hooks each larger root under the smaller one along every edge, then jumps pointers until each
    node points at its root; a node's parent never exceeds it, so the final root is the minimum.
    """
    parent = np.arange(n_nodes, dtype=np.int64)
    while True:
        root_l, root_r = parent[left], parent[right]
        split = root_l != root_r
        if not split.any():
            return parent
        low = np.minimum(root_l[split], root_r[split])
        high = np.maximum(root_l[split], root_r[split])
        np.minimum.at(parent, high, low)
        while True:
            grandparent = parent[parent]
            if np.array_equal(grandparent, parent):
                break
            parent = grandparent
