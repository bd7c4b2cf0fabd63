"""hadolint's DL3064 takes ENV names holding words such as "token" for secrets; dockgen's own
R18 check has already refused real secret names, so an ENV whose names DL3064 still flags
silences it, and render says so (hadolint stays clean at warning level)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import dockgen, hadolint

SPEC = """name: app
language: python
version: "3.12"
entrypoint: [python, app.py]
env: {ENV_BLOCK}
"""


def _render(tmp_path: Path, env: str):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(SPEC.replace("{ENV_BLOCK}", env))
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    return (tmp_path / "out" / "Dockerfile").read_text(), result.stderr


@pytest.mark.parametrize("name", ["TOKENIZERS_PARALLELISM", "MAX_TOKENS", "ESECRET", "PASSWORDLESS_LOGIN",
                                  "DB_USERNAME_FIELD", "PRIVATE_MODE"])
def test_r18_a_name_hadolint_takes_for_a_secret_passes_hadolint_and_is_explained(tmp_path: Path, name: str) -> None:
    dockerfile, stderr = _render(tmp_path, "{" + name + ': "1"}')
    assert hadolint(dockerfile) == []
    assert "# hadolint ignore=DL3064\nENV " in dockerfile
    assert f"hadolint (DL3064) takes {name} for secrets" in stderr


def test_r18_an_env_without_such_names_silences_nothing(tmp_path: Path) -> None:
    dockerfile, stderr = _render(tmp_path, '{APP_ENV: production, WEB_CONCURRENCY: "2"}')
    assert "DL3064" not in dockerfile and "DL3064" not in stderr
    assert hadolint(dockerfile) == []


def test_r18_a_real_secret_name_is_still_refused(tmp_path: Path) -> None:
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(SPEC.replace("{ENV_BLOCK}", '{API_TOKEN: "x"}'))
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 2 and "R18" in result.stderr and not (tmp_path / "out").exists()
