"""Reconciliation quality on a generated German register with truth from the generator.

    .venv/bin/python -m benchmarks.quality_german --size 100000 --seed 11

Runs the full ``regmod reconcile`` pipeline (default German spec, unsupervised training) and
prints precision of automatic links, share of true links linked automatically, and review share
against the targets of issue 4 (≥ 0.999, ≥ 0.97, ≤ 0.03).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from fixtures.generate import generate
from regmod.reconcile.run import RunRequest, reconcile


def main() -> None:
    """Generate, reconcile, print the figures and the time per stage."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = generate(args.size, seed=args.seed, out_dir=Path(folder) / "data")
        result = reconcile(
            RunRequest(
                register=files.register,
                reference=files.reference,
                truth=files.truth,
                out=Path(folder) / "run",
            )
        )
    manifest = result.manifest
    quality = manifest.quality
    assert quality is not None
    counts = manifest.counts
    print(
        f"register rows {counts.rows_in:,}, reference rows {counts.reference_rows:,}, "
        f"candidate pairs {counts.candidate_pairs:,}"
    )
    print(f"{'measure':<36}{'value':>10}{'target':>10}")
    for label, value, target in (
        ("precision of automatic links", quality.precision, ">= 0.999"),
        ("true links linked automatically", quality.recall, ">= 0.97"),
        ("records in review", quality.review_share, "<= 0.03"),
    ):
        print(f"{label:<36}{value:>10.4f}{target:>10}")
    print(
        "seconds per stage: "
        + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in manifest.timings_seconds.items())
    )


if __name__ == "__main__":
    main()
