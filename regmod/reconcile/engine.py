"""The matching stages in the one order every reconciliation runs them: block, compare, train (or
load), score — through the ``matching`` ``Linker``, the same path the benchmarks measure.

The register is the left frame, the reference the right one, both already normalised and keyed
by ``regmod.linkage.prepare_for_linkage``. regmod adds only the decisive-evidence column that the
decide stage reads, and the register's own deduplication pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import polars as pl

from matching import Linker
from matching.contradictions import contradiction_expression, decisively_equal_expression
from matching.model import ComparisonParameters, TrainedModel
from matching.spec import LinkageSpec, Thresholds
from matching.training import train_from_labels
from regmod.errors import InputError
from regmod.linkage import with_decisive_evidence
from regmod.linkage.german import same_residence_expression, with_real_name_contradictions
from regmod.record import RECORD_ID

Stage = Callable[[str], AbstractContextManager[None]]
"""Opens a timed stage by name (``StageClock.stage``)."""


@dataclass(frozen=True)
class Linked:
    """What the matching stages produced: the model in use, and every candidate pair scored."""

    model: TrainedModel
    scored: pl.DataFrame
    """Levels, term frequencies, Bayes factors, ``match_weight``, ``match_probability``,
    ``contradictions`` and ``decisively_equal`` per candidate pair."""
    candidate_pairs: int


def link(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    spec: LinkageSpec,
    model: TrainedModel | None = None,
    stage: Stage | None = None,
) -> Linked:
    """Block, compare, train (unless ``model`` is given) and score; ``right=None`` deduplicates
    ``left``. ``stage`` times each step."""
    timed = stage or (lambda _name: nullcontext())
    linker = Linker(left, right, model.spec if model else spec, model=model)
    with timed("block"):
        pairs = linker.blocking.pairs()
    with timed("compare"):
        linker.inference.levels()
    with timed("train"):
        trained = model or linker.training.train()
    with timed("score"):
        scored = with_decisive_columns(linker.inference.predict(), trained.spec, left, right)
    return Linked(model=trained, scored=scored, candidate_pairs=pairs.height)


def register_pairs(
    register: pl.DataFrame, spec: LinkageSpec, model: TrainedModel | None = None
) -> pl.DataFrame:
    """The register's own candidate pairs ``idx_l, idx_r, match_probability, contradictions,
    decisively_equal, same_residence``, scored by ``model`` or by ``spec`` trained on the register alone (no
    pairs: an empty frame)."""
    dedupe = model.spec if model else spec.model_copy(update={"link_type": "dedupe"})
    linker = Linker(register, None, dedupe, model=model)
    if linker.blocking.pairs().height == 0:
        return pl.DataFrame(
            schema={
                "idx_l": pl.UInt32,
                "idx_r": pl.UInt32,
                "match_probability": pl.Float64,
                "contradictions": pl.String,
                "decisively_equal": pl.Boolean,
                "same_residence": pl.Boolean,
            }
        )
    if model is None:
        linker.training.train()
    scored = linker.inference.predict(keep_components=False)
    flagged = with_decisive_columns(scored, dedupe, register, None)
    return flagged.select(
        "idx_l",
        "idx_r",
        "match_probability",
        "contradictions",
        "decisively_equal",
        same_residence_expression(dedupe),
    )


def with_decisive_columns(
    scored: pl.DataFrame, spec: LinkageSpec, left: pl.DataFrame, right: pl.DataFrame | None
) -> pl.DataFrame:
    """``scored`` with ``contradictions`` and ``decisively_equal``: the spec's decisive levels
    (the German default's for a model saved without them) and two different real first names."""
    decisive = with_decisive_evidence(spec)
    flagged = scored.with_columns(
        contradiction_expression(decisive), decisively_equal_expression(decisive)
    )
    return with_real_name_contradictions(flagged, decisive, left, right)


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
