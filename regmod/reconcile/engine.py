"""The matching engine's stages as the run uses them: block, compare, train, score, dedupe.

Each function is pure (frames in, frames out); the register is the left frame, the reference the
right one, both already normalised and keyed by ``regmod.linkage.prepare_for_linkage``.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from matching.blocking import RuleIds, block, rule_ids
from matching.clustering import cluster_pairs
from matching.comparisons import compute_levels
from matching.model import ComparisonParameters, TrainedModel
from matching.preparation import PreparedFrames, prepare
from matching.scoring import score as score_levels
from matching.spec import LinkageSpec, Thresholds
from matching.term_frequencies import add_term_frequencies
from matching.training import train as train_unsupervised
from matching.training import train_from_labels
from regmod.errors import InputError
from regmod.record import RECORD_ID


@dataclass(frozen=True)
class Compared:
    """Candidate pairs with their comparison levels, and the encoded frames they came from."""

    prepared: PreparedFrames
    levels: pl.DataFrame


@dataclass(frozen=True)
class Blocked:
    """Candidate pairs and the blocking rule ids they came from, which training reuses."""

    pairs: pl.DataFrame
    ids: RuleIds


def block_pairs(left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec) -> Blocked:
    """Candidate pairs of ``spec``'s blocking rules (``right=None``: pairs within ``left``)."""
    ids = rule_ids(left, right, spec.blocking)
    return Blocked(pairs=block(left, right, spec, ids), ids=ids)


def compare_pairs(
    left: pl.DataFrame, right: pl.DataFrame | None, pairs: pl.DataFrame, spec: LinkageSpec
) -> Compared:
    """Comparison levels of ``pairs`` (``right=None``: pairs within ``left``)."""
    prepared = prepare(left, right, spec)
    return Compared(prepared=prepared, levels=compute_levels(prepared, pairs, spec))


def train(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    compared: Compared,
    spec: LinkageSpec,
    ids: RuleIds | None = None,
) -> TrainedModel:
    """Unsupervised Fellegi–Sunter model on the blocked pairs already compared; ``ids``, the
    rule ids blocking used, spare computing them again."""
    return train_unsupervised(
        left, right, spec, prepared=compared.prepared, blocked_levels=compared.levels, ids=ids
    )


def refit_m_from_labels(
    model: TrainedModel,
    left: pl.DataFrame,
    right: pl.DataFrame,
    labels: pl.DataFrame,
) -> TrainedModel:
    """``model`` with m taken from reviewed pairs (``record_id, idnr, is_match``); u and the prior
    stay those of the unsupervised fit, since reviewed pairs are not a gold standard of all links."""
    indexed = (
        labels.join(left.select(RECORD_ID).with_row_index("idx_l"), on=RECORD_ID)
        .join(right.select("idnr").with_row_index("idx_r"), on="idnr")
        .select("idx_l", "idx_r", "is_match")
    )
    if not indexed["is_match"].any():
        raise InputError(
            "the labels hold no accepted pair of these inputs; accept pairs with "
            "'regmod review RUN_DIR accept' first, on a run of the same register and reference"
        )
    labelled = train_from_labels(left, right, model.spec, indexed)
    comparisons = {
        name: ComparisonParameters(m=labelled.parameters.comparisons[name].m, u=parameters.u)
        for name, parameters in model.parameters.comparisons.items()
    }
    parameters = model.parameters.model_copy(update={"comparisons": comparisons})
    return TrainedModel(spec=model.spec, parameters=parameters)


def with_thresholds(model: TrainedModel, thresholds: Thresholds) -> TrainedModel:
    """``model`` deciding at ``thresholds`` (its hash changes with them, as decisions do)."""
    if model.spec.thresholds == thresholds:
        return model
    spec = model.spec.model_copy(update={"thresholds": thresholds})
    return TrainedModel(spec=spec, parameters=model.parameters)


def score(compared: Compared, model: TrainedModel) -> pl.DataFrame:
    """Levels, term frequencies, per-comparison weights, match weight and probability per pair.

    The levels computed before training are reused; only the term frequencies are added.
    """
    levels = add_term_frequencies(compared.prepared, compared.levels, model.spec, model.tf_tables())
    return score_levels(levels, model)


def duplicate_persons(register: pl.DataFrame, spec: LinkageSpec, threshold: float) -> pl.DataFrame:
    """Per register row ``idx, cluster_id``: records scored at or above ``threshold`` against
    each other (by the same spec, trained on the register alone) share a cluster."""
    dedupe = spec.model_copy(update={"link_type": "dedupe"})
    blocked = block_pairs(register, None, dedupe)
    if blocked.pairs.height == 0:
        return cluster_pairs(_no_pairs(), register.height, threshold=threshold)
    compared = compare_pairs(register, None, blocked.pairs, dedupe)
    model = train(register, None, compared, dedupe, blocked.ids)
    scored = score(compared, model)
    return cluster_pairs(scored, register.height, threshold=threshold)


def parameter_table(model: TrainedModel) -> pl.DataFrame:
    """``comparison, level, m, u`` per agreement level, in spec order (for the report)."""
    rows = [
        {"comparison": comparison.name, "level": label, "m": m, "u": u}
        for comparison in model.spec.comparisons
        for label, m, u in zip(
            comparison.level_labels(),
            model.parameters.comparisons[comparison.name].m,
            model.parameters.comparisons[comparison.name].u,
            strict=True,
        )
    ]
    return pl.DataFrame(
        rows, schema={"comparison": pl.String, "level": pl.String, "m": pl.Float64, "u": pl.Float64}
    )


def _no_pairs() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32, "match_probability": pl.Float64}
    )
