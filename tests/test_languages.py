"""Language toolchains whose commands can be run for real on the host (issue 2).

The Python builder stage from ``pyproject.toml`` + ``uv.lock``: the RUN that dockgen writes is
executed as written (the same argv, the builder's ENV), with the virtual environment path
pointed into a temp directory, and must produce a venv holding the locked dependency.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import dockerfile

from support import docker_word, render

PYPROJECT = """[project]
name = "uvapp"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["six==1.16.0"]
"""


def test_r07_python_uv_lock_builder_installs_the_locked_dependencies(tmp_path: Path):
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "dockgen.yaml").write_text(
        "name: uvapp\nlanguage: python\nversion: \"3.11\"\ndependencies: [pyproject.toml, uv.lock]\n"
        "entrypoint: [python]\ncmd: [-c, 'import six']\n")
    files = render(project / "dockgen.yaml", tmp_path / "out")
    commands = dockerfile.parse_file(str(files["Dockerfile"]))
    builder = commands[: next(i for i, c in enumerate(commands) if c.cmd == "FROM" and i > 0)]
    pairs = [c.value for c in builder if c.cmd == "ENV"][0]
    env = {name: docker_word(value)[0] for name, value in zip(pairs[::2], pairs[1::2])}
    copied = [c.value for c in builder if c.cmd == "COPY"][0]
    assert copied[:-1] == ("pyproject.toml", "uv.lock")  # R07: manifests before the install
    run = [c for c in builder if c.cmd == "RUN"][0]
    script = run.value[0]
    assert "uv sync --locked --no-dev --no-install-project" in script

    # A Python with pip, as the official image has, and uv.lock made by the same pinned uv.
    tools = tmp_path / "tools"
    venv.create(tools, with_pip=True)
    target = tmp_path / "venv"
    env.update(PATH=f"{tools / 'bin'}:{os.environ['PATH']}", UV_PROJECT_ENVIRONMENT=str(target), HOME=str(tmp_path),
               UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_SYSTEM_CERTS="1")  # this machine's TLS proxy CA
    pinned_uv = next(word for word in script.split() if word.startswith("uv=="))  # the builder's pinned uv
    subprocess.run([tools / "bin" / "pip", "install", "-q", pinned_uv], check=True, env=env)
    subprocess.run(["uv", "lock", "-q"], cwd=project, check=True, env=env)

    subprocess.run(["sh", "-c", script], cwd=project, check=True, env=env)
    result = subprocess.run([target / "bin" / "python", "-c", "import six; print(six.__version__)"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1.16.0"
    assert sys.version_info >= (3, 10)
