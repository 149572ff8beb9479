"""The ``Linker`` facade: one object, verbs grouped by stage, thin over the pure functions.

>>> linker = Linker(left, right, spec)                      # doctest: +SKIP
>>> linker.blocking.analyse().to_frame()                    # doctest: +SKIP
>>> model = linker.training.train()                         # doctest: +SKIP
>>> scored = linker.inference.predict()                     # doctest: +SKIP
>>> linker.explain.waterfall(idx_l=0, idx_r=3)              # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from matching.blocking import (
    BlockingReport,
    RuleIds,
    analyse_blocking,
    block,
    iter_partitions,
    rule_ids,
)
from matching.comparisons import compute_levels
from matching.errors import MatchingError, SpecError
from matching.explain import waterfall
from matching.model import TrainedModel, tf_frames
from matching.preparation import PreparedFrames, prepare
from matching.scoring import score
from matching.spec import LinkageSpec
from matching.term_frequencies import add_term_frequencies
from matching.training import (
    fit,
    random_pair_u,
    term_frequency_tables,
    total_pair_count,
    train_from_labels,
    training_patterns,
)


class Linker:
    """Links ``left`` to ``right`` (``link``) or finds duplicates in ``left`` (``dedupe``)."""

    def __init__(
        self,
        left: pl.DataFrame,
        right: pl.DataFrame | None,
        spec: LinkageSpec,
        model: TrainedModel | None = None,
    ) -> None:
        if (spec.link_type == "dedupe") != (right is None):
            raise SpecError(
                f"link_type {spec.link_type!r} needs "
                + ("one frame (right=None)" if spec.link_type == "dedupe" else "a right frame")
            )
        if model is not None and model.spec != spec:
            raise SpecError("the model was trained with another spec; pass model.spec as spec")
        self.left = left
        self.right = right
        self.spec = spec
        self.model = model
        self._prepared: PreparedFrames | None = None
        self._rule_ids: RuleIds | None = None
        self._pairs: pl.DataFrame | None = None
        self._levels: pl.DataFrame | None = None
        self._trained_levels: tuple[TrainedModel, pl.DataFrame] | None = None
        self._scored: pl.DataFrame | None = None
        self.blocking = BlockingVerbs(self)
        self.training = TrainingVerbs(self)
        self.inference = InferenceVerbs(self)
        self.explain = ExplainVerbs(self)

    @property
    def prepared(self) -> PreparedFrames:
        """The comparison columns of both frames, encoded once per linker (reusing the blocking
        keys' codes when the rule ids exist already)."""
        if self._prepared is None:
            codes = None if self._rule_ids is None else self._rule_ids.text_codes
            self._prepared = prepare(self.left, self.right, self.spec, text_codes=codes)
        return self._prepared

    @property
    def rule_ids(self) -> RuleIds:
        """The blocking rule ids of both frames, computed once per linker."""
        if self._rule_ids is None:
            self._rule_ids = rule_ids(self.left, self.right, self.spec.blocking)
        return self._rule_ids

    def trained_model(self) -> TrainedModel:
        """The model in use; training or passing one first is required."""
        if self.model is None:
            raise MatchingError("no model yet: call linker.training.train() or pass model=")
        return self.model


class BlockingVerbs:
    """Candidate pairs and their counts."""

    def __init__(self, linker: Linker) -> None:
        self._linker = linker

    def analyse(self) -> BlockingReport:
        """Pair counts per rule and in total, without producing pairs."""
        return analyse_blocking(self._linker.left, self._linker.right, self._linker.spec)

    def pairs(self) -> pl.DataFrame:
        """All candidate pairs ``idx_l, idx_r`` (computed once, guarded by ``max_pairs``)."""
        linker = self._linker
        if linker._pairs is None:
            linker._pairs = block(linker.left, linker.right, linker.spec, linker.rule_ids)
        return linker._pairs

    def partitions(self, count: int) -> Iterator[pl.DataFrame]:
        """The candidate pairs in ``count`` disjoint partitions, one frame at a time."""
        return iter_partitions(self._linker.left, self._linker.right, self._linker.spec, count)


class TrainingVerbs:
    """Estimating m, u, λ and term frequencies."""

    def __init__(self, linker: Linker) -> None:
        self._linker = linker

    def train(self) -> TrainedModel:
        """Unsupervised training (random-pair u, EM m and λ); the linker keeps the model.

        u is estimated in a second thread while everything that needs no u is computed: the
        candidate pairs' levels, their patterns and term frequencies, the latter two side by
        side; each part alone leaves the cores partly idle.
        The term-frequency tables need only the frames, so they are counted beside the levels
        instead of after them, where the main thread waited for them."""
        linker = self._linker
        prepared, right, spec = linker.prepared, linker.right, linker.spec
        with ThreadPoolExecutor(max_workers=2) as pool:
            u = pool.submit(random_pair_u, linker.left, right, spec, prepared)
            counted = pool.submit(term_frequency_tables, prepared, spec, dedupe=right is None)
            levels = linker.inference.levels()
            tables = counted.result()
            with_tf = pool.submit(add_term_frequencies, prepared, levels, spec, tf_frames(tables))
            patterns = training_patterns(levels, linker.rule_ids, spec)
            possible = total_pair_count(linker.left.height, None if right is None else right.height)
            linker.model = fit(spec, patterns, u.result(), tables, possible)
            linker._trained_levels = (linker.model, with_tf.result())
        return linker.model

    def train_from_labels(self, labels: pl.DataFrame) -> TrainedModel:
        """Supervised training from ``idx_l, idx_r, is_match``; the linker keeps the model."""
        linker = self._linker
        linker.model = train_from_labels(
            linker.left, linker.right, linker.spec, labels, prepared=linker.prepared
        )
        return linker.model


class InferenceVerbs:
    """Levels, weights and probabilities of the candidate pairs."""

    def __init__(self, linker: Linker) -> None:
        self._linker = linker

    def levels(self) -> pl.DataFrame:
        """The candidate pairs with their ``gamma_*`` columns (computed once)."""
        linker = self._linker
        if linker._levels is None:
            linker._levels = compute_levels(linker.prepared, linker.blocking.pairs(), linker.spec)
        return linker._levels

    def predict(self, *, keep_components: bool = True) -> pl.DataFrame:
        """Scored candidate pairs: levels, tf, ``bf_*``, ``match_weight``, ``match_probability``."""
        linker = self._linker
        model = linker.trained_model()
        levels = self.levels()
        if linker._trained_levels is not None and linker._trained_levels[0] is model:
            levels = linker._trained_levels[1]  # with the term frequencies of training
        elif model.parameters.term_frequencies:
            levels = add_term_frequencies(linker.prepared, levels, linker.spec, model.tf_tables())
        linker._scored = score(levels, model, keep_components=keep_components)
        return linker._scored


class ExplainVerbs:
    """Why a pair got its weight."""

    def __init__(self, linker: Linker) -> None:
        self._linker = linker

    def waterfall(self, idx_l: int, idx_r: int) -> pl.DataFrame:
        """The prior and each comparison's contribution to the pair's weight, cumulatively."""
        linker = self._linker
        scored = linker._scored
        if scored is None or "bf_" + linker.spec.comparisons[0].name not in scored.columns:
            scored = linker.inference.predict(keep_components=True)
        return waterfall(scored, linker.trained_model(), idx_l, idx_r)
