#!/usr/bin/env python3
"""Regenerate the golden files: what dockgen renders for every example in specs/.

For each ``specs/<name>/dockgen.yaml`` this writes, under ``tests/golden/<name>/``, the
files ``dockgen render`` writes, the ``--annotate`` Dockerfile (``Dockerfile.annotated``),
the ``--print-run`` line (``docker-run.txt``) and the Kubernetes manifests of ``--kubernetes``
(``k8s/``, issue 13). ``tests/test_golden.py`` compares a
fresh render with them byte for byte, so any change to the output shows up as a diff a
reviewer reads. Run it through the CLI (``dockgen`` beside this Python) after a deliberate
change to the output:

    .venv/bin/python scripts/update_golden.py            # specs/* -> tests/golden/
    .venv/bin/python scripts/update_golden.py --out DIR SPEC...   # any specs, into DIR/<id>/

Exit code 0; a spec that fails to render stops the script with dockgen's message.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKGEN = Path(sys.executable).parent / "dockgen"


def spec_id(spec: Path) -> str:
    """``python-notes`` for specs/python-notes/dockgen.yaml, ``cases-cli-tool`` for cases/cli-tool.yaml."""
    return spec.parent.name if spec.name == "dockgen.yaml" else f"{spec.parent.name}-{spec.stem}"


def _dockgen(*args: object) -> str:
    result = subprocess.run([str(DOCKGEN), *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"dockgen {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result.stdout


def render_golden(spec: Path, target: Path) -> None:
    """Write every golden file of ``spec`` into ``target`` (emptied first)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    _dockgen("render", spec, "-o", target)
    with tempfile.TemporaryDirectory() as annotated:
        _dockgen("render", spec, "-o", annotated, "--annotate")
        shutil.copyfile(Path(annotated) / "Dockerfile", target / "Dockerfile.annotated")
    with tempfile.TemporaryDirectory() as cluster:
        _dockgen("render", spec, "-o", cluster, "--kubernetes")
        shutil.copytree(Path(cluster) / "k8s", target / "k8s", dirs_exist_ok=True)
    (target / "docker-run.txt").write_text(_dockgen("render", spec, "--print-run"))


def main() -> None:
    """Parse the arguments and regenerate the golden files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "golden")
    parser.add_argument("specs", nargs="*", type=Path)
    args = parser.parse_args()
    specs = args.specs or sorted(ROOT.glob("specs/*/dockgen.yaml"))
    for spec in specs:
        render_golden(spec, args.out / spec_id(spec))
        print(f"wrote {args.out / spec_id(spec)}")


if __name__ == "__main__":
    main()
