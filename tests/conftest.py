"""Shared test helpers: where the specs are, how to call dockgen and the external checkers.

Every checker (hadolint, shellcheck, docker-compose, supervisord) is a dev dependency
installed into the same virtual environment as pytest; a missing tool fails the test,
it never skips it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent

EXAMPLES = sorted(ROOT.glob("specs/*/dockgen.yaml"))
CASES = sorted((SHARED / "cases").glob("*.yaml"))
RUNTIME_CASES = sorted((SHARED / "cases-runtime").glob("*.yaml"))
ALL_SPECS = EXAMPLES + CASES + RUNTIME_CASES
UNPINNED_RULES = ("DL3008", "DL3013", "DL3016", "DL3018", "DL3028")


def spec_id(path: Path) -> str:
    """A readable pytest id: ``specs/python-notes`` or ``cases/cli-tool``."""
    return path.parent.name if path.name == "dockgen.yaml" else f"{path.parent.name}/{path.stem}"


def tool(name: str) -> str:
    """Absolute path of a command from the test environment (or PATH); fails when missing."""
    candidate = BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make test` (it installs the dev dependencies)")
    return found


def dockgen(*args: str, cwd: Path | None = None, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the installed ``dockgen`` command; returns the completed process (text mode)."""
    return subprocess.run([tool("dockgen"), *map(str, args)], cwd=cwd, input=input, capture_output=True,
                          text=True, timeout=timeout)


def render(spec: Path, out: Path, *extra: str) -> dict[str, Path]:
    """Render ``spec`` into ``out`` with the CLI; returns the written files by name."""
    result = dockgen("render", spec, "-o", out, *extra)
    assert result.returncode == 0, result.stderr
    return {p.name: p for p in out.iterdir()}


def pytest_sessionstart(session: pytest.Session) -> None:  # noqa: D103
    if not (SHARED / "cases").is_dir():
        raise pytest.UsageError(f"the shared example specs are missing: expected {SHARED / 'cases'}")


@pytest.fixture(params=ALL_SPECS, ids=spec_id)
def any_spec(request: pytest.FixtureRequest) -> Path:
    """Every example spec in specs/ and every shared case, one at a time."""
    return request.param
