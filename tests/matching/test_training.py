"""Training: seeded random-pair u, EM on patterns, prior, tf tables, labels, model documents."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import patch

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    LinkageSpec,
    Linker,
    MatchingError,
    TrainedModel,
    Training,
    block_on,
    exact_comparison,
    string_comparison,
    training,
)
from matching.comparisons import compute_levels, sampled_level_counts
from matching.gamma import gamma_column
from matching.preparation import prepare
from matching.spec import Comparison, ElseLevel, ExactLevel, NullLevel, SimilarityLevel
from matching.training import (
    expectation_maximisation,
    level_counts,
    level_patterns,
    random_pairs,
    smoothed,
    starting_m,
)


def people(count: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two frames about the same people, the right one with typos and shuffled."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    names = ["".join(rng.choice(letters, 6)) for _ in range(count // 2)]
    surnames = [names[n] for n in rng.integers(0, len(names), count)]
    first = [f"fn{n}" for n in rng.integers(0, 100, count)]
    city = [f"city{n}" for n in rng.integers(0, 8, count)]
    left = pl.DataFrame(
        {"id": [f"l{i}" for i in range(count)], "surname": surnames, "first": first, "city": city}
    )
    typo = rng.random(count) < 0.2
    right = left.with_columns(
        pl.Series("id", [f"r{i}" for i in range(count)]),
        pl.when(pl.Series(typo))
        .then(pl.col("surname") + "x")
        .otherwise(pl.col("surname"))
        .alias("surname"),
    ).sample(fraction=1.0, shuffle=True, seed=seed)
    return left, right


def spec() -> LinkageSpec:
    return LinkageSpec(
        record_id="id",
        blocking=[block_on("surname"), block_on("first", "city")],
        comparisons=[
            string_comparison("surname", thresholds=(0.9,), term_frequency=True),
            exact_comparison("first"),
            exact_comparison("city"),
        ],
        training=Training(u_random_pairs=20_000, seed=11),
    )


def test_u_sample_compares_costly_levels_on_a_sample_and_counts_cheap_ones_exactly() -> None:
    rng = np.random.default_rng(4)
    count = 3000
    frame = pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(count)],
            "surname": ["".join(rng.choice(list("aeikl"), 4)) for _ in range(count)],
            "city": [f"city{n}" for n in rng.integers(0, 30, count)],
        }
    ).with_columns(pl.when(pl.int_range(count) % 10 > 0).then(pl.col("surname")))
    comparison = Comparison(
        name="surname",
        column="surname",
        levels=[
            NullLevel(),
            ExactLevel(),
            SimilarityLevel(metric="jaro_winkler", threshold=0.75),
            ExactLevel(column="city"),
            ElseLevel(),
        ],
    )
    linkage = LinkageSpec(record_id="id", blocking=[block_on("city")], comparisons=[comparison])
    prepared = prepare(frame, frame, linkage)
    random = random_pairs(frame, frame, "id", 60_000, seed=3)
    every = level_counts(compute_levels(prepared, random, linkage), comparison)
    np.testing.assert_array_equal(
        sampled_level_counts(prepared, random, linkage, None)["surname"], every
    )
    sampled = sampled_level_counts(prepared, random, linkage, 5000)["surname"]
    exact, similar, city, other = range(4)
    # Pairs settled before the similarity level or by the later exact level are all compared.
    assert sampled[exact] == every[exact] and sampled[city] == every[city]
    assert sampled.sum() == pytest.approx(every.sum())
    assert not np.array_equal(sampled, every)  # the similarity level saw a sample only
    assert every[similar] > 2000
    assert sampled[similar] == pytest.approx(every[similar], rel=0.1)
    assert sampled[other] == pytest.approx(every[other], rel=0.02)


def test_training_is_deterministic_with_a_seed() -> None:
    left, right = people(400, 1)
    first = Linker(left, right, spec()).training.train()
    second = Linker(left, right, spec()).training.train()
    assert first.model_hash == second.model_hash


def test_model_does_not_depend_on_input_row_order() -> None:
    left, right = people(400, 2)
    model = Linker(left, right, spec()).training.train()
    shuffled = Linker(left.reverse(), right.sample(fraction=1.0, shuffle=True, seed=5), spec())
    other = shuffled.training.train()
    for name, parameters in model.parameters.comparisons.items():
        np.testing.assert_allclose(parameters.m, other.parameters.comparisons[name].m, rtol=1e-9)
        np.testing.assert_allclose(parameters.u, other.parameters.comparisons[name].u, rtol=1e-9)
    assert other.parameters.prior == pytest.approx(model.parameters.prior, rel=1e-9)


def test_unsupervised_training_learns_that_agreement_is_evidence() -> None:
    left, right = people(600, 3)
    model = Linker(left, right, spec()).training.train()
    surname = model.parameters.comparisons["surname"]
    assert surname.log2_bayes_factors()[0] > 5
    assert surname.log2_bayes_factors()[-1] < 0
    true_prior = 600 / 600**2
    assert true_prior / 2 < model.parameters.prior < true_prior * 2


def test_supervised_training_from_labelled_pairs() -> None:
    left, right = people(300, 4)
    truth = left.select("surname").with_row_index("idx_l")
    order = right.with_row_index("idx_r").with_columns(
        pl.col("id").str.slice(1).cast(pl.UInt32).alias("idx_l")
    )
    labels = order.select("idx_l", "idx_r").with_columns(is_match=pl.lit(True))
    assert truth.height == labels.height
    model = Linker(left, right, spec()).training.train_from_labels(labels)
    assert model.parameters.prior == pytest.approx(300 / 300**2)
    assert model.parameters.comparisons["first"].m[0] > 0.98


def test_supervised_training_needs_a_match() -> None:
    left, right = people(50, 4)
    labels = pl.DataFrame({"idx_l": [0], "idx_r": [1], "is_match": [False]})
    with pytest.raises(MatchingError, match="no match"):
        Linker(left, right, spec()).training.train_from_labels(labels)


def test_term_frequency_tables_hold_shares_of_both_frames() -> None:
    left, right = people(200, 6)
    model = Linker(left, right, spec()).training.train()
    table = model.parameters.term_frequencies["surname"]
    assert sum(table.values()) == pytest.approx(1.0)
    assert set(table) == set(left["surname"]) | set(right["surname"])


def test_term_frequency_tables_of_a_dedupe_count_each_record_once() -> None:
    left, _ = people(200, 6)
    model = Linker(left, None, spec().model_copy(update={"link_type": "dedupe"})).training.train()
    table = model.parameters.term_frequencies["surname"]
    counts = left["surname"].value_counts()
    assert table == pytest.approx(
        {name: n / left.height for name, n in counts.iter_rows()}, rel=1e-12
    )


def test_model_document_round_trips_with_its_hash(tmp_path: Path) -> None:
    left, right = people(200, 7)
    model = Linker(left, right, spec()).training.train()
    path = tmp_path / "model.json"
    digest = model.save(path)
    loaded = TrainedModel.load(path)
    assert loaded == model and loaded.model_hash == digest == model.model_hash
    assert json.loads(path.read_text())["hash"] == digest


def test_edited_model_document_is_refused(tmp_path: Path) -> None:
    left, right = people(200, 8)
    document = json.loads(Linker(left, right, spec()).training.train().to_json())
    document["parameters"]["prior"] = 0.25
    with pytest.raises(MatchingError, match="hash mismatch"):
        TrainedModel.from_json(json.dumps(document))


def em_on_all_pairs(
    gammas: np.ndarray, comparisons: list[Comparison], u: dict[str, list[float]], iterations: int
) -> tuple[dict[str, list[float]], float]:
    """Reference EM that visits every pair: the textbook algorithm, no aggregation."""
    m = {c.name: starting_m(c) for c in comparisons}
    prior = 0.1
    for _ in range(iterations):
        log_m = np.zeros(len(gammas))
        log_u = np.zeros(len(gammas))
        for column, comparison in enumerate(comparisons):
            for row, level in enumerate(gammas[:, column]):
                if level >= 0:
                    log_m[row] += np.log(m[comparison.name][level])
                    log_u[row] += np.log(u[comparison.name][level])
        odds = np.exp(np.log(prior / (1 - prior)) + log_m - log_u)
        posterior = odds / (1 + odds)
        prior = float(posterior.mean())
        for column, comparison in enumerate(comparisons):
            counts = np.zeros(len(comparison.agreement_levels))
            for row, level in enumerate(gammas[:, column]):
                if level >= 0:
                    counts[level] += posterior[row]
            m[comparison.name] = smoothed(counts)
    return m, prior


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_em_on_patterns_equals_em_on_all_pairs(data: st.DataObject) -> None:
    comparisons = [string_comparison("a", thresholds=(0.8,)), exact_comparison("b")]
    rows = data.draw(st.integers(5, 60))
    assume_some_disagreement = [[2, 1]]
    drawn = np.column_stack(
        [
            data.draw(st.lists(st.integers(-1, 2), min_size=rows, max_size=rows)),
            data.draw(st.lists(st.integers(-1, 1), min_size=rows, max_size=rows)),
        ]
    )
    gammas = np.vstack([drawn, assume_some_disagreement])
    u = {"a": [0.01, 0.09, 0.9], "b": [0.05, 0.95]}
    levels = pl.DataFrame(
        {gamma_column("a"): gammas[:, 0], gamma_column("b"): gammas[:, 1]},
        schema={gamma_column("a"): pl.Int8, gamma_column("b"): pl.Int8},
    )
    result = expectation_maximisation(
        level_patterns(levels, ["a", "b"]),
        comparisons,
        u,
        {c.name: starting_m(c) for c in comparisons},
        0.1,
        max_iterations=8,
        tolerance=1e-300,
    )
    m, prior = em_on_all_pairs(gammas, comparisons, u, 8)
    assert result.prior == pytest.approx(prior, rel=1e-9, abs=1e-12)
    for name in ("a", "b"):
        np.testing.assert_allclose(result.m[name], m[name], rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-1, 99), st.integers(-1, 3), st.booleans(), st.booleans()),
        max_size=40,
    )
)
def test_patterns_count_each_distinct_combination_of_levels_and_flags(
    rows: list[tuple[int, int, bool, bool]],
) -> None:
    schema = {
        gamma_column("a"): pl.Int8,
        gamma_column("b"): pl.Int8,
        "rule_0": pl.Boolean,
        "rule_1": pl.Boolean,
    }
    levels = pl.DataFrame(rows, schema=schema, orient="row")
    patterns = level_patterns(levels, ["a", "b"], ["rule_0", "rule_1"])
    expected: dict[tuple[int, int, bool, bool], int] = {}
    for row in rows:
        expected[row] = expected.get(row, 0) + 1
    assert patterns.schema == {**schema, "count": pl.Float64}
    assert patterns.rows() == [(*key, float(n)) for key, n in sorted(expected.items())]
    with patch.object(training, "_PACKED_ROWS", 3):  # packed in many chunks
        assert level_patterns(levels, ["a", "b"], ["rule_0", "rule_1"]).equals(patterns)


def test_cached_hash_and_labels_follow_a_copy_with_new_content() -> None:
    left, right = people(200, 9)
    model = Linker(left, right, spec()).training.train()
    before, labels = model.model_hash, model.level_labels()
    shifted = model.parameters.model_copy(update={"prior": model.parameters.prior / 2})
    copy = model.model_copy(update={"parameters": shifted})
    assert copy.model_hash != before and copy != model
    assert copy.level_labels() == labels == {c.name: c.level_labels() for c in spec().comparisons}
    assert TrainedModel.from_json(model.to_json()) == model  # caches do not count for equality
