#!/usr/bin/env python3
"""Benchmark: a cold `dockgen render` against a bare import of its libraries (issue 9).

Goal: render costs at most 1.3 times `python -c "import yaml, jinja2, typer; from pydantic
import BaseModel"` (``import pydantic`` alone loads almost nothing: pydantic imports its
modules lazily, so the baseline names the class every spec model needs).

Each measurement is a fresh process (cold start, as a user runs it). Renders and baselines
alternate in one run, in pairs, so a machine that slows down or speeds up during the run
weighs on both alike; the median of each is reported, and the median of the per-pair
ratios. Python's bytecode cache is on for every run (``PYTHONDONTWRITEBYTECODE`` is dropped),
as for an installed dockgen, whose modules pip compiles: without it an editable checkout
compiles dockgen's own sources on every run (about 15 ms). This is a benchmark script, not
a test: timing depends on the machine.

Usage: python scripts/bench_render.py [--runs N] [SPEC]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "import yaml, jinja2, typer; from pydantic import BaseModel"
ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def once(argv: list[str]) -> float:
    """Wall time in seconds of one fresh run of ``argv`` (it must exit 0)."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="pairs of runs (default 15)")
    parser.add_argument("spec", nargs="?", default=str(ROOT / "specs/python-notes/dockgen.yaml"))
    args = parser.parse_args()
    dockgen = str(Path(sys.executable).parent / "dockgen")
    baseline_argv = [sys.executable, "-c", BASELINE]
    with tempfile.TemporaryDirectory() as out:
        render = [dockgen, "render", args.spec, "-o", out, "--force"]
        subprocess.run(render, check=True, capture_output=True, env=ENV)  # warm the OS file cache, write bytecode
        once(baseline_argv)
        pairs = [(once(baseline_argv), once(render)) for _ in range(args.runs)]
    baseline = statistics.median(b for b, _ in pairs)
    rendered = statistics.median(r for _, r in pairs)
    ratio = statistics.median(r / b for b, r in pairs)
    print(f"{'bare import (' + BASELINE + ')':<72} {baseline * 1000:8.1f} ms")
    print(f"{'dockgen render ' + Path(args.spec).parent.name:<72} {rendered * 1000:8.1f} ms")
    print(f"{'ratio, median of the pairs (goal <= 1.30)':<72} {ratio:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
