"""Quality of a run per case kind: precision and recall of the automatic links, review share,
wrong links, and the purity of the reported duplicate clusters, scored against a truth table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

UNLABELLED = "unlabelled"
"""Case kind of every record when the truth has no ``case_kind`` column."""
ALL = "all"
"""Case kind of the aggregate row."""
_ALIASES = {"Ordnungsmerkmal": "record_id", "IdNr": "idnr"}


def read_case_truth(path: Path) -> pl.DataFrame:
    """``record_id, idnr, person_id, case_kind`` from a ``;`` truth file of either fixture family."""
    frame = pl.read_csv(path, separator=";", infer_schema=False)
    frame = frame.rename({old: new for old, new in _ALIASES.items() if old in frame.columns})
    if "case_kind" not in frame.columns:
        frame = frame.with_columns(case_kind=pl.lit(UNLABELLED))
    return frame.select(
        "record_id",
        pl.col("idnr").replace("", None),
        "person_id",
        "case_kind",
    )


def _scores(frame: pl.LazyFrame | pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Counts and ratios per group of ``frame`` (one row per register record)."""
    true_link = pl.col("idnr").is_not_null()
    linked = pl.col("linked_idnr").is_not_null()
    correct = linked & (pl.col("linked_idnr") == pl.col("idnr")).fill_null(False)
    aggregated = (
        frame.lazy()
        .group_by(by)
        .agg(
            records=pl.len(),
            true_links=true_link.sum(),
            automatic_links=linked.sum(),
            correct_links=correct.sum(),
            in_review=pl.col("in_review").sum(),
        )
        .collect()
    )
    return aggregated.with_columns(
        wrong_links=pl.col("automatic_links") - pl.col("correct_links"),
        precision=pl.when(pl.col("automatic_links") > 0).then(
            pl.col("correct_links") / pl.col("automatic_links")
        ),
        recall=pl.when(pl.col("true_links") > 0).then(
            pl.col("correct_links") / pl.col("true_links")
        ),
        review_share=pl.col("in_review") / pl.col("records"),
    )


def case_table(truth: pl.DataFrame, links: pl.DataFrame, review: pl.DataFrame) -> pl.DataFrame:
    """One row per case kind and an aggregate row ``all`` (last): ``records, true_links,
    automatic_links, correct_links, wrong_links, precision, recall, review_share``; a precision
    or recall without a denominator is null. A link counts as correct only to the true IDNr."""
    records = truth.join(
        links.select("record_id", linked_idnr="idnr"), on="record_id", how="left"
    ).with_columns(in_review=pl.col("record_id").is_in(review["record_id"].implode()))
    per_kind = _scores(records, ["case_kind"]).sort("case_kind")
    overall = _scores(records.with_columns(case_kind=pl.lit(ALL)), ["case_kind"])
    return pl.concat([per_kind, overall])


@dataclass(frozen=True)
class ClusterPurity:
    """How many reported duplicate clusters there are and how many hold one true person only."""

    clusters: int
    pure: int

    @property
    def share(self) -> float:
        """Share of pure clusters (1.0 when no cluster was reported)."""
        return self.pure / self.clusters if self.clusters else 1.0


def cluster_purity(truth: pl.DataFrame, duplicates: pl.DataFrame) -> ClusterPurity:
    """Purity of ``duplicates`` (``cluster_id, record_id``): a cluster is pure when all its records
    belong to one person of the truth."""
    persons = (
        duplicates.join(truth.select("record_id", "person_id"), on="record_id", how="left")
        .group_by("cluster_id")
        .agg(pure=(pl.col("person_id").n_unique() == 1) & pl.col("person_id").is_not_null().all())
    )
    return ClusterPurity(clusters=persons.height, pure=int(persons["pure"].sum()))
