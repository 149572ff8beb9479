"""Reconciliation quality on two independent fixture families, per case kind.

    .venv/bin/python -m benchmarks.quality_worlds                 # 10k and 100k rows
    .venv/bin/python -m benchmarks.quality_worlds --quick         # 10k rows only

Generates the first family (``fixtures.generate``) and the households family
(``fixtures.households``, read by header recognition alone, as a new extract is), runs ``regmod reconcile`` on
each and prints, per family, size and case kind: records, true links, precision of automatic
links, share of true links linked automatically, review share and wrong automatic links, then the
aggregate and the purity of the reported duplicate clusters.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.case_quality import case_table, cluster_purity, read_case_truth
from fixtures import households
from fixtures.generate import generate
from regmod.reconcile.run import RunRequest, reconcile
from regmod.reconcile.rundir import read_table

FAMILIES = ("fixtures", "households")


@dataclass(frozen=True)
class World:
    """The inputs of one reconciliation."""

    register: Path
    reference: Path
    truth: Path


def build_world(family: str, size: int, seed: int, folder: Path) -> World:
    """Generate one world of ``family`` with about ``size`` register rows."""
    if family == "fixtures":
        files = generate(size, seed=seed, out_dir=folder)
        return World(files.register, files.reference, files.truth)
    made = households.generate(size, seed=seed, out_dir=folder)
    return World(made.register, made.reference, made.truth)


def measure(world: World, out: Path) -> tuple[pl.DataFrame, str]:
    """Reconcile ``world`` and score it: the case table and the purity line."""
    result = reconcile(
        RunRequest(
            register=world.register,
            reference=world.reference,
            out=out,
        )
    )
    truth = read_case_truth(world.truth)
    table = case_table(
        truth, read_table(result.run_dir, "links"), read_table(result.run_dir, "review")
    )
    purity = cluster_purity(truth, read_table(result.run_dir, "duplicates"))
    line = (
        f"duplicate clusters {purity.clusters:,}, one person {purity.pure:,} ({purity.share:.4f})"
    )
    return table, line


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def format_table(family: str, size: int, table: pl.DataFrame) -> Iterator[str]:
    """Lines of the printed table for one world (Markdown, ready for the README)."""
    for row in table.iter_rows(named=True):
        yield (
            f"| {family} | {size:,} | {row['case_kind']} | {row['records']:,} | "
            f"{row['true_links']:,} | {_ratio(row['precision'])} | {_ratio(row['recall'])} | "
            f"{row['review_share']:.4f} | {row['wrong_links']:,} |"
        )


def main() -> None:
    """Generate, reconcile and print one table over both families and all sizes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--quick", action="store_true", help="10k rows only")
    args = parser.parse_args()
    sizes = [10_000] if args.quick else args.sizes
    print(
        "| family | size | case kind | records | true links | precision | recall "
        "| review share | wrong links |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    purities = []
    with tempfile.TemporaryDirectory() as temporary:
        for size in sizes:
            for family in FAMILIES:
                folder = Path(temporary) / f"{family}-{size}"
                world = build_world(family, size, args.seed, folder / "data")
                table, purity = measure(world, folder / "run")
                for line in format_table(family, size, table):
                    print(line, flush=True)
                purities.append(f"{family} {size:,}: {purity}")
    print()
    for line in purities:
        print(line)


if __name__ == "__main__":
    main()
