"""The recordlinkage side of the comparison: same blocking keys, comparable comparisons, ECM.

The configuration is the fair, documented one from benchmarks/README.md: every blocking rule of the
regmod spec becomes one ``Index.block`` call (recordlinkage unions them), string comparisons are
Jaro–Winkler at the threshold regmod's top similarity level uses, the rest exact, and the
unsupervised ECM classifier decides.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import recordlinkage as rl

from benchmarks.peers.datasets import Dataset


@dataclass(frozen=True)
class PeerResult:
    """Stage timings (seconds), candidate pairs and the predicted links as record-id pairs."""

    timings: dict[str, float]
    candidate_pairs: int
    predicted: set[tuple[str, str]]


def run_recordlinkage(dataset: Dataset) -> PeerResult:
    """Block, compare and classify ``dataset`` with recordlinkage, timing each stage."""
    left = dataset.left.to_pandas().set_index(dataset.id_column)
    right = (
        left if dataset.right is None else dataset.right.to_pandas().set_index(dataset.id_column)
    )

    started = time.perf_counter()
    indexer = rl.Index()
    for key in dataset.blocking_keys:
        indexer.block(left_on=list(key), right_on=list(key))
    pairs = indexer.index(left) if dataset.right is None else indexer.index(left, right)
    blocked = time.perf_counter()

    compare = rl.Compare()
    for column in dataset.string_columns:
        compare.string(column, column, method="jarowinkler", threshold=0.88, label=column)
    for column in dataset.exact_columns:
        compare.exact(column, column, label=column)
    features = (
        compare.compute(pairs, left)
        if dataset.right is None
        else compare.compute(pairs, left, right)
    )
    compared = time.perf_counter()

    classifier = rl.ECMClassifier(binarize=None)
    matches: pd.MultiIndex = classifier.fit_predict(features)
    classified = time.perf_counter()

    predicted = {(str(a), str(b)) for a, b in matches}
    return PeerResult(
        timings={
            "block": blocked - started,
            "compare": compared - blocked,
            "train+score": classified - compared,
            "total": classified - started,
        },
        candidate_pairs=len(pairs),
        predicted=predicted,
    )
