"""A non-editable wheel install finds its templates and renders like the source checkout (issue 2).

Builds the wheel from the checkout, installs it into a fresh virtual environment (no
system site-packages; dependencies come from PyPI through pip), then renders example
specs copied to a directory outside the repository, from a working directory outside it
too, and compares byte for byte with what the editable install in the test environment
renders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import EXAMPLES, ROOT, dockgen


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    """A fresh venv with dockgen installed from a freshly built wheel; returns its bin/ directory."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT)
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv)  # no --system-site-packages: nothing leaks in
    bin_dir = venv / "bin"
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheels[0])
    return bin_dir


def test_wheel_is_not_the_checkout(wheel_venv):
    """The installed package lives in the venv's site-packages, with its templates."""
    code = "import dockgen, dockgen.render as r; print(dockgen.__file__); print(r.TEMPLATES)"
    out = _run(wheel_venv / "python", "-c", code, cwd="/").stdout.splitlines()
    package, templates = Path(out[0]).parent, Path(out[1])
    assert ROOT not in package.parents and "site-packages" in package.parts
    assert templates == package / "templates"
    assert (templates / "Dockerfile.j2").is_file() and (templates / "run.sh.j2").is_file()


def test_wheel_version(wheel_venv):
    installed = _run(wheel_venv / "dockgen", "--version", cwd="/").stdout
    assert installed == dockgen("--version").stdout


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_wheel_renders_examples_like_the_editable_install(wheel_venv, example, tmp_path):
    outside = tmp_path / "project"
    shutil.copytree(example.parent, outside)
    spec = outside / "dockgen.yaml"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    _run(wheel_venv / "dockgen", "render", spec, "-o", tmp_path / "from-wheel", cwd=tmp_path, env=env)
    reference = dockgen("render", spec, "-o", tmp_path / "from-checkout", cwd=tmp_path)
    assert reference.returncode == 0, reference.stderr
    wheel_files = sorted(p.name for p in (tmp_path / "from-wheel").iterdir())
    checkout_files = sorted(p.name for p in (tmp_path / "from-checkout").iterdir())
    assert wheel_files == checkout_files and "Dockerfile" in wheel_files
    for name in wheel_files:
        a, b = tmp_path / "from-wheel" / name, tmp_path / "from-checkout" / name
        assert a.read_bytes() == b.read_bytes(), name
        assert a.stat().st_mode == b.stat().st_mode, name
