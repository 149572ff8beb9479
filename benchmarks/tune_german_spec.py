"""Sweep the decision settings of the German spec on a generated register (never a hand-picked case).

    .venv/bin/python -m benchmarks.tune_german_spec --size 100000 --seed 7

Generates the fixture with ``seed`` (tuning seed; quality_german.py evaluates on another), scores
it once, then prints precision, recall and review share per (match threshold, tie margin).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from fixtures.generate import generate
from matching.blocking import block
from regmod.ingest import read_register
from regmod.linkage import german_spec
from regmod.reconcile import engine
from regmod.reconcile.decide import DecisionRules, decide
from regmod.reconcile.outputs import links_table, review_table
from regmod.reconcile.quality import measure_quality, read_truth
from regmod.reconcile.run import DUPLICATE_THRESHOLD, linkable


def main() -> None:
    """Print the sweep table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = generate(args.size, seed=args.seed, out_dir=Path(folder))
        register = linkable(read_register(files.register))
        reference = linkable(read_register(files.reference))
        truth = read_truth(files.truth)
    spec = german_spec()
    compared = engine.compare_pairs(register, reference, block(register, reference, spec), spec)
    model = engine.train(register, reference, compared, spec)
    scored = engine.score(compared, model)
    persons = engine.duplicate_persons(register, spec, DUPLICATE_THRESHOLD)
    print(f"{'match':>7} {'tie':>4} {'precision':>9} {'recall':>7} {'review':>7} {'wrong':>6}")
    for match in (0.99, 0.999, 0.9999):
        for tie in (1.0, 2.0, 4.0, 6.0):
            decisions = decide(scored, persons["cluster_id"], DecisionRules(match, 0.5, tie))
            links = links_table(decisions, register, reference, model.model_hash)
            review = review_table(decisions, register, reference, model.model_hash)
            quality = measure_quality(truth, links, review, register.height)
            wrong = quality.automatic_links - quality.correct_automatic_links
            print(
                f"{match:>7} {tie:>4} {quality.precision:>9.5f} {quality.recall:>7.4f} "
                f"{quality.review_share:>7.4f} {wrong:>6}"
            )


if __name__ == "__main__":
    main()
