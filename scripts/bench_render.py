#!/usr/bin/env python3
"""Benchmark: a cold `dockgen render` against a bare import of its libraries (issue 2).

Goal: render costs at most 1.3 times `python -c "import yaml, jinja2, pydantic, typer"`.
Each measurement is a fresh process (cold start, as a user runs it); the median of N
runs is reported. This is a benchmark script, not a test: timing depends on the machine.

Usage: python scripts/bench_render.py [--runs N] [SPEC]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "import yaml, jinja2, pydantic, typer"


def timed(argv: list[str], runs: int) -> float:
    """Median wall time in seconds of ``runs`` fresh runs of ``argv`` (each must exit 0)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("spec", nargs="?", default=str(ROOT / "specs/python-notes/dockgen.yaml"))
    args = parser.parse_args()
    dockgen = str(Path(sys.executable).parent / "dockgen")
    with tempfile.TemporaryDirectory() as out:
        render = [dockgen, "render", args.spec, "-o", out, "--force"]
        subprocess.run(render, check=True, capture_output=True)  # warm the OS file cache
        baseline = timed([sys.executable, "-c", BASELINE], args.runs)
        rendered = timed(render, args.runs)
    ratio = rendered / baseline
    print(f"{'bare import (' + BASELINE + ')':<60} {baseline * 1000:8.1f} ms")
    print(f"{'dockgen render ' + Path(args.spec).parent.name:<60} {rendered * 1000:8.1f} ms")
    print(f"{'ratio (goal <= 1.30)':<60} {ratio:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
