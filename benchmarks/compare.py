"""regmod against recordlinkage on the same inputs, in one run, alternating, one table.

    .venv/bin/python -m benchmarks.compare                     # FEBRL4, FEBRL3, German 10k and 100k
    .venv/bin/python -m benchmarks.compare --datasets febrl4 --repeats 5
    .venv/bin/python -m benchmarks.compare --quick             # FEBRL4 once (smoke run)

Every (tool, dataset, repeat) runs in a fresh subprocess, so peak memory (ru_maxrss, including the
loaded inputs) belongs to one tool; the tool order alternates between repeats; times are medians.
Input preparation (loading FEBRL, generating, ingesting and normalising German registers) is done
before the clock starts and is the same for both tools. "cpu s" is the processor time (user and
system, all threads) of the timed run: regmod keeps both cores busy, recordlinkage mostly one, so
it shows the work done apart from how the machine shares its cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from benchmarks.peers.datasets import DATASETS, Dataset

TOOLS = ("regmod", "recordlinkage")
DEFAULT_DATASETS = ("febrl4", "febrl3", "german-10k", "german-100k")
PEER_TIMEOUT_SECONDS = 900
STAGES = ("block", "compare+train+score", "decide", "total")


@dataclass(frozen=True)
class Measurement:
    """One run of one tool on one dataset."""

    timings: dict[str, float]
    candidate_pairs: int
    peak_rss_mib: float
    cpu_seconds: float
    precision: float
    recall: float
    f1: float


def quality(predicted: list[tuple[str, str]], dataset: Dataset) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted record-id pairs against the dataset's truth."""
    if dataset.right is None:
        found = {tuple(sorted(pair)) for pair in predicted if pair[0] != pair[1]}
    else:
        found = set(predicted)
    hits = len(found & dataset.truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(dataset.truth) if dataset.truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_child(tool: str, dataset_name: str) -> None:
    """Measure one tool on one dataset in this process and print the measurement as JSON."""
    dataset = DATASETS[dataset_name]()
    if tool == "regmod":
        from benchmarks.peers.regmod_runner import run_regmod as run
    else:
        from benchmarks.peers.recordlinkage_runner import run_recordlinkage as run
    before = resource.getrusage(resource.RUSAGE_SELF)
    result = run(dataset)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    precision, recall, f1 = quality(result.predicted, dataset)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "timings": result.timings,
                "candidate_pairs": result.candidate_pairs,
                "peak_rss_mib": peak,
                "cpu_seconds": cpu,
                "precision": precision,
                "recall": recall,
                "f1": f1,
            }
        )
    )


def measure(tool: str, dataset_name: str) -> Measurement | str:
    """Run one child process; a measurement, or why there is none."""
    command = [sys.executable, "-m", "benchmarks.compare", "--child", tool, dataset_name]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PEER_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return f"did not finish in {PEER_TIMEOUT_SECONDS} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed: {last}"
    return Measurement(**json.loads(done.stdout.strip().splitlines()[-1]))


def summarise(runs: list[Measurement]) -> Measurement:
    """Median timings and memory over repeats; pairs and quality from the first run."""
    first = runs[0]
    return Measurement(
        timings={stage: statistics.median(run.timings[stage] for run in runs) for stage in STAGES},
        candidate_pairs=first.candidate_pairs,
        peak_rss_mib=statistics.median(run.peak_rss_mib for run in runs),
        cpu_seconds=statistics.median(run.cpu_seconds for run in runs),
        precision=first.precision,
        recall=first.recall,
        f1=first.f1,
    )


def speed_up(runs: dict[str, list[Measurement]]) -> str:
    """recordlinkage's median total over regmod's, and the range of the ratios of the runs made
    side by side in each repeat (the machine's noise moves both tools' times)."""
    totals = {tool: [run.timings["total"] for run in runs[tool]] for tool in TOOLS}
    own, peer = (statistics.median(totals[tool]) for tool in TOOLS)
    text = f"speed-up ×{peer / max(own, 1e-9):.1f}"
    paired = [
        peer_total / max(own_total, 1e-9)
        for own_total, peer_total in zip(totals["regmod"], totals["recordlinkage"], strict=False)
    ]
    if len(paired) > 1:
        text += f" (repeats ×{min(paired):.1f}–{max(paired):.1f})"
    return text


def main() -> None:
    """Run every requested dataset with both tools and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", default=",".join(DEFAULT_DATASETS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="FEBRL4 once, as a smoke run")
    parser.add_argument(
        "--skip-recordlinkage",
        default="german-1m",
        help="Datasets left to regmod alone ('none': run recordlinkage everywhere).",
    )
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "DATASET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(*args.child)
        return
    names = ["febrl4"] if args.quick else args.datasets.split(",")
    repeats = 1 if args.quick else args.repeats
    skipped = set(args.skip_recordlinkage.split(","))
    unknown = [name for name in names if name not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s) {unknown}; choose from {', '.join(DATASETS)}")

    table = Table(title=f"regmod vs recordlinkage (median of {repeats})")
    columns = (
        "dataset",
        "tool",
        *STAGES,
        "cpu s",
        "pairs",
        "peak MiB",
        "precision",
        "recall",
        "F1",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("dataset", "tool") else "right")
    console = Console(width=180)
    for name in names:
        runs: dict[str, list[Measurement]] = {tool: [] for tool in TOOLS}
        notes: dict[str, str] = {}
        for repeat in range(repeats):
            order = TOOLS if repeat % 2 == 0 else tuple(reversed(TOOLS))
            for tool in order:
                if tool in notes:
                    continue
                if tool == "recordlinkage" and name in skipped:
                    notes[tool] = "not run (--skip-recordlinkage; German 1M takes it over 7 min)"
                    continue
                console.log(f"{name}: {tool} run {repeat + 1}/{repeats}")
                outcome = measure(tool, name)
                if isinstance(outcome, str):
                    notes[tool] = outcome
                else:
                    runs[tool].append(outcome)
        for tool in TOOLS:
            if not runs[tool]:
                table.add_row(name, tool, notes.get(tool, "no result"))
                continue
            row = summarise(runs[tool])
            table.add_row(
                name,
                tool,
                *(f"{row.timings[stage]:.3f}" for stage in STAGES),
                f"{row.cpu_seconds:.3f}",
                f"{row.candidate_pairs:,}",
                f"{row.peak_rss_mib:,.0f}",
                f"{row.precision:.4f}",
                f"{row.recall:.4f}",
                f"{row.f1:.4f}",
            )
        if runs["regmod"] and runs["recordlinkage"]:
            table.add_row(name, speed_up(runs), *[""] * (len(columns) - 2))
    console.print(table)


if __name__ == "__main__":
    main()
