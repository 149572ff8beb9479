"""Scale: two N-row frames of random names and dates through block, train and predict.

Run: ``.venv/bin/python -m benchmarks.scale_matching 100000`` (also 1000000). Prints the wall
time per stage, pairs per second of the compare+score stage and the peak RSS.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import polars as pl

from matching import (
    DateColumns,
    LinkageSpec,
    Linker,
    Training,
    block_on,
    date_comparison,
    exact_comparison,
    string_comparison,
)

LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def random_words(rng: np.random.Generator, count: int, low: int, high: int) -> list[str]:
    """``count`` random lowercase words of ``low`` to ``high`` letters."""
    lengths = rng.integers(low, high + 1, count)
    letters = rng.choice(LETTERS, lengths.sum())
    return ["".join(part) for part in np.split(letters, np.cumsum(lengths)[:-1])]


def skewed(rng: np.random.Generator, count: int, pool: int) -> np.ndarray:  # type: ignore[type-arg]
    """Indices into a pool of ``pool`` values, the first ones far more frequent (like names)."""
    return (rng.random(count) ** 3 * pool).astype(np.int64)


def make_frames(rows: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A left frame and a right frame of the same people with typos, swaps and gaps, shuffled."""
    rng = np.random.default_rng(seed)
    surnames = np.array(random_words(rng, max(rows // 4, 10), 4, 10))
    first_names = np.array(random_words(rng, 3000, 3, 8))
    left = pl.DataFrame(
        {
            "id": np.arange(rows).astype(str),
            "surname": surnames[skewed(rng, rows, len(surnames))],
            "first_name": first_names[skewed(rng, rows, len(first_names))],
            "birth_year": rng.integers(1930, 2010, rows).astype(np.int16),
            "birth_month": rng.integers(1, 13, rows).astype(np.int8),
            "birth_day": rng.integers(1, 29, rows).astype(np.int8),
            "postcode": rng.integers(10000, 99999, rows).astype(str),
        }
    )
    typo = pl.Series(rng.random(rows) < 0.1)
    gap = pl.Series(rng.random(rows) < 0.05)
    right = left.with_columns(
        ("r" + pl.col("id")).alias("id"),
        pl.when(typo)
        .then(pl.col("surname").str.slice(1))
        .otherwise(pl.col("surname"))
        .alias("surname"),
        pl.when(gap).then(None).otherwise(pl.col("birth_day")).alias("birth_day"),
    ).sample(fraction=1.0, shuffle=True, seed=seed)
    return left, right


def scale_spec() -> LinkageSpec:
    """A generic person spec: names by Jaro–Winkler (surname with tf), partial dates, postcode."""
    return LinkageSpec(
        record_id="id",
        blocking=[
            block_on("surname", "birth_year"),
            block_on("first_name", "birth_year", "birth_month"),
            block_on("postcode"),
        ],
        comparisons=[
            string_comparison("surname", thresholds=(0.92, 0.8), term_frequency=True),
            string_comparison("first_name", thresholds=(0.9,)),
            date_comparison(
                "birth_date", DateColumns(year="birth_year", month="birth_month", day="birth_day")
            ),
            exact_comparison("postcode"),
        ],
        training=Training(u_random_pairs=300_000, seed=1),
    )


def main(rows: int) -> None:
    """Run every stage once and print a table of timings."""
    timings: dict[str, float] = {}
    mark = time.perf_counter()
    left, right = make_frames(rows, seed=42)
    timings["generate"] = time.perf_counter() - mark
    start = time.perf_counter()
    linker = Linker(left, right, scale_spec())
    _ = linker.prepared
    timings["prepare"] = time.perf_counter() - start
    mark = time.perf_counter()
    pairs = linker.blocking.pairs()
    timings["block"] = time.perf_counter() - mark
    mark = time.perf_counter()
    levels = linker.inference.levels()
    timings["compare"] = time.perf_counter() - mark
    mark = time.perf_counter()
    linker.training.train()
    timings["train"] = time.perf_counter() - mark
    mark = time.perf_counter()
    scored = linker.inference.predict(keep_components=False)
    timings["score"] = time.perf_counter() - mark
    timings["total (no generate)"] = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"rows {rows:,} × {rows:,}   pairs {pairs.height:,}   levels {levels.width - 2}")
    for stage, seconds in timings.items():
        print(f"{stage:>20}: {seconds:7.2f} s")
    print(f"{'compare pairs/s':>20}: {pairs.height / timings['compare'] / 1e6:7.2f} M")
    print(f"{'above 0.99':>20}: {scored.filter(pl.col('match_probability') >= 0.99).height:,}")
    print(f"{'peak RSS':>20}: {peak_gb:7.2f} GB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
