"""Fellegi–Sunter training: u from random pairs, m and the prior λ by EM on level patterns.

EM never touches single pairs: the level columns are grouped and counted into patterns (a few
hundred however many pairs there are) and each iteration works on those. Random pairs are drawn
over the frames sorted by record id with a seeded generator, so results do not depend on the
input row order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.blocking import RuleIds, agreement, block, rule_ids
from matching.comparisons import compute_levels, sampled_level_counts
from matching.errors import MatchingError, SpecError
from matching.gamma import GAMMA_DTYPE, NULL_LEVEL, gamma_column
from matching.model import ComparisonParameters, Parameters, TrainedModel
from matching.preparation import PreparedFrames, prepare
from matching.spec import Comparison, LinkageSpec, comparison_columns

PSEUDO_COUNT = 1.0
"""Added to every level's (expected) count, so no level has probability 0 (weight ±∞)."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class EmResult:
    """Outcome of one EM run on patterns."""

    m: dict[str, list[float]]
    prior: float
    iterations: int
    converged: bool


def total_pair_count(left_rows: int, right_rows: int | None) -> int:
    """Number of possible pairs: n_l·n_r, or n·(n−1)/2 for dedupe (``right_rows=None``)."""
    if right_rows is None:
        return left_rows * (left_rows - 1) // 2
    return left_rows * right_rows


def random_pairs(
    left: pl.DataFrame, right: pl.DataFrame | None, record_id: str, count: int, seed: int
) -> pl.DataFrame:
    """``count`` random pairs (with replacement; dedupe: distinct records, idx_l < idx_r).

    Positions are drawn over the frames sorted by record id, so row order does not matter.
    """
    rng = np.random.default_rng(seed)
    left_order = left[record_id].arg_sort().to_numpy()
    right_order = left_order if right is None else right[record_id].arg_sort().to_numpy()
    if len(left_order) == 0 or len(right_order) == 0 or (right is None and len(left_order) < 2):
        raise MatchingError("random pairs need records on both sides (dedupe: at least two)")
    first = rng.integers(0, len(left_order), count)
    if right is None:
        offset = rng.integers(1, len(left_order), count)
        second = (first + offset) % len(left_order)
    else:
        second = rng.integers(0, len(right_order), count)
    idx_l, idx_r = left_order[first], right_order[second]
    if right is None:
        idx_l, idx_r = np.minimum(idx_l, idx_r), np.maximum(idx_l, idx_r)
    return pl.DataFrame(
        {"idx_l": idx_l, "idx_r": idx_r}, schema={"idx_l": pl.UInt32, "idx_r": pl.UInt32}
    )


def level_counts(levels: pl.DataFrame, comparison: Comparison) -> FloatArray:
    """Count of pairs at each agreement level of ``comparison``; null excluded."""
    column = gamma_column(comparison.name)
    counted = (
        levels.lazy()
        .filter(pl.col(column) != NULL_LEVEL)
        .group_by(column)
        .agg(pl.len().cast(pl.Float64))
        .collect()
    )
    result = np.zeros(len(comparison.agreement_levels))
    result[counted[column].to_numpy().astype(np.int64)] = counted[counted.columns[1]].to_numpy()
    return result


def smoothed(counts: FloatArray) -> list[float]:
    """Probabilities from counts with ``PSEUDO_COUNT`` added to every level."""
    adjusted = counts + PSEUDO_COUNT
    return [float(p) for p in adjusted / adjusted.sum()]


def estimate_u(
    prepared: PreparedFrames, random: pl.DataFrame, spec: LinkageSpec
) -> dict[str, list[float]]:
    """u per level: the level frequencies among random pairs (nearly all non-matches), the
    costly levels from ``spec.training.u_similarity_pairs`` of them when set."""
    counts = sampled_level_counts(prepared, random, spec, spec.training.u_similarity_pairs)
    return {c.name: smoothed(counts[c.name]) for c in spec.comparisons}


def random_pair_u(
    left: pl.DataFrame, right: pl.DataFrame | None, spec: LinkageSpec, prepared: PreparedFrames
) -> dict[str, list[float]]:
    """u per level from ``spec.training``'s random pairs of ``left`` and ``right``."""
    training = spec.training
    random = random_pairs(left, right, spec.record_id, training.u_random_pairs, training.seed)
    return estimate_u(prepared, random, spec)


def level_patterns(
    levels: pl.DataFrame, names: Sequence[str], extra: Sequence[str] = ()
) -> pl.DataFrame:
    """Distinct level patterns of the comparisons ``names`` (plus ``extra`` columns), counted."""
    keys = [gamma_column(name) for name in names] + list(extra)
    bits = [_PATTERN_BITS.get(levels.schema[key]) for key in keys]
    has_nulls = any(levels[key].has_nulls() for key in keys)
    if any(width is None for width in bits) or sum(width or 0 for width in bits) > 63 or has_nulls:
        return levels.group_by(keys).agg(pl.len().cast(pl.Float64).alias("count")).sort(keys)
    # Level and flag columns packed into one 64-bit key, the first key in the highest bits so
    # that sorted keys are sorted patterns: one integer count instead of a group-by of ten
    # narrow columns; packed a cache-sized chunk at a time and counted by NumPy's unique,
    # which beats Polars' value counts and sort here.
    widths = [width for width in bits if width is not None]
    shifts = [sum(widths[index + 1 :]) for index in range(len(widths))]
    codes = [_pattern_code(levels[key]) for key in keys]
    packed = np.zeros(levels.height, dtype=np.uint64)
    scratch = np.empty(min(levels.height, _PACKED_ROWS), dtype=np.uint64)
    for start in range(0, levels.height, _PACKED_ROWS):
        part = packed[start : start + _PACKED_ROWS]
        column = scratch[: len(part)]
        for code, shift in zip(codes, shifts, strict=True):
            np.copyto(column, code[start : start + _PACKED_ROWS], casting="unsafe")
            np.left_shift(column, np.uint64(shift), out=column)
            np.bitwise_or(part, column, out=part)
    patterns, counts = np.unique(packed, return_counts=True)
    return pl.DataFrame(
        [
            _from_pattern_code(key, levels.schema[key], patterns >> np.uint64(shift), width)
            for key, shift, width in zip(keys, shifts, widths, strict=True)
        ]
        + [pl.Series("count", counts, dtype=pl.Float64)]
    )


_PATTERN_BITS: dict[pl.DataType, int] = {GAMMA_DTYPE(): 7, pl.Boolean(): 1}
"""Bits per packed pattern column: a level (−1…99, stored plus one) or a flag."""

_PACKED_ROWS = 65_536
"""Rows packed at a time: the chunk of the 64-bit key stays in the cache while each column is
added."""


def _pattern_code(column: pl.Series) -> npt.NDArray[np.bool_ | np.uint8]:
    """A flag as is; a level (``NULL_LEVEL`` and up, 7 bits) shifted to start at 0."""
    values = column.to_numpy()
    if column.dtype == pl.Boolean:
        return values
    # Levels are Int8; as bytes NULL_LEVEL (−1) is 255, which adding 1 wraps to 0.
    code: npt.NDArray[np.uint8] = values.view(np.uint8) + np.uint8(-NULL_LEVEL)
    return code


def _from_pattern_code(
    name: str, dtype: pl.DataType, shifted: npt.NDArray[np.uint64], width: int
) -> pl.Series:
    """Column ``name`` back from packed patterns shifted to put its code lowest."""
    code = (shifted & np.uint64((1 << width) - 1)).astype(np.int16)
    if dtype == pl.Boolean:
        return pl.Series(name, code.astype(bool))
    return pl.Series(name, code + NULL_LEVEL).cast(dtype)


def expectation_maximisation(
    patterns: pl.DataFrame,
    comparisons: Sequence[Comparison],
    u: Mapping[str, list[float]],
    m_start: Mapping[str, list[float]],
    prior_start: float,
    *,
    max_iterations: int,
    tolerance: float,
    estimate_m: bool = True,
) -> EmResult:
    """EM for m (u fixed) and the share of matches among the pattern counts.

    ``patterns`` holds one ``gamma_<name>`` column per comparison and a ``count`` column. With
    ``estimate_m=False`` only the prior moves (m and u fixed).
    """
    counts = patterns["count"].to_numpy().astype(np.float64)
    gammas = {
        c.name: patterns[gamma_column(c.name)].to_numpy().astype(np.int64) for c in comparisons
    }
    log_u = _pattern_log_probability(gammas, u)
    m = {name: list(values) for name, values in m_start.items()}
    prior = prior_start
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - iteration count is reported
        log_m = _pattern_log_probability(gammas, m)
        log_odds = np.log(prior) - np.log1p(-prior) + log_m - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        expected = counts * posterior
        new_prior = float(np.clip(expected.sum() / counts.sum(), 1e-12, 1 - 1e-12))
        new_m = m
        if estimate_m:
            new_m = {
                c.name: _m_step(gammas[c.name], expected, len(c.agreement_levels))
                for c in comparisons
            }
        change = max(
            abs(new_prior - prior),
            *(abs(a - b) for name in new_m for a, b in zip(new_m[name], m[name], strict=True)),
        )
        m, prior = new_m, new_prior
        if change < tolerance:
            converged = True
            break
    return EmResult(m=m, prior=prior, iterations=iteration, converged=converged)


def _m_step(gamma: npt.NDArray[np.int64], expected: FloatArray, levels: int) -> list[float]:
    present = gamma != NULL_LEVEL
    counts = np.bincount(gamma[present], weights=expected[present], minlength=levels)
    return smoothed(counts.astype(np.float64))


def _pattern_log_probability(
    gammas: Mapping[str, npt.NDArray[np.int64]], probabilities: Mapping[str, list[float]]
) -> FloatArray:
    """Per pattern, the sum over comparisons of log P(level); null levels contribute 0."""
    total: FloatArray | None = None
    for name, gamma in gammas.items():
        table = np.log(np.asarray([*probabilities[name], 1.0]))  # index -1 → log 1 = 0
        part = table[gamma]
        total = part if total is None else total + part
    assert total is not None
    return total


def starting_m(comparison: Comparison) -> list[float]:
    """A starting m that favours the first (most similar) levels: 1, 1/5, 1/25, … normalised."""
    weights = np.array([0.2**k for k in range(len(comparison.agreement_levels))])
    return [float(w) for w in weights / weights.sum()]


def estimate_m(
    patterns: pl.DataFrame, spec: LinkageSpec, u: Mapping[str, list[float]]
) -> dict[str, list[float]]:
    """m per comparison by EM sessions, one per training blocking rule.

    Within a rule's pairs, comparisons that read the rule's key columns agree by construction
    and say nothing about m; they are left out of that session. A comparison's m is the mean
    over the sessions that estimate it.
    """
    rules = em_rules(spec)
    estimates: dict[str, list[list[float]]] = {c.name: [] for c in spec.comparisons}
    for index in rules:
        blocked = spec.blocking[index].columns()
        free = [c for c in spec.comparisons if not comparison_columns(c) & blocked]
        session = patterns.filter(pl.col(f"rule_{index}"))
        if not free or session.is_empty():
            continue
        keys = [gamma_column(c.name) for c in free]
        grouped = session.group_by(keys).agg(pl.col("count").sum()).sort(keys)
        result = expectation_maximisation(
            grouped,
            free,
            u,
            {c.name: starting_m(c) for c in free},
            prior_start=0.1,
            max_iterations=spec.training.em_max_iterations,
            tolerance=spec.training.em_tolerance,
        )
        for comparison in free:
            estimates[comparison.name].append(result.m[comparison.name])
    missing = [name for name, found in estimates.items() if not found]
    if missing:
        raise SpecError(
            f"m of {missing} cannot be estimated: every training blocking rule reads their "
            "columns (or finds no pairs); add a blocking rule on other columns"
        )
    return {name: [float(v) for v in np.mean(found, axis=0)] for name, found in estimates.items()}


def em_rules(spec: LinkageSpec) -> list[int]:
    """Indices of the blocking rules that get an EM session."""
    return spec.training.em_blocking_rules or list(range(len(spec.blocking)))


def estimate_prior(
    patterns: pl.DataFrame,
    spec: LinkageSpec,
    m: Mapping[str, list[float]],
    u: Mapping[str, list[float]],
    possible_pairs: int,
) -> float:
    """λ: the expected matches among all blocked pairs (EM with m, u fixed) over all possible pairs."""
    keys = [gamma_column(c.name) for c in spec.comparisons]
    grouped = patterns.group_by(keys).agg(pl.col("count").sum()).sort(keys)
    result = expectation_maximisation(
        grouped,
        spec.comparisons,
        u,
        m,
        prior_start=0.1,
        max_iterations=spec.training.em_max_iterations * 4,
        tolerance=spec.training.em_tolerance,
        estimate_m=False,
    )
    expected_matches = result.prior * float(grouped["count"].sum())
    return min(max(expected_matches, 1.0) / possible_pairs, 0.5)


def term_frequency_tables(
    prepared: PreparedFrames, spec: LinkageSpec, *, dedupe: bool
) -> dict[str, dict[str, float]]:
    """Per tf comparison, each value's share among the non-null values of both frames (one
    frame for ``dedupe``), counted on the dictionary codes."""
    tables: dict[str, dict[str, float]] = {}
    frames = [prepared.left] if dedupe else [prepared.left, prepared.right]
    for comparison in spec.comparisons:
        column = comparison.tf_column
        if column is None:
            continue
        if column not in prepared.encoded:
            raise SpecError(f"term-frequency column {column!r} must be a String column")
        codes = np.concatenate([frame[column].drop_nulls().to_numpy() for frame in frames])
        counts = np.bincount(codes, minlength=len(prepared.dictionary))
        present = np.flatnonzero(counts)
        values = prepared.dictionary.gather(present).to_list()
        # Polars' division, whose last bit can differ from NumPy's, so equal data trains a
        # model with the same shares and hash.
        shares = (pl.Series(counts[present]) / codes.size).to_list()
        tables[comparison.name] = dict(zip(values, shares, strict=True))
    return tables


def train(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    spec: LinkageSpec,
    *,
    prepared: PreparedFrames | None = None,
    blocked_levels: pl.DataFrame | None = None,
    ids: RuleIds | None = None,
    u: Mapping[str, list[float]] | None = None,
) -> TrainedModel:
    """Unsupervised training: u from random pairs, m by EM sessions, λ by EM over all blocked pairs.

    ``prepared``, ``blocked_levels`` (the level frame of ``block``'s pairs), ``ids`` (the
    frames' ``rule_ids``) and ``u`` (``random_pair_u``) may be passed in to reuse work already
    done.
    """
    prepared = prepared or prepare(left, right, spec)
    u = random_pair_u(left, right, spec, prepared) if u is None else u
    ids = ids or rule_ids(left, right, spec.blocking)
    levels = blocked_levels
    if levels is None:
        levels = compute_levels(prepared, block(left, right, spec, ids), spec)
    return fit(
        spec,
        training_patterns(levels, ids, spec),
        u,
        term_frequency_tables(prepared, spec, dedupe=right is None),
        total_pair_count(left.height, None if right is None else right.height),
    )


def training_patterns(levels: pl.DataFrame, ids: RuleIds, spec: LinkageSpec) -> pl.DataFrame:
    """The level patterns of the blocked pairs with the EM rules' agreement flags, counted:
    everything EM needs from the pairs, and nothing of u."""
    flags = agreement(ids, levels.select("idx_l", "idx_r"), em_rules(spec))
    names = [c.name for c in spec.comparisons]
    return level_patterns(levels.hstack(flags), names, flags.columns)


def fit(
    spec: LinkageSpec,
    patterns: pl.DataFrame,
    u: Mapping[str, list[float]],
    term_frequencies: dict[str, dict[str, float]],
    possible_pairs: int,
) -> TrainedModel:
    """The model from ``training_patterns``, u and the term-frequency tables: m by EM
    sessions, then λ over all ``possible_pairs``."""
    m = estimate_m(patterns, spec, u)
    prior = estimate_prior(patterns, spec, m, u, possible_pairs)
    return _model(spec, prior, m, u, term_frequencies)


def train_from_labels(
    left: pl.DataFrame,
    right: pl.DataFrame | None,
    spec: LinkageSpec,
    labels: pl.DataFrame,
    *,
    prepared: PreparedFrames | None = None,
) -> TrainedModel:
    """Supervised training from labelled pairs ``idx_l, idx_r, is_match``.

    m comes from the labelled matches, u from random pairs; λ is the number of labelled matches
    over all possible pairs, which assumes the labels list every true match (a gold standard).
    """
    missing = {"idx_l", "idx_r", "is_match"} - set(labels.columns)
    if missing:
        raise SpecError(f"labels need columns idx_l, idx_r, is_match; missing {sorted(missing)}")
    matches = labels.filter(pl.col("is_match")).select(
        pl.col("idx_l").cast(pl.UInt32), pl.col("idx_r").cast(pl.UInt32)
    )
    if matches.is_empty():
        raise MatchingError("labels hold no match (is_match true); m cannot be estimated")
    prepared = prepared or prepare(left, right, spec)
    levels = compute_levels(prepared, matches, spec)
    m = {c.name: smoothed(level_counts(levels, c)) for c in spec.comparisons}
    u = random_pair_u(left, right, spec, prepared)
    possible = total_pair_count(left.height, None if right is None else right.height)
    prior = min(matches.height / possible, 0.5)
    tables = term_frequency_tables(prepared, spec, dedupe=right is None)
    return _model(spec, prior, m, u, tables)


def _model(
    spec: LinkageSpec,
    prior: float,
    m: Mapping[str, list[float]],
    u: Mapping[str, list[float]],
    term_frequencies: dict[str, dict[str, float]],
) -> TrainedModel:
    return TrainedModel(
        spec=spec,
        parameters=Parameters(
            prior=prior,
            comparisons={
                c.name: ComparisonParameters(m=list(m[c.name]), u=list(u[c.name]))
                for c in spec.comparisons
            },
            term_frequencies=term_frequencies,
        ),
    )
