#!/usr/bin/env python3
"""The image figures of issue 4: for each example dockgen's image against a naive one.

For every example the container tests can build (see tests/containers/container_harness.py),
with the same private podman and Debian stand-in base images:

* dockgen's image: final size, layer count, the size of its base image and of what the
  image adds over that base (the files that are new or changed in the exported file
  system), the overhead of the layers over base + additions, the build time cold (no
  layer cache, empty build cache mounts) and warm (a rebuild after one changed line of
  code), and how many RUN steps that rebuild ran again;
* a naive single-stage Dockerfile of the same app, written the way the talk's first slide
  does it: ``FROM`` a general distribution, ``apt-get install`` the language (and the
  build packages) with recommends, code copied first, one command per RUN.

Goals (issue 4): each image within 5 % of base + additions, the Python example at least
4 times smaller than its naive image, no RUN re-run after a code-only change.

Usage: ``.venv/bin/python scripts/bench_images.py [EXAMPLE ...]``.
Prints a Markdown table; timings are wall-clock seconds on this machine.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "containers"))

from container_harness import (  # noqa: E402
    BUILDABLE, build_steps, example_id, from_images, image_config, image_files, prepare_context,
)
from dockgen.loader import load_spec  # noqa: E402
from standins import Engine, full_name  # noqa: E402

MB = 1_000_000
COMMENT = {".py": "#", ".rb": "#", ".js": "//", ".go": "//", ".php": "//", ".html": None}
# What the talk's first slide installs for each language on a general distribution.
NAIVE_PACKAGES = {
    "python": ["python3", "python3-pip", "python3-venv", "python3-dev"],
    "node": ["nodejs", "npm"],
    "ruby": ["ruby-full", "bundler"],
    "go": ["golang-go"],
    "php": ["php-fpm", "php-cli", "composer", "unzip"],
    "none": ["busybox"],
}
NAIVE_INSTALL = {
    "python": "python3 -m venv /venv && /venv/bin/pip install -r requirements.txt",
    "node": "npm install --omit=dev",
    "ruby": "bundle install",
    "go": "go build -o /usr/local/bin/app .",
    "php": "composer install --no-dev",
}
BUILDAH_CACHE = Path("/var/tmp/buildah-cache-0")  # where buildah keeps RUN --mount=type=cache


def naive_dockerfile(spec) -> str:
    """The first slide's Dockerfile for ``spec``: one RUN per command, code first, no clean-up."""
    packages = NAIVE_PACKAGES[spec.language] + list(spec.system_packages) + list(spec.build_packages)
    if spec.processes:
        packages.append("supervisor")
    lines = ["FROM debian:12-slim", "RUN apt-get update", f"RUN apt-get install -y {' '.join(sorted(set(packages)))}",
             "COPY . /app", f"WORKDIR {spec.workdir if spec.language != 'none' else '/app'}"]
    if spec.language in NAIVE_INSTALL and (spec.dependencies or spec.packages):
        lines.append(f"RUN {NAIVE_INSTALL[spec.language]}")
    command = list(spec.entrypoint or []) + list(spec.cmd or [])
    lines.append("CMD [" + ", ".join(f'"{word}"' for word in command) + "]")
    return "\n".join(lines) + "\n"


def code_file(context: Path, spec) -> Path:
    """The first application code file of the context (as the cache test picks it)."""
    skip = set(spec.dependencies or ()) | {c.source for c in spec.config}
    for path in sorted(context.rglob("*")):
        relative = path.relative_to(context).as_posix()
        if path.suffix in COMMENT and relative not in skip and not relative.startswith((".git", "secrets")):
            return path
    raise LookupError(f"no code file in {context}")


def change_code(path: Path) -> None:
    """Append one new line (a comment, new each time) to a code file."""
    token = secrets.token_hex(6)
    marker = COMMENT[path.suffix]
    with open(path, "a") as file:
        file.write(f"<!-- bench {token} -->\n" if marker is None else f"{marker} bench {token}\n")


def fs_size(engine: Engine, image: str) -> tuple[int, dict[str, int]]:
    """Total size of the regular files of ``image`` and the size of each (from ``podman export``)."""
    if image == "scratch":
        return 0, {}
    entries, _ = image_files(engine, image)
    sizes = {path: info.size for path, info in entries.items() if not path.startswith("#") and info.isfile()}
    return sum(sizes.values()), sizes


def measure(engine: Engine, context: Path, tag: str, dockerfile: Path | None, spec) -> dict:
    """Cold and warm builds of one Dockerfile; size and layers of the result."""
    shutil.rmtree(BUILDAH_CACHE, ignore_errors=True)
    _, cold = engine.build(context, tag, "--no-cache", file=dockerfile)
    config = image_config(engine, tag)
    # An unchanged rebuild first: after a --no-cache build buildah's cache can hold two
    # chains of identical steps (this one and an earlier run's) and sometimes follows the
    # other one part of the way, which is not what a code change costs a developer.
    engine.build(context, tag, file=dockerfile)
    change_code(code_file(context, spec))
    result, warm = engine.build(context, tag, file=dockerfile)
    rerun_steps = [step for step, cached in build_steps(result.stdout) if step.startswith("RUN") and not cached]
    for step in rerun_steps:
        print(f"  {tag}: re-ran after a code change: {step[:100]}", file=sys.stderr)
    rerun = len(rerun_steps)
    return {"size": config["Size"], "layers": len(config["RootFS"]["Layers"]), "cold": cold, "warm": warm,
            "rerun": rerun}


def bench(engine: Engine, spec_path: Path, work: Path) -> dict:
    """All figures of one example (see the module docstring)."""
    name = example_id(spec_path)
    context = work / name
    spec_copy, *_ = prepare_context(spec_path.parent, context)
    spec = load_spec(spec_copy).spec
    tag = f"localhost/dockgen-bench/{name}:dev"
    ours = measure(engine, context, tag, None, spec)
    final_fs, final_files = fs_size(engine, tag)
    base = from_images(spec_copy)[-1]
    base = base if base == "scratch" else full_name(base)
    base_size = image_config(engine, base)["Size"] if base != "scratch" else 0
    base_fs, base_files = fs_size(engine, base)
    added = sum(size for path, size in final_files.items() if base_files.get(path) != size)

    naive_context = work / f"{name}-naive"
    shutil.copytree(spec_path.parent, naive_context)
    (naive_context / "Dockerfile.naive").write_text(naive_dockerfile(spec))
    naive = measure(engine, naive_context, f"localhost/dockgen-bench/{name}:naive",
                    naive_context / "Dockerfile.naive", spec)
    for image in (tag, f"localhost/dockgen-bench/{name}:naive"):
        engine.run("rmi", "-f", image, check=False)
    return {"name": name, "ours": ours, "naive": naive, "base": base, "base_size": base_size, "added": added}


def table(rows: list[dict]) -> str:
    """The Markdown table of :func:`bench` results (sizes in MB, times in s)."""
    head = ("| example | image MB | layers | base MB | + added MB | overhead | cold s | warm s | RUNs re-run "
            "| naive MB | naive layers | naive cold s | naive warm s | naive RUNs re-run | naive / image |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        ours, naive = row["ours"], row["naive"]
        expected = row["base_size"] + row["added"]
        overhead = ours["size"] / expected - 1 if expected else 0.0
        lines.append(
            f"| {row['name']} | {ours['size'] / MB:.1f} | {ours['layers']} | {row['base_size'] / MB:.1f} "
            f"| {row['added'] / MB:.1f} | {overhead:+.1%} | {ours['cold']:.1f} | {ours['warm']:.1f} | {ours['rerun']} "
            f"| {naive['size'] / MB:.1f} | {naive['layers']} | {naive['cold']:.1f} | {naive['warm']:.1f} "
            f"| {naive['rerun']} | {naive['size'] / ours['size']:.1f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Bench the named examples (all buildable ones by default) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("examples", nargs="*", help="example names (directories under specs/)")
    args = parser.parse_args(argv)
    specs = [s for s in BUILDABLE if not args.examples or example_id(s) in args.examples]
    if not specs:
        parser.error(f"no buildable example named {args.examples}")
    engine = Engine()
    started = time.monotonic()
    engine.ensure({image for s in specs for image in from_images(s)}, log=lambda m: print(m, file=sys.stderr))
    print(f"stand-ins ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="dockgen-bench-") as work:
        for spec in specs:
            print(f"bench {example_id(spec)} ...", file=sys.stderr)
            rows.append(bench(engine, spec, Path(work)))
    print(table(rows))
    print("\nimage: dockgen's rendered Dockerfile; base: its final FROM (a Debian stand-in, see "
          "tests/containers/standins.py); added: files new or changed over the base; overhead: image size "
          "over base + added. naive: the talk's first-slide Dockerfile on debian:12-slim. cold: --no-cache "
          "and empty cache mounts; warm: rebuild after one changed line of code.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
