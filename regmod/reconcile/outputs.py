"""The tables of a run directory, assembled from decisions by row index (``gather``, no joins on
names), each sorted deterministically so a rerun writes the same bytes."""

from __future__ import annotations

import polars as pl

from regmod.reconcile.decide import MATCH, NO_MATCH, REVIEW, Decisions
from regmod.record import RECORD_ID


def _ids(frame: pl.DataFrame, column: str, index: pl.Expr) -> pl.Expr:
    """Gather ``frame[column]`` at the row indices ``index`` (nulls stay null)."""
    return pl.lit(frame[column]).gather(index)


def links_table(
    decisions: Decisions, register: pl.DataFrame, reference: pl.DataFrame, model_hash: str
) -> pl.DataFrame:
    """Automatic links: ``record_id, idnr, match_weight, match_probability, decision, model_hash``."""
    linked = decisions.records.filter(pl.col("decision") == MATCH)
    return (
        _with_ids(linked, register, reference)
        .select(
            RECORD_ID,
            "idnr",
            "match_weight",
            "match_probability",
            pl.lit(MATCH).alias("decision"),
            pl.lit(model_hash).alias("model_hash"),
        )
        .sort(RECORD_ID)
    )


def review_table(
    decisions: Decisions, register: pl.DataFrame, reference: pl.DataFrame, model_hash: str
) -> pl.DataFrame:
    """The review queue: per record its competing candidates, ``rank`` 1 the strongest, and
    ``reason``, why the record was not linked automatically."""
    reasons = decisions.records.select("idx_l", "reason")
    return (
        _with_ids(decisions.review_candidates.join(reasons, on="idx_l"), register, reference)
        .select(
            RECORD_ID,
            "idnr",
            "match_weight",
            "match_probability",
            "rank",
            "reason",
            pl.lit(model_hash).alias("model_hash"),
        )
        .sort(RECORD_ID, "rank")
    )


def unmatched_table(
    decisions: Decisions, register: pl.DataFrame, reference: pl.DataFrame
) -> pl.DataFrame:
    """Records with no link, with their best (rejected) candidate where there was one."""
    unmatched = decisions.records.filter(pl.col("decision") == NO_MATCH)
    return (
        _with_ids(unmatched, register, reference)
        .select(
            RECORD_ID,
            pl.col("idnr").alias("best_idnr"),
            "match_weight",
            "match_probability",
        )
        .sort(RECORD_ID)
    )


def duplicates_table(clusters: pl.DataFrame, register: pl.DataFrame) -> pl.DataFrame:
    """Clusters of register records that are the same person (clusters of one left out):
    ``cluster_id`` (smallest record id of the cluster), ``record_id``, ``cluster_size``."""
    named = clusters.select("cluster_id", _ids(register, RECORD_ID, pl.col("idx")).alias(RECORD_ID))
    return (
        named.with_columns(cluster_size=pl.len().over("cluster_id").cast(pl.UInt32))
        .filter(pl.col("cluster_size") > 1)
        .with_columns(pl.col(RECORD_ID).min().over("cluster_id").alias("cluster_id"))
        .select("cluster_id", RECORD_ID, "cluster_size")
        .sort("cluster_id", RECORD_ID)
    )


def decision_counts(decisions: Decisions) -> dict[str, int]:
    """Number of register records per decision."""
    column = decisions.records["decision"]
    return {name: int((column == name).sum()) for name in (MATCH, REVIEW, NO_MATCH)}


def _with_ids(frame: pl.DataFrame, register: pl.DataFrame, reference: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        _ids(register, RECORD_ID, pl.col("idx_l")).alias(RECORD_ID),
        _ids(reference, "idnr", pl.col("idx_r")).alias("idnr"),
    )
