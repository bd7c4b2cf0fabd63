"""The app's user name is refused only when the chosen base image already has that account
(issue 10, item 10; R15): the accounts depend on the final image's family (Debian, Alpine,
BusyBox) and on the official language image (node's ``node``, php's ``www-data``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from support import dockgen

PYTHON = {"name": "demo", "language": "python", "version": "3.12", "entrypoint": ["python", "app.py"]}
NODE = {"name": "demo", "language": "node", "version": "22", "entrypoint": ["node", "server.js"]}
PHP = {"name": "demo", "language": "php", "version": "8.3", "entrypoint": ["php-fpm", "-F"]}
BUSYBOX = {"name": "demo", "language": "none", "base": "busybox:1.36.1", "entrypoint": ["httpd"]}
GO = {"name": "demo", "language": "go", "version": "1.22"}


def _render(tmp_path: Path, spec: dict, name: str):
    path = tmp_path / "dockgen.yaml"
    path.write_text(yaml.safe_dump({**spec, "user": {"name": name, "uid": 10001, "gid": 10001}},
                                   default_flow_style=False, sort_keys=False))
    return path, dockgen("render", path, "-o", tmp_path / "out")


@pytest.mark.parametrize("spec, name", [
    ({**PYTHON, "variant": "alpine"}, "proxy"),  # Debian's account, not Alpine's: the reported case
    ({**PYTHON, "variant": "alpine"}, "backup"),
    (BUSYBOX, "proxy"),
    (PYTHON, "node"),  # only node's images add it
    ({**NODE, "variant": "alpine"}, "proxy"),
    (GO, "proxy"),  # scratch: no account is created at all
])
def test_r15_a_name_the_base_does_not_have_is_accepted(tmp_path: Path, spec: dict, name: str):
    path, result = _render(tmp_path, spec, name)
    assert result.returncode == 0, result.stderr
    if spec is not GO:
        assert f" {name}" in (tmp_path / "out" / "Dockerfile").read_text()


@pytest.mark.parametrize("spec, name, image", [
    (PYTHON, "proxy", "python:3.12-slim"),
    (PYTHON, "www-data", "python:3.12-slim"),
    ({**PYTHON, "variant": "alpine"}, "nobody", "python:3.12-alpine"),
    ({**PYTHON, "variant": "alpine"}, "www-data", "python:3.12-alpine"),  # a group there (82)
    (NODE, "node", "node:22-slim"),
    ({**NODE, "variant": "alpine"}, "node", "node:22-alpine"),
    ({**PHP, "variant": "alpine"}, "www-data", "php:8.3-fpm-alpine"),
    (BUSYBOX, "daemon", "busybox:1.36.1"),
    ({**PYTHON, "base": "docker.io/library/node:22-slim"}, "node", "docker.io/library/node:22-slim"),
])
def test_r15_a_name_the_base_already_has_is_refused_at_the_field(tmp_path: Path, spec: dict, name: str, image: str):
    path, result = _render(tmp_path, spec, name)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip() == f"name: {name}")
    column = lines[line - 1].index("name:") + 1
    assert f"{path}:{line}:{column}: user.name:" in result.stderr, result.stderr
    assert f"'{name}' is an account the base image {image} already has" in result.stderr
    assert "choose the app's own name" in result.stderr
    assert not (tmp_path / "out").exists()
