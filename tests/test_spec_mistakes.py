"""Spec mistakes once accepted without a word (issue 10, item 7; R17): refused with the way
out, or warned about, through the CLI as a user meets them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dockgen.loader import load_text
from dockgen.plan import make_plan
from support import dockgen

BASE = {"name": "demo", "language": "python", "version": "3.12", "entrypoint": ["python", "app.py"]}


def write(root: Path, **fields) -> Path:
    """A spec of BASE plus ``fields`` (block style, one key a line), with empty templates t1 and t2."""
    for name in ("t1", "t2"):
        (root / name).write_text("x\n")
    path = root / "dockgen.yaml"
    path.write_text(yaml.safe_dump({**BASE, **fields}, default_flow_style=False, sort_keys=False))
    return path


def refused(spec: Path, out: Path) -> str:
    """Render must exit 2 with one error line and write nothing; returns the line."""
    result = dockgen("render", spec, "-o", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert not out.exists(), "a refused spec wrote files"
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


def located(message: str, spec: Path, text: str) -> None:
    """``message`` points at the line (and column) of the last ``text`` in ``spec``."""
    lines = spec.read_text().splitlines()
    line = max(i for i, content in enumerate(lines, 1) if text in content)
    column = lines[line - 1].index(text) + 1
    assert f"{spec}:{line}:{column}:" in message, message


def test_r17_env_path_is_refused_with_a_way_to_reach_the_program(tmp_path):
    spec = write(tmp_path, env={"PATH": "/app/bin"})
    message = refused(spec, tmp_path / "out")
    located(message, spec, "PATH:")
    assert "env.PATH" in message and "whole PATH" in message and "absolute path" in message, message


@pytest.mark.parametrize("name", ["Path", "MY_PATH", "PYTHONPATH"])
def test_r17_other_names_with_path_are_not_refused(tmp_path, name):
    spec = write(tmp_path, env={name: "/app/lib"})
    assert dockgen("validate", spec).returncode == 0


@pytest.mark.parametrize("second", ["/etc/app/app.ini", "/etc/app//app.ini", "/etc/app/./app.ini"])
def test_r17_two_config_files_with_one_target_are_refused(tmp_path, second):
    spec = write(tmp_path, config=[{"source": "t1", "target": "/etc/app/app.ini"}, {"source": "t2", "target": second}])
    message = refused(spec, tmp_path / "out")
    assert "config[1].target" in message and "config[0]" in message and "its own target" in message, message
    located(message, spec, "target: " + second)


def test_r17_config_files_with_different_targets_are_fine(tmp_path):
    spec = write(tmp_path, config=[{"source": "t1", "target": "/etc/app/a.ini"}, {"source": "t2", "target": "/etc/app/b.ini"}])
    assert dockgen("validate", spec).returncode == 0


@pytest.mark.parametrize("value", ["http://${HOST}:8000", "${HOME:-/tmp}/cache", "${DB_URL}"])
def test_r17_a_placeholder_in_env_is_a_warning_naming_config_templates(tmp_path, value):
    spec = write(tmp_path, env={"APP_URL": value})
    plan = make_plan(load_text(spec.read_text(), str(spec), tmp_path))
    (warning,) = [w for w in plan.warnings if w.startswith("env.APP_URL:")]
    assert "literal text" in warning and "config templates" in warning, warning
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "warning: env.APP_URL:" in result.stderr
    # ...and it really is literal: the ENV line keeps the text with its $ escaped
    (line,) = [x for x in (tmp_path / "out" / "Dockerfile").read_text().splitlines() if "APP_URL=" in x]
    assert "\\${" in line and "${" not in line.replace("\\${", ""), line


@pytest.mark.parametrize("value", ["$5 a month", "$HOME", "a}{b", "${", "plain"])
def test_r17_text_that_is_no_placeholder_gets_no_warning(tmp_path, value):
    spec = write(tmp_path, env={"APP_NOTE": value})
    plan = make_plan(load_text(spec.read_text(), str(spec), tmp_path))
    assert not [w for w in plan.warnings if w.startswith("env.")], plan.warnings


def test_r18_a_secret_named_like_another_secrets_file_variable_is_refused(tmp_path) -> None:
    """secrets: [A_FILE, A]: run.sh would see A_FILE as A's file variable and refuse to start."""
    from support import dockgen

    spec = tmp_path / "dockgen.yaml"
    spec.write_text('name: t\nlanguage: python\nversion: "3.12"\nentrypoint: [python]\nsecrets: [TOKEN_A_FILE, TOKEN_A]\n')
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "dockgen.yaml:5:" in result.stderr and "secrets[0]" in result.stderr and "R18" in result.stderr
    assert not (tmp_path / "out").exists()
