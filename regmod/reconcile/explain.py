"""Why a record was decided as it was: the comparison levels of its candidate pairs are kept in the
run directory (``candidates.parquet``), and the model re-scores them into a waterfall whose steps
sum exactly to the match weight."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from matching.contradictions import contradicting
from matching.gamma import NULL_LEVEL, gamma_column
from matching.model import TrainedModel
from matching.scoring import bayes_factor_column, score, tf_adjustment_column
from regmod.errors import ConfigurationError, NotFoundError
from regmod.linkage import with_decisive_evidence
from regmod.reconcile.decide import MATCH, NO_MATCH, REVIEW, Decisions
from regmod.reconcile.report import Waterfall
from regmod.reconcile.rundir import read_table
from regmod.record import RECORD_ID

EXAMPLES_PER_DECISION = 2
_DECISION_TABLES = {"links": MATCH, "review": REVIEW, "unmatched": NO_MATCH}


def candidate_levels(
    decisions: Decisions, scored: pl.DataFrame, register: pl.DataFrame, reference: pl.DataFrame
) -> pl.DataFrame:
    """Comparison levels (and term frequencies) of every decided pair and review candidate:
    ``record_id, idnr, gamma_*, tf_*``, sorted by record id and IDNr."""
    wanted = pl.concat(
        [
            decisions.records.select("idx_l", "idx_r").drop_nulls(),
            decisions.review_candidates.select("idx_l", "idx_r"),
        ]
    ).unique()
    level_columns = [c for c in scored.columns if c.startswith(("gamma_", "tf_"))]
    kept = scored.join(wanted, on=["idx_l", "idx_r"], how="semi")
    return (
        kept.with_columns(
            pl.lit(register[RECORD_ID]).gather(pl.col("idx_l")).alias(RECORD_ID),
            pl.lit(reference["idnr"]).gather(pl.col("idx_r")).alias("idnr"),
        )
        .select(RECORD_ID, "idnr", *level_columns)
        .sort(RECORD_ID, "idnr")
    )


def waterfall_of(
    model: TrainedModel, levels_row: pl.DataFrame, decision: str, reason: str | None = None
) -> Waterfall:
    """The waterfall of one candidate pair (a one-row frame of ``candidate_levels``)."""
    scored = score(levels_row, model).row(0, named=True)
    decisive = with_decisive_evidence(model.spec)
    levels = {c.name: int(scored[gamma_column(c.name)]) for c in decisive.comparisons}
    steps: list[tuple[str, float]] = [("prior", model.parameters.prior_weight)]
    for comparison in model.spec.comparisons:
        level = scored[gamma_column(comparison.name)]
        label = "null" if level == NULL_LEVEL else comparison.level_labels()[level]
        steps.append((f"{comparison.name}: {label}", scored[bayes_factor_column(comparison.name)]))
        if comparison.term_frequency is not None:
            adjustment = scored[tf_adjustment_column(comparison.name)]
            steps.append((f"{comparison.name}: value frequency", adjustment))
    return Waterfall(
        record_id=str(scored[RECORD_ID]),
        idnr=str(scored["idnr"]),
        decision=decision,
        steps=steps,
        contradictions=contradicting(decisive, levels),
        reason=reason,
    )


def sample_waterfalls(model: TrainedModel, tables: Mapping[str, pl.DataFrame]) -> list[Waterfall]:
    """A few example decisions of each kind for the report (first by record id: reproducible)."""
    candidates = tables["candidates"]
    examples: list[Waterfall] = []
    for table, decision in _DECISION_TABLES.items():
        idnr = "best_idnr" if table == "unmatched" else "idnr"
        chosen = (
            tables[table]
            .select(RECORD_ID, pl.col(idnr).alias("idnr"))
            .drop_nulls()
            .unique(RECORD_ID, keep="first", maintain_order=True)
            .head(EXAMPLES_PER_DECISION)
        )
        for record_id, candidate in chosen.iter_rows():
            row = _levels_row(candidates, record_id, candidate)
            examples.append(waterfall_of(model, row, decision))
    return examples


def explain_record(run_dir: Path, record_id: str, idnr: str | None = None) -> Waterfall:
    """The waterfall of ``record_id``'s decided (or best) candidate, or of ``idnr`` when given."""
    model_path = run_dir / "model.json"
    if not model_path.is_file():
        raise ConfigurationError(f"{run_dir} is not a run directory: model.json is missing")
    model = TrainedModel.load(model_path)
    decision, decided = _decision_of(run_dir, record_id)
    candidate = idnr or decided
    if candidate is None:
        raise NotFoundError(f"record {record_id!r} had no candidate pair; nothing to explain")
    row = _levels_row(read_table(run_dir, "candidates"), record_id, candidate)
    reason = _review_reason(run_dir, record_id) if decision == REVIEW else None
    return waterfall_of(model, row, decision if candidate == decided else "candidate", reason)


def _review_reason(run_dir: Path, record_id: str) -> str | None:
    """Why a record in review was not linked (runs written before reasons existed: None)."""
    review = read_table(run_dir, "review").filter(pl.col(RECORD_ID) == record_id)
    return review["reason"][0] if "reason" in review.columns and review.height else None


def _decision_of(run_dir: Path, record_id: str) -> tuple[str, str | None]:
    for table, decision in _DECISION_TABLES.items():
        frame = read_table(run_dir, table).filter(pl.col(RECORD_ID) == record_id)
        if frame.height:
            column = "best_idnr" if table == "unmatched" else "idnr"
            return decision, frame[column][0]
    raise NotFoundError(
        f"record {record_id!r} is not among the decided records of {run_dir} "
        "(quarantined, or a typo in the record id)"
    )


def _levels_row(candidates: pl.DataFrame, record_id: str, idnr: str) -> pl.DataFrame:
    row = candidates.filter((pl.col(RECORD_ID) == record_id) & (pl.col("idnr") == idnr))
    if row.is_empty():
        raise NotFoundError(f"IDNr {idnr} was not a candidate of record {record_id!r}")
    return row.head(1)
