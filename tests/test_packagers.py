"""Package managers as their own axis (issue 9): npm, pip and uv, and how a language picks one.

Checks the install commands with and without development dependencies, the prune after a
build, the manifests each finds in a real project tree, and that the planner's Dockerfile
uses the manager the manifests call for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import render

from dockgen import packagers
from dockgen.packagers import npm, pip, uv


def test_r07_npm_installs_from_the_lock_without_dev_dependencies_and_prunes():
    # the root's own scripts (a husky prepare) are skipped; dependencies' run in the rebuild
    assert npm.install(("package.json", "package-lock.json"), ()) == (
        ("npm", "ci", "--omit=dev", "--ignore-scripts"), ("npm", "rebuild"))
    assert npm.install(("package.json", "package-lock.json"), (), dev=True) == (("npm", "ci"),)
    assert npm.install(("package.json",), ("left-pad@1.3.0",)) == (
        ("npm", "install", "--omit=dev", "--ignore-scripts"),
        ("npm", "install", "--omit=dev", "--ignore-scripts", "--no-save", "left-pad@1.3.0"), ("npm", "rebuild"))
    assert npm.prune() == (("npm", "prune", "--omit=dev"),)
    assert npm.warnings(("package.json",)) and not npm.warnings(("package.json", "npm-shrinkwrap.json"))
    assert npm.pinned("@scope/pkg@1.0.0") and not npm.pinned("@scope/pkg")


def test_r07_uv_syncs_the_lock_without_the_dev_group_unless_asked():
    commands = uv.install(("pyproject.toml", "uv.lock"), (), into="/opt/venv")
    assert commands[0] == ("pip", "install", uv.UV) and "==" in uv.UV  # DL3013: uv pinned; pip's cache is mounted
    assert commands[1] == ("uv", "sync", "--locked", "--no-dev", "--no-install-project")
    assert uv.install(("pyproject.toml", "uv.lock"), (), dev=True, into="/opt/venv")[1] == (
        "uv", "sync", "--locked", "--no-install-project")
    assert uv.prune() == (("uv", "sync", "--locked", "--no-dev", "--no-install-project"),)
    assert ("UV_PROJECT_ENVIRONMENT", "/opt/venv") in uv.environment("/opt/venv")


def test_r04_pip_installs_into_a_venv_without_pip_and_has_nothing_to_prune():
    commands = pip.install(("requirements.txt", "constraints.in"), ("six==1.16.0",), into="/opt/venv")
    assert commands == (("python", "-m", "venv", "--without-pip", "/opt/venv"),
                        ("python", "-m", "pip", "--python", "/opt/venv/bin/python", "install",
                         "-r", "requirements.txt", "-r", "constraints.in", "six==1.16.0"))
    assert pip.install((), (), into="/opt/venv") == () and pip.prune() == ()


@pytest.mark.parametrize(("manifests", "expected"), [
    (("pyproject.toml", "uv.lock"), "uv"), (("requirements.txt",), "pip"), ((), "pip")])
def test_r07_python_picks_its_package_manager_from_the_manifests(manifests, expected):
    assert packagers.pick(("uv", "pip"), manifests).__name__ == f"dockgen.packagers.{expected}"


def test_r07_found_reports_the_manifests_a_project_has(tmp_path: Path):
    assert uv.found(tmp_path) == () and npm.found(tmp_path) == () and pip.found(tmp_path) == ()
    for name in ("pyproject.toml", "uv.lock", "package.json", "npm-shrinkwrap.json", "requirements.txt"):
        (tmp_path / name).write_text("{}\n")
    assert uv.found(tmp_path) == ("pyproject.toml", "uv.lock")
    assert npm.found(tmp_path) == ("package.json", "npm-shrinkwrap.json")
    assert pip.found(tmp_path) == ("requirements.txt",)


def test_r04_the_dockerfile_uses_the_managers_cache(tmp_path: Path):
    project = tmp_path / "app"
    project.mkdir()
    (project / "dockgen.yaml").write_text("name: a\nlanguage: python\nversion: \"3.12\"\n"
                                          "dependencies: [pyproject.toml, uv.lock]\nentrypoint: [python]\n")
    text = render(project / "dockgen.yaml", tmp_path / "out")["Dockerfile"].read_text()
    assert "target=/root/.cache/uv" in text and "target=/root/.cache/pip" in text  # uv itself comes from pip


@pytest.mark.parametrize("manifests, tool", [("[pyproject.toml, poetry.lock]", "poetry=="),
                                             ("[Pipfile, Pipfile.lock]", "pipenv=="),
                                             ("[pyproject.toml, uv.lock]", "uv==")])
def test_r04_r07_the_tools_own_install_uses_the_pip_cache_mount(tmp_path: Path, manifests: str, tool: str):
    # poetry alone is ~50 packages: with --no-cache-dir they were downloaded again on every run
    # of the dependency step, though pip's cache was mounted (and never reaches the image, R04)
    import dockerfile

    project = tmp_path / "app"
    project.mkdir()
    (project / "dockgen.yaml").write_text("name: a\nlanguage: python\nversion: \"3.12\"\n"
                                          f"dependencies: {manifests}\nentrypoint: [python]\n")
    text = render(project / "dockgen.yaml", tmp_path / "out")["Dockerfile"].read_text()
    [run] = [c for c in dockerfile.parse_string(text) if c.cmd == "RUN" and f"install {tool}" in " ".join(c.value)]
    assert f"--mount=type=cache,target={pip.CACHES[0]}" in run.flags, run.original
    assert "--no-cache-dir" not in " ".join(run.value), run.original
