"""Sweep the decision settings of the German spec on a generated register (the tuning family).

    .venv/bin/python -m benchmarks.tune_german_spec --size 100000 --seed 7

Generates the first fixture family with ``seed`` (or reads ``--dir`` with register, reference
and truth), links it once, then prints precision, recall, review share and wrong automatic links
per (first-name contradiction level, match threshold, tie margin). The second family
(``fixtures.households``) is kept for reporting, never for this sweep.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from fixtures.generate import generate
from matching.contradictions import contradiction_expression
from matching.spec import LinkageSpec
from regmod.ingest import read_register
from regmod.linkage import german_spec
from regmod.reconcile import engine
from regmod.reconcile.decide import DecisionRules, decide
from regmod.reconcile.outputs import links_table, review_table
from regmod.reconcile.quality import measure_quality, read_truth
from regmod.reconcile.run import linkable


def _with_first_names_contradicting_from(spec: LinkageSpec, level: int) -> LinkageSpec:
    comparisons = [
        c.model_copy(update={"contradicts_from": level}) if c.name == "first_names" else c
        for c in spec.comparisons
    ]
    return spec.model_copy(update={"comparisons": comparisons})


def main() -> None:
    """Print the sweep table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="register.csv, reference.csv, truth.csv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = (
            args.dir or generate(args.size, seed=args.seed, out_dir=Path(folder)).register.parent
        )
        register = linkable(read_register(source / "register.csv"))
        reference = linkable(read_register(source / "reference.csv"))
        truth = read_truth(source / "truth.csv")
    spec = german_spec()
    linked = engine.link(register, reference, spec)
    dedupe = engine.register_pairs(register, spec)
    print(
        f"{'first':>5} {'match':>7} {'tie':>4} {'precision':>9} {'recall':>7} {'review':>7} {'wrong':>6}"
    )
    for level in (4, 5):
        variant = _with_first_names_contradicting_from(spec, level)
        scored = linked.scored.with_columns(contradiction_expression(variant))
        for match in (0.99, 0.999, 0.9999):
            for tie in (2.0, 4.0, 6.0):
                rules = DecisionRules(match, 0.5, tie)
                decisions = decide(
                    scored, dedupe, register.height, rules, reference_ids=reference["idnr"]
                )
                links = links_table(decisions, register, reference, linked.model.model_hash)
                review = review_table(decisions, register, reference, linked.model.model_hash)
                quality = measure_quality(truth, links, review, register.height)
                wrong = quality.automatic_links - quality.correct_automatic_links
                print(
                    f"{level:>5} {match:>7} {tie:>4} {quality.precision:>9.5f} "
                    f"{quality.recall:>7.4f} {quality.review_share:>7.4f} {wrong:>6}"
                )


if __name__ == "__main__":
    main()
