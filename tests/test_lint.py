"""External checkers on every rendered spec (RULES.md, "External checks the output must pass").

For every spec in ALL_SPECS (examples in specs/, shared/cases, shared/cases-runtime),
rendered with the real CLI:

- hadolint reports nothing at warning level or above, except unpinned-package findings
  (DL3008, DL3013, DL3016, DL3018, DL3028) on a RUN that installs a package this very
  spec leaves unpinned (computed from the spec, never a blanket ignore);
- shellcheck reports nothing at all on run.sh;
- the BuildKit parser (``dockerfile``) parses the Dockerfile;
- ``docker-compose config -q`` accepts compose.yaml.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import dockerfile
import pytest
import yaml

from support import UNPINNED_RULES, hadolint, lint_problems, render, tool, unpinned_packages


@pytest.fixture
def rendered(any_spec: Path, tmp_path: Path) -> tuple[dict, dict[str, Path]]:
    """(the spec as a mapping, the files the CLI wrote for it)."""
    files = render(any_spec, tmp_path / "out")
    return yaml.safe_load(any_spec.read_text()), files


def test_hadolint_clean_except_the_specs_own_unpinned_packages(rendered):
    spec, files = rendered
    text = files["Dockerfile"].read_text()
    problems = lint_problems(text, spec)
    assert problems == [], "\n".join(f"{p['line']}: {p['code']} {p['message']}" for p in problems)


def test_hadolint_reports_unpinned_packages_only_when_the_spec_leaves_them(rendered):
    """The excuse above is not idle: a spec with unpinned packages does get those findings,
    and a spec that pins everything gets none of them (dockgen's own packages are silenced)."""
    spec, files = rendered
    codes = {f["code"] for f in hadolint(files["Dockerfile"].read_text())}
    unpinned = unpinned_packages(spec)
    if not any(unpinned.values()):
        assert not codes & set(UNPINNED_RULES)
    if unpinned["os"]:
        assert codes & {"DL3008", "DL3018"}


def test_shellcheck_clean_on_run_sh(rendered):
    _, files = rendered
    if "run.sh" not in files:
        # R17: only an image without a shell goes without run.sh.
        text = files["Dockerfile"].read_text()
        final = [c for c in dockerfile.parse_string(text) if c.cmd == "FROM"][-1]
        assert final.value[0] == "scratch" or "distroless" in final.value[0], final.original
        return
    result = subprocess.run([tool("shellcheck"), "--shell=sh", "--severity=style", str(files["run.sh"])],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_buildkit_parser_parses_the_dockerfile(rendered):
    _, files = rendered
    commands = dockerfile.parse_file(str(files["Dockerfile"]))
    names = [c.cmd for c in commands]
    assert names[0] == "FROM" and ("ENTRYPOINT" in names or "CMD" in names), names
    assert set(names) <= {c.upper() for c in dockerfile.all_cmds()}, names


def test_compose_config_accepts_compose_yaml(rendered, tmp_path):
    """``docker-compose config -q`` (no engine needed). It does not require the secret files
    to exist; the check runs without them so a missing file cannot hide a problem."""
    _, files = rendered
    directory = files["compose.yaml"].parent
    result = subprocess.run([tool("docker-compose"), "-f", "compose.yaml", "config", "-q"], cwd=directory,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
