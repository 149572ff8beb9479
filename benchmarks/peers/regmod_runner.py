"""regmod's matching engine on a comparison dataset: block, train unsupervised, score, decide.

Links: 1:1 assignment of the pairs at probability ≥ 0.5 (tie margin 0, so every record gets its
best partner). Dedupe: every pair at probability ≥ 0.5.
"""

from __future__ import annotations

import time

import polars as pl

from benchmarks.peers.datasets import Dataset
from benchmarks.peers.result import ToolResult
from matching import Linker
from matching.assignment import ASSIGNED, assign_one_to_one

THRESHOLD = 0.5


def run_regmod(dataset: Dataset) -> ToolResult:
    """Run the engine on ``dataset``, timing each stage."""
    started = time.perf_counter()
    linker = Linker(dataset.left, dataset.right, dataset.spec)
    pairs = linker.blocking.pairs()
    blocked = time.perf_counter()
    linker.training.train()
    scored = linker.inference.predict(keep_components=False).filter(
        pl.col("match_probability") >= THRESHOLD
    )
    scored_at = time.perf_counter()
    if dataset.right is not None:
        chosen = assign_one_to_one(scored, tie_margin=0.0).filter(pl.col("status") == ASSIGNED)
    else:
        chosen = scored
    finished = time.perf_counter()

    right = dataset.left if dataset.right is None else dataset.right
    ids_l = dataset.left[dataset.id_column].gather(chosen["idx_l"]).to_list()
    ids_r = right[dataset.id_column].gather(chosen["idx_r"]).to_list()
    return ToolResult(
        timings={
            "block": blocked - started,
            "compare+train+score": scored_at - blocked,
            "decide": finished - scored_at,
            "total": finished - started,
        },
        candidate_pairs=pairs.height,
        predicted=[(str(a), str(b)) for a, b in zip(ids_l, ids_r, strict=True)],
    )
