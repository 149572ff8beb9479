"""Decisions per register record: match (automatic link), review, or no match.

Each register record is decided on its own evidence: its strongest reference candidate is linked
when it is above the match threshold, leads every other candidate by the tie margin and no
decisive comparison contradicts it. Nothing is inherited from a duplicate cluster, so one twin
never takes the other's IDNr. Register duplicates are derived afterwards and only check the
links: records that contradict each other but claim one IDNr, or that deduplication calls one
person but that link to different IDNr, go to review with the reason, never silently resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from matching.clustering import connected_component_labels

MATCH: Final = "match"
REVIEW: Final = "review"
NO_MATCH: Final = "no_match"
DECISION: Final = pl.Enum([MATCH, REVIEW, NO_MATCH])
MAX_REVIEW_CANDIDATES: Final = 5

BELOW_THRESHOLD: Final = "below the match threshold"
NEAR_TIE: Final = "another candidate scores nearly as high"
SAME_IDNR_TWICE: Final = "its IDNr stands on two reference rows"
TWO_IDNR: Final = "two reference persons fit equally well: one person with two IDNr?"
CONTRADICTION: Final = "contradicted by"
CLAIMED: Final = "its IDNr is claimed by a different register record"
DUPLICATE_CONFLICT: Final = "a duplicate register record links to another IDNr"


@dataclass(frozen=True)
class DecisionRules:
    """Thresholds on the match probability, and the weight margin below which a lead is a tie."""

    match_threshold: float
    review_threshold: float
    tie_margin: float = 4.0


@dataclass(frozen=True)
class Decisions:
    """One row per register record, the ranked candidates of records under review, and the
    register's duplicate clusters derived from links and deduplication."""

    records: pl.DataFrame
    """``idx_l, decision, idx_r, match_weight, match_probability, reason`` (``idx_r`` of the link
    or of the best candidate, null without any; ``reason`` why a record is not linked), sorted by
    ``idx_l``."""
    review_candidates: pl.DataFrame
    """``idx_l, idx_r, match_weight, match_probability, rank`` (rank 1 is the strongest)."""
    clusters: pl.DataFrame
    """``idx, cluster_id`` per register record: records of one person share a cluster."""


def decide(
    scored: pl.DataFrame,
    dedupe: pl.DataFrame,
    n_records: int,
    rules: DecisionRules,
    *,
    reference_ids: pl.Series | None = None,
) -> Decisions:
    """Decide every one of ``n_records`` register records.

    ``scored`` holds ``idx_l, idx_r, match_weight, match_probability, contradictions,
    decisively_equal`` per candidate pair; ``dedupe`` the register's own pairs ``idx_l, idx_r,
    match_probability, contradictions, same_residence`` (both indices into the register).
    ``reference_ids`` (the IDNr per reference row) keeps links off an IDNr that stands on two
    reference rows and names near ties between them.
    """
    reference_id = (
        pl.col("idx_r") if reference_ids is None else pl.lit(reference_ids).gather("idx_r")
    )
    eligible = scored.filter(pl.col("match_probability") >= rules.review_threshold).select(
        "idx_l",
        "idx_r",
        "match_weight",
        "match_probability",
        "contradictions",
        reference_id.alias("reference_id"),
    )
    proposed = _own_evidence(eligible, rules)
    # Register records are one person only where nothing contradicts and they live at one
    # address: namesakes at two addresses of a town are two people, however alike the rest.
    same_person = dedupe.filter((pl.col("contradictions") == "") & pl.col("same_residence"))
    proposed = _off_shared_idnr(proposed, eligible)
    claimed = _settle_claims(proposed, same_person, rules)
    settled = _settle_duplicates(claimed, same_person, scored, rules)
    records = _all_records(settled, _best_candidates(scored), n_records)
    in_review = records.filter(pl.col("decision") == REVIEW).select("idx_l")
    return Decisions(
        records=records,
        review_candidates=_ranked(eligible.join(in_review, on="idx_l")),
        clusters=_clusters(records, same_person, n_records, rules),
    )


def _own_evidence(eligible: pl.DataFrame, rules: DecisionRules) -> pl.DataFrame:
    """Per record with an eligible candidate: its best one, its lead, and match or review."""
    ranked = eligible.sort("idx_l", "match_weight", "idx_r", descending=[False, True, False])
    second = pl.col("match_weight").get(1, null_on_oob=True)
    best = ranked.group_by("idx_l", maintain_order=True).agg(
        pl.col("idx_r").first(),
        pl.col("match_weight").first(),
        pl.col("match_probability").first(),
        pl.col("contradictions").first(),
        (pl.col("match_weight").first() - second).alias("margin"),
        (pl.col("reference_id").first() == pl.col("reference_id").get(1, null_on_oob=True)).alias(
            "same_idnr"
        ),
        (
            (pl.col("match_probability").get(1, null_on_oob=True) >= rules.match_threshold)
            & (pl.col("contradictions").get(1, null_on_oob=True) == "")
        ).alias("runner_up_fits"),
    )
    contradicted = pl.col("contradictions") != ""
    reason = (
        pl.when(contradicted)
        .then(pl.lit(CONTRADICTION + " ") + pl.col("contradictions"))
        .when(pl.col("match_probability") < rules.match_threshold)
        .then(pl.lit(BELOW_THRESHOLD))
        .when((pl.col("margin") < rules.tie_margin) & pl.col("same_idnr"))
        .then(pl.lit(SAME_IDNR_TWICE))
        .when((pl.col("margin") < rules.tie_margin) & pl.col("runner_up_fits"))
        .then(pl.lit(TWO_IDNR))
        .when(pl.col("margin") < rules.tie_margin)
        .then(pl.lit(NEAR_TIE))
    )
    return best.with_columns(reason=reason).select(
        "idx_l",
        pl.when(pl.col("reason").is_null())
        .then(pl.lit(MATCH))
        .otherwise(pl.lit(REVIEW))
        .cast(DECISION)
        .alias("decision"),
        "idx_r",
        "match_weight",
        "match_probability",
        "reason",
    )


def _settle_claims(
    proposed: pl.DataFrame, same_person: pl.DataFrame, rules: DecisionRules
) -> pl.DataFrame:
    """One reference person is not linked to two different register persons.

    Among the records proposing a link to one reference row, the strongest keeps it; another
    keeps it only when deduplication says it is the strongest's duplicate. The rest go to review,
    and so does the strongest when a rival comes within the tie margin.
    """
    linked = proposed.filter(pl.col("decision") == MATCH)
    leader = (
        linked.sort("idx_r", "match_weight", "idx_l", descending=[False, True, False])
        .group_by("idx_r", maintain_order=True)
        .agg(pl.col("idx_l").first().alias("leader"), pl.col("match_weight").first().alias("lead"))
    )
    rivals = linked.join(leader, on="idx_r").filter(pl.col("idx_l") != pl.col("leader"))
    duplicates = _symmetric(same_person).select("a", "b", duplicate=pl.lit(True))
    rivals = rivals.join(
        duplicates, left_on=["idx_l", "leader"], right_on=["a", "b"], how="left"
    ).filter(pl.col("duplicate").is_null())
    too_close = (
        rivals.filter(pl.col("lead") - pl.col("match_weight") < rules.tie_margin)
        .select(pl.col("leader").alias("idx_l"))
        .unique()
    )
    demoted = pl.concat([rivals.select("idx_l"), too_close]).unique()
    return _to_review(proposed, demoted, CLAIMED)


def _off_shared_idnr(proposed: pl.DataFrame, eligible: pl.DataFrame) -> pl.DataFrame:
    """No automatic link to an IDNr that stands on two reference rows: which person holds it is
    the reference's error to clear up."""
    rows = eligible.select("idx_r", "reference_id").unique()
    shared = rows.filter(pl.col("reference_id").is_duplicated()).select("idx_r")
    demoted = proposed.join(shared, on="idx_r", how="semi").select("idx_l")
    return _to_review(proposed, demoted, SAME_IDNR_TWICE)


def _settle_duplicates(
    proposed: pl.DataFrame, same_person: pl.DataFrame, scored: pl.DataFrame, rules: DecisionRules
) -> pl.DataFrame:
    """Two records that deduplication calls one person but that link to different IDNr go to
    review when one of them fits the other's reference row just as well on every decisive
    comparison (one person with two IDNr); where the reference rows differ decisively (twins,
    namesakes), each record keeps its own link."""
    links = proposed.filter(pl.col("decision") == MATCH).select("idx_l", "idx_r")
    strong = same_person.filter(pl.col("match_probability") >= rules.match_threshold)
    crossing = scored.filter((pl.col("contradictions") == "") & pl.col("decisively_equal")).select(
        "idx_l", "idx_r", crosses=pl.lit(True)
    )
    disagreeing = (
        strong.select("idx_l", pl.col("idx_r").alias("other"))
        .join(links, on="idx_l")
        .join(links.rename({"idx_l": "other", "idx_r": "other_r"}), on="other")
        .filter(pl.col("idx_r") != pl.col("other_r"))
        .join(crossing, left_on=["idx_l", "other_r"], right_on=["idx_l", "idx_r"], how="left")
        .join(
            crossing.rename({"crosses": "crossed"}),
            left_on=["other", "idx_r"],
            right_on=["idx_l", "idx_r"],
            how="left",
        )
        .filter(pl.col("crosses").fill_null(False) | pl.col("crossed").fill_null(False))
    )
    demoted = pl.concat(
        [disagreeing.select("idx_l"), disagreeing.select(pl.col("other").alias("idx_l"))]
    ).unique()
    return _to_review(proposed, demoted, DUPLICATE_CONFLICT)


def _to_review(proposed: pl.DataFrame, demoted: pl.DataFrame, reason: str) -> pl.DataFrame:
    """``proposed`` with the links of the ``demoted`` records turned into review for ``reason``."""
    flagged = demoted.select(pl.col("idx_l").cast(pl.UInt32), demoted=pl.lit(True))
    hit = pl.col("demoted").fill_null(False) & (pl.col("decision") == MATCH)
    return (
        proposed.join(flagged, on="idx_l", how="left")
        .with_columns(
            pl.when(hit)
            .then(pl.lit(REVIEW).cast(DECISION))
            .otherwise("decision")
            .alias("decision"),
            pl.when(hit).then(pl.lit(reason)).otherwise("reason").alias("reason"),
        )
        .drop("demoted")
    )


def _best_candidates(scored: pl.DataFrame) -> pl.DataFrame:
    """Each record's strongest candidate pair, eligible or not (ties by ``idx_r``)."""
    return (
        scored.sort("idx_l", "match_weight", "idx_r", descending=[False, True, False])
        .group_by("idx_l", maintain_order=True)
        .first()
        .select("idx_l", "idx_r", "match_weight", "match_probability")
    )


def _all_records(decided: pl.DataFrame, best: pl.DataFrame, n_records: int) -> pl.DataFrame:
    """Every register record: the decided ones, and no match with its best (rejected) candidate,
    where it had one, for the rest."""
    every = pl.DataFrame({"idx_l": pl.arange(0, n_records, dtype=pl.UInt32, eager=True)})
    undecided = best.join(decided, on="idx_l", how="anti").with_columns(
        decision=pl.lit(NO_MATCH).cast(DECISION), reason=pl.lit(None, dtype=pl.String)
    )
    return (
        every.join(pl.concat([decided, undecided], how="diagonal"), on="idx_l", how="left")
        .with_columns(pl.col("decision").fill_null(pl.lit(NO_MATCH).cast(DECISION)))
        .select("idx_l", "decision", "idx_r", "match_weight", "match_probability", "reason")
        .sort("idx_l")
    )


def _clusters(
    records: pl.DataFrame, same_person: pl.DataFrame, n_records: int, rules: DecisionRules
) -> pl.DataFrame:
    """Duplicate clusters: records linked to one reference row, and unlinked records that
    deduplication calls one person at the match threshold. A dedupe pair never joins a linked
    record to an unlinked one: where links and deduplication disagree nothing is merged."""
    linked = records.filter(pl.col("decision") == MATCH)
    link_of = records.select(
        "idx_l", pl.when(pl.col("decision") == MATCH).then(pl.col("idx_r")).alias("link")
    )
    strong = (
        same_person.filter(pl.col("match_probability") >= rules.match_threshold)
        .join(link_of, on="idx_l")
        .join(link_of.rename({"idx_l": "idx_r", "link": "link_r"}), on="idx_r")
        .filter(pl.col("link").eq_missing(pl.col("link_r")))
    )
    # Records are nodes 0..n-1; reference row r is node n + r, so records linked to r meet there.
    left = np.concatenate(
        [strong["idx_l"].to_numpy().astype(np.int64), linked["idx_l"].to_numpy().astype(np.int64)]
    )
    right = np.concatenate(
        [
            strong["idx_r"].to_numpy().astype(np.int64),
            linked["idx_r"].to_numpy().astype(np.int64) + n_records,
        ]
    )
    n_reference = int(right.max()) + 1 - n_records if linked.height else 0
    labels = connected_component_labels(left, right, n_records + n_reference)[:n_records]
    return pl.DataFrame(
        {
            "idx": pl.arange(0, n_records, dtype=pl.UInt32, eager=True),
            "cluster_id": pl.Series(labels, dtype=pl.UInt32),
        }
    )


def _symmetric(pairs: pl.DataFrame) -> pl.DataFrame:
    """Both orientations ``a, b`` of undirected pairs ``idx_l, idx_r``."""
    return pl.concat(
        [
            pairs.select(pl.col("idx_l").alias("a"), pl.col("idx_r").alias("b")),
            pairs.select(pl.col("idx_r").alias("a"), pl.col("idx_l").alias("b")),
        ]
    )


def _ranked(candidates: pl.DataFrame) -> pl.DataFrame:
    """The strongest candidates per record, ranked 1, 2, … by weight (ties by ``idx_r``)."""
    return (
        candidates.sort("idx_l", "match_weight", "idx_r", descending=[False, True, False])
        .with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).over("idx_l"))
        .filter(pl.col("rank") <= MAX_REVIEW_CANDIDATES)
        .select("idx_l", "idx_r", "match_weight", "match_probability", "rank")
    )
