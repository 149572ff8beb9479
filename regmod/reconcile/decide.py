"""Decisions per register record: match (automatic link), review, or no match.

Pairs below the review threshold never compete. The remaining pairs are assigned one-to-one
between register *persons* (clusters of duplicate register records) and reference records, so
duplicates inside the register share one link instead of fighting over it. A clear winner at or
above the match threshold is linked; a winner below it, or a near-tie, goes to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from matching.assignment import ASSIGNED, TIE, assign_one_to_one

MATCH: Final = "match"
REVIEW: Final = "review"
NO_MATCH: Final = "no_match"
DECISION: Final = pl.Enum([MATCH, REVIEW, NO_MATCH])
MAX_REVIEW_CANDIDATES: Final = 5


@dataclass(frozen=True)
class DecisionRules:
    """Thresholds on the match probability, and the weight margin below which a lead is a tie."""

    match_threshold: float
    review_threshold: float
    tie_margin: float = 4.0


@dataclass(frozen=True)
class Decisions:
    """One row per register record, and the ranked candidates of records under review."""

    records: pl.DataFrame
    """``idx_l, decision, idx_r, match_weight, match_probability`` (``idx_r`` of the link or of
    the best candidate, null without any), sorted by ``idx_l``."""
    review_candidates: pl.DataFrame
    """``idx_l, idx_r, match_weight, match_probability, rank`` (rank 1 is the strongest)."""


def decide(scored: pl.DataFrame, persons: pl.Series, rules: DecisionRules) -> Decisions:
    """Decide every register record from its scored pairs.

    ``persons`` gives, per register row index, the id of its duplicate cluster (its own index when
    it has no duplicate); ``scored`` holds ``idx_l, idx_r, match_weight, match_probability``.
    """
    person_of = pl.DataFrame(
        {"idx_l": pl.arange(0, persons.len(), dtype=pl.UInt32, eager=True), "person": persons}
    )
    eligible = scored.filter(pl.col("match_probability") >= rules.review_threshold).join(
        person_of, on="idx_l"
    )
    person_pairs = eligible.group_by("person", "idx_r").agg(
        pl.col("match_weight").max(), pl.col("match_probability").max()
    )
    assignment = assign_one_to_one(
        person_pairs.select(pl.col("person").alias("idx_l"), "idx_r", "match_weight"),
        tie_margin=rules.tie_margin,
    ).rename({"idx_l": "person"})
    person_decision = _person_decisions(assignment, person_pairs, rules)
    records = _record_decisions(scored, person_of, person_decision)
    in_review = records.filter(pl.col("decision") == REVIEW).select("idx_l")
    return Decisions(
        records=records, review_candidates=_ranked(eligible.join(in_review, on="idx_l"))
    )


def _person_decisions(
    assignment: pl.DataFrame, person_pairs: pl.DataFrame, rules: DecisionRules
) -> pl.DataFrame:
    """``person, decision, idx_r`` for every person with an assigned or tied pair."""
    decided = assignment.filter(pl.col("status").is_in([ASSIGNED, TIE])).join(
        person_pairs.select("person", "idx_r", "match_probability"), on=["person", "idx_r"]
    )
    return (
        decided.sort("person", "match_weight", "idx_r", descending=[False, True, False])
        .group_by("person", maintain_order=True)
        .agg(
            pl.col("idx_r").first(),
            (pl.col("status") == TIE).any().alias("tied"),
            pl.col("match_probability").first(),
        )
        .select(
            "person",
            pl.when(~pl.col("tied") & (pl.col("match_probability") >= rules.match_threshold))
            .then(pl.lit(MATCH))
            .otherwise(pl.lit(REVIEW))
            .cast(DECISION)
            .alias("decision"),
            pl.col("idx_r").alias("decided_r"),
        )
    )


def _record_decisions(
    scored: pl.DataFrame, person_of: pl.DataFrame, person_decision: pl.DataFrame
) -> pl.DataFrame:
    """Spread person decisions to their records; the rest is no match with its best candidate."""
    best = (
        scored.sort("idx_l", "match_weight", "idx_r", descending=[False, True, False])
        .group_by("idx_l", maintain_order=True)
        .first()
        .select("idx_l", best_r="idx_r", best_weight="match_weight", best_prob="match_probability")
    )
    decided = person_of.join(person_decision, on="person", how="left").join(
        scored.select(
            "idx_l", decided_r="idx_r", own_weight="match_weight", own_prob="match_probability"
        ),
        on=["idx_l", "decided_r"],
        how="left",
    )
    return (
        decided.join(best, on="idx_l", how="left")
        .select(
            "idx_l",
            pl.col("decision").fill_null(pl.lit(NO_MATCH).cast(DECISION)),
            pl.coalesce("decided_r", "best_r").alias("idx_r"),
            pl.when(pl.col("decided_r").is_not_null())
            .then(pl.col("own_weight"))
            .otherwise(pl.col("best_weight"))
            .alias("match_weight"),
            pl.when(pl.col("decided_r").is_not_null())
            .then(pl.col("own_prob"))
            .otherwise(pl.col("best_prob"))
            .alias("match_probability"),
        )
        .sort("idx_l")
    )


def _ranked(candidates: pl.DataFrame) -> pl.DataFrame:
    """The strongest candidates per record, ranked 1, 2, … by weight (ties by ``idx_r``)."""
    return (
        candidates.sort("idx_l", "match_weight", "idx_r", descending=[False, True, False])
        .with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).over("idx_l"))
        .filter(pl.col("rank") <= MAX_REVIEW_CANDIDATES)
        .select("idx_l", "idx_r", "match_weight", "match_probability", "rank")
    )
