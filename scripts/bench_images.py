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

``--fly`` (issue 11): for the Node examples, dockgen's image against the Dockerfile that
fly.io's generator writes for the same app (``npx @flydotio/dockerfile@FLY_VERSION``, run
on a copy of the app without dockgen's files): image size, the user it runs as, how long
``podman stop`` takes (SIGTERM, then SIGKILL after 10 s), and how many build steps come
from the cache after a code-only change. Goals: the Next.js image within 5 % of its base
plus the standalone output, the SPA within 5 % of the web server's base plus the built
files (the ``overhead`` column of the first table), each at least as small as fly's, never root.

Usage: ``.venv/bin/python scripts/bench_images.py [--fly] [EXAMPLE ...]``.
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
from standins import Engine, EngineError, full_name  # noqa: E402

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
FLY = "@flydotio/dockerfile@0.7.10"  # fly.io's Dockerfile generator, pinned
UNTAGGED = {"nginx": "nginx:1.28"}  # the stand-in an untagged FROM of fly's gets
STOP_TIMEOUT = 10  # podman stop's grace period before SIGKILL, s


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


def fly_dockerfile(app: Path, target: Path) -> None:
    """Copy ``app`` to ``target`` without dockgen's files and let fly.io's generator write its
    Dockerfile and .dockerignore there (``--force``: no questions)."""
    ours = {"dockgen.yaml", "Dockerfile", ".dockerignore", "run.sh", "compose.yaml", "nginx.conf"}
    shutil.copytree(app, target, ignore=lambda _, names: [n for n in names if n in ours or n == "node_modules"])
    subprocess.run(["npx", "--yes", FLY, "--force"], cwd=target, check=True, capture_output=True, text=True, timeout=600)


def dockerfile_bases(path: Path) -> set[str]:
    """The images a Dockerfile's FROM lines name, with ``${ARG}`` replaced by the ARG's default
    (fly's ``FROM node:${NODE_VERSION}-slim``); stage names left out."""
    import re

    text = path.read_text()
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
    images, stages = set(), set()
    for image, alias in re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I):
        image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), image)
        if image not in stages:
            images.add(image)
        stages.add(alias)
    return images


def stop_seconds(engine: Engine, image: str, port: int | None) -> float:
    """Start ``image`` (plain ``podman run``, its own user), wait until it answers HTTP on
    ``port`` (or 5 s without one), then time ``podman stop -t STOP_TIMEOUT``."""
    import urllib.request

    from container_harness import free_port

    host = free_port()
    publish = ["-p", f"127.0.0.1:{host}:{port}"] if port else []
    container = engine.run("run", "-d", *publish, image).stdout.strip().splitlines()[-1]
    try:
        deadline = time.monotonic() + (60 if port else 5)
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{host}/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        began = time.monotonic()
        engine.run("stop", "-t", str(STOP_TIMEOUT), container)
        return time.monotonic() - began
    finally:
        engine.run("rm", "-f", container, check=False)


def cached_after_code_change(engine: Engine, context: Path, tag: str, dockerfile: Path | None, spec) -> tuple[int, int]:
    """(steps from the cache, steps) of a rebuild after one changed line of code."""
    engine.build(context, tag, file=dockerfile)
    change_code(code_file(context, spec))
    result, _ = engine.build(context, tag, file=dockerfile)
    steps = [cached for step, cached in build_steps(result.stdout) if not step.startswith("FROM")]
    return sum(steps), len(steps)


def fly_row(engine: Engine, spec_path: Path, work: Path) -> dict:
    """dockgen's and fly's image of one Node example: size, user, stop time, cached steps."""
    name = example_id(spec_path)
    context = work / name
    spec_copy, *_ = prepare_context(spec_path.parent, context)
    spec = load_spec(spec_copy).spec
    fly_context = work / f"{name}-fly"
    fly_dockerfile(spec_path.parent, fly_context)
    bases = dockerfile_bases(fly_context / "Dockerfile")
    engine.ensure({b for b in bases if ":" in b}, log=lambda m: print(m, file=sys.stderr))
    for image in (b for b in bases if ":" not in b):  # fly's untagged `FROM nginx` (latest, R06)
        stand_in = UNTAGGED[image]
        engine.ensure({stand_in}, log=lambda m: print(m, file=sys.stderr))
        engine.run("tag", full_name(stand_in), full_name(f"{image}:latest"))
    row = {"name": name}
    for who, ctx in (("ours", context), ("fly", fly_context)):
        tag = f"localhost/dockgen-bench/{name}:{who}"
        try:
            engine.build(ctx, tag, "--no-cache")
        except EngineError as error:  # fly's Dockerfile may not build the app at all
            if who == "ours":
                raise
            lines = [line.strip() for line in str(error).splitlines() if "ERR_" in line or "rror:" in line]
            row[who] = {"failed": (lines or ["see the build log"])[0][:90]}
            print(f"  {tag}: does not build: {error}"[-2000:], file=sys.stderr)
            continue
        config = image_config(engine, tag)
        user = config["Config"].get("User") or "root"
        exposed = sorted(int(p.split("/")[0]) for p in config["Config"].get("ExposedPorts") or {})
        row[who] = {"size": config["Size"], "user": user, "stop": stop_seconds(engine, tag, exposed[0] if exposed else None),
                    "cached": cached_after_code_change(engine, ctx, tag, None, spec)}
        engine.run("rmi", "-f", tag, check=False)
    return row


def fly_table(rows: list[dict]) -> str:
    """The Markdown table of :func:`fly_row` results (sizes in MB, times in s)."""
    head = ("| example | image MB | user | stop s | cached steps after a code change "
            "| fly MB | fly user | fly stop s | fly cached steps | fly / image | image - fly kB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        ours, fly = row["ours"], row["fly"]
        if "failed" in fly:
            lines.append(f"| {row['name']} | {ours['size'] / MB:.1f} | {ours['user']} | {ours['stop']:.1f} "
                         f"| {ours['cached'][0]} of {ours['cached'][1]} | does not build: {fly['failed']} | | | | | |")
            continue
        lines.append(
            f"| {row['name']} | {ours['size'] / MB:.1f} | {ours['user']} | {ours['stop']:.1f} "
            f"| {ours['cached'][0]} of {ours['cached'][1]} | {fly['size'] / MB:.1f} | {fly['user']} | {fly['stop']:.1f} "
            f"| {fly['cached'][0]} of {fly['cached'][1]} | {fly['size'] / ours['size']:.2f}x "
            f"| {(ours['size'] - fly['size']) / 1000:+.1f} |")
    return "\n".join(lines)


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
    parser.add_argument("--fly", action="store_true", help="compare the Node examples with fly.io's generated Dockerfile")
    args = parser.parse_args(argv)
    specs = [s for s in BUILDABLE if not args.examples or example_id(s) in args.examples]
    if args.fly:
        specs = [s for s in specs if load_spec(s).spec.language == "node"]
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
            rows.append((fly_row if args.fly else bench)(engine, spec, Path(work)))
    if args.fly:
        print(fly_table(rows))
        print(f"\nfly: the Dockerfile of `npx {FLY} --force` for the same app, built with the same stand-ins; "
              f"stop: `podman stop -t {STOP_TIMEOUT}` of a plain `podman run` (SIGKILL comes at {STOP_TIMEOUT} s); "
              "cached: build steps (FROM left out) that came from the layer cache after one changed line of code.")
        return 0
    print(table(rows))
    print("\nimage: dockgen's rendered Dockerfile; base: its final FROM (a Debian stand-in, see "
          "tests/containers/standins.py); added: files new or changed over the base; overhead: image size "
          "over base + added. naive: the talk's first-slide Dockerfile on debian:12-slim. cold: --no-cache "
          "and empty cache mounts; warm: rebuild after one changed line of code.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
