"""recordlinkage on a comparison dataset: its blocking, comparisons and unsupervised ECM.

Comparisons run with recordlinkage's default ``n_jobs=1``, its fastest setting on the 2-core
benchmark machine (``n_jobs=2`` measured 5–6 times slower on German 100k, see benchmarks/README.md).
"""

from __future__ import annotations

import time

import recordlinkage as rl

from benchmarks.peers.datasets import Dataset
from benchmarks.peers.result import ToolResult


def run_recordlinkage(dataset: Dataset) -> ToolResult:
    """Block, compare and classify ``dataset`` with recordlinkage, timing each stage."""
    left = dataset.left.to_pandas().set_index(dataset.id_column)
    right = (
        None if dataset.right is None else dataset.right.to_pandas().set_index(dataset.id_column)
    )
    frames = (left,) if right is None else (left, right)

    started = time.perf_counter()
    indexer = rl.Index()
    for keys in dataset.blocking_keys():
        indexer.block(left_on=keys, right_on=keys)
    pairs = indexer.index(*frames)
    blocked = time.perf_counter()

    compare = rl.Compare()
    for column, method, threshold in dataset.string_comparisons():
        compare.string(column, column, method=method, threshold=threshold, label=column)
    for column in dataset.exact_comparisons():
        compare.exact(column, column, label=column)
    features = compare.compute(pairs, *frames)

    matches = rl.ECMClassifier(binarize=None).fit_predict(features)
    finished = time.perf_counter()

    return ToolResult(
        timings={
            "block": blocked - started,
            "compare+train+score": finished - blocked,
            "decide": 0.0,
            "total": finished - started,
        },
        candidate_pairs=len(pairs),
        predicted=[(str(a), str(b)) for a, b in matches],
    )
