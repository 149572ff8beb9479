"""regmod's comparison run under callgrind: instruction counts, which a noisy machine does not move.

    .venv/bin/python -m benchmarks.instructions save german-100k     # inputs to Parquet, once
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python -m benchmarks.instructions run german-100k --runs 1
    # the same with --runs 0; the difference of the two "I refs" totals is one run

Wall time on the shared 2-core machine moves by ±10 % between runs; the instructions of the same
code on the same inputs move by well under 1 %, so two versions of the engine compare reliably.
``save`` writes the dataset that ``benchmarks.compare`` builds, so ``run`` (under valgrind, about
50 times slower) only reads Parquet instead of generating and normalising a register.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import polars as pl

from benchmarks.peers.datasets import DATASETS, Dataset
from benchmarks.peers.regmod_runner import run_regmod
from matching import LinkageSpec


def folder(name: str) -> Path:
    """Where the saved inputs of dataset ``name`` live."""
    return Path(tempfile.gettempdir()) / "regmod-bench" / f"instructions-{name}"


def save(name: str) -> None:
    """Write dataset ``name``'s frames, spec and truth to Parquet and JSON."""
    dataset = DATASETS[name]()
    target = folder(name)
    target.mkdir(parents=True, exist_ok=True)
    dataset.left.write_parquet(target / "left.parquet")
    if dataset.right is not None:
        dataset.right.write_parquet(target / "right.parquet")
    (target / "spec.json").write_text(dataset.spec.model_dump_json())
    (target / "meta.json").write_text(
        json.dumps({"name": dataset.name, "truth": sorted(dataset.truth)})
    )


def load(name: str) -> Dataset:
    """The dataset ``save`` wrote."""
    source = folder(name)
    if not (source / "spec.json").exists():
        raise SystemExit(f"no saved inputs for {name}: run 'save {name}' first")
    meta = json.loads((source / "meta.json").read_text())
    right = source / "right.parquet"
    return Dataset(
        name=meta["name"],
        left=pl.read_parquet(source / "left.parquet"),
        right=pl.read_parquet(right) if right.exists() else None,
        spec=LinkageSpec.model_validate_json((source / "spec.json").read_text()),
        truth=frozenset((a, b) for a, b in meta["truth"]),
    )


def main() -> None:
    """``save`` a dataset, or ``run`` regmod on the saved one ``--runs`` times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=("save", "run"))
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.action == "save":
        save(args.dataset)
        return
    dataset = load(args.dataset)
    for _ in range(args.runs):
        run_regmod(dataset)


if __name__ == "__main__":
    main()
