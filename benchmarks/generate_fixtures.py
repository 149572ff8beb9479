"""Time the fixture generator at 1k, 10k, 100k and 1M register rows; print size, seconds, rows/s, peak RSS.

Each size runs in a fresh process so that its peak resident memory is its own.

    .venv/bin/python -m benchmarks.generate_fixtures [--sizes 1000 10000] [--format csv|parquet]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fixtures.generate import generate

SIZES = (1_000, 10_000, 100_000, 1_000_000)


def measure_one(size: int, fmt: str) -> dict[str, float]:
    """Generate ``size`` register rows into a temporary directory; seconds and peak RSS in MiB."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        generate(size, seed=1, out_dir=Path(out), fmt=fmt)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": size, "seconds": seconds, "peak_mib": peak_mib}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one is not None:
        print(json.dumps(measure_one(arguments.one, arguments.format)))
        return
    print(f"{'size':>10} {'seconds':>9} {'rows/s':>10} {'peak RSS MiB':>13}")
    for size in arguments.sizes:
        command = [sys.executable, "-m", "benchmarks.generate_fixtures", "--one", str(size)]
        result = json.loads(
            subprocess.run(
                [*command, "--format", arguments.format], check=True, capture_output=True, text=True
            ).stdout
        )
        rate = size / result["seconds"]
        print(f"{size:>10,} {result['seconds']:>9.2f} {rate:>10,.0f} {result['peak_mib']:>13,.0f}")


if __name__ == "__main__":
    main()
