"""Render-time warnings about how the container runs (issue 10, items 5 and 6), through the CLI.

5: an entrypoint that is a package manager's run command (tini -> npm -> sh -c -> node loses
SIGTERM, R02, R11) is warned about with what to write instead; ``bundle exec`` is fine.
6: a health check whose program the final image lacks (curl on slim, alpine, scratch) is
warned about with a check using the runtime's own client (the language's ``healthcheck``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dockgen.languages import module
from support import dockgen

NODE = {"name": "demo", "language": "node", "version": "22", "ports": [3000]}


def warnings(tmp_path: Path, spec: dict) -> list[str]:
    """The ``warning:`` lines of a successful render of ``spec`` (files are still written)."""
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    result = dockgen("render", tmp_path / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "Dockerfile").exists()
    return [line.removeprefix("warning: ") for line in result.stderr.splitlines() if line.startswith("warning: ")
            and "not found in the build context" not in line and "lacks" not in line]


@pytest.mark.parametrize("argv, field", [
    ({"entrypoint": ["npm", "start"]}, "entrypoint"),
    ({"entrypoint": ["npm"], "cmd": ["run", "serve"]}, "entrypoint"),
    ({"cmd": ["yarn", "start"]}, "cmd"),
    ({"entrypoint": ["/usr/local/bin/pnpm", "run", "start"]}, "entrypoint"),
    ({"entrypoint": ["bun", "run", "start"]}, "entrypoint"),
])
def test_r02_r11_a_package_manager_entrypoint_is_warned_about(tmp_path: Path, argv: dict, field: str):
    (warning,) = [w for w in warnings(tmp_path, {**NODE, **argv}) if "SIGTERM" in w]
    assert warning.startswith(f"{field}: ") and "sh -c" in warning, warning
    assert "entrypoint: [node, server.js]" in warning, warning


def test_r02_r11_npx_is_warned_about_with_the_binary_path(tmp_path: Path):
    (warning,) = [w for w in warnings(tmp_path, {**NODE, "entrypoint": ["npx", "next", "start"]}) if "SIGTERM" in w]
    assert "[/app/node_modules/.bin/next, start]" in warning, warning


@pytest.mark.parametrize("spec", [
    {**NODE, "entrypoint": ["node", "server.js"]},
    {**NODE, "entrypoint": ["bun", "run", "server.ts"]},  # bun runs the file itself
    {"name": "demo", "language": "ruby", "version": "3.3", "entrypoint": ["bundle", "exec", "puma"]},
], ids=["node", "bun-file", "bundle-exec"])
def test_r02_r11_programs_that_exec_are_not_warned_about(tmp_path: Path, spec: dict):
    assert not [w for w in warnings(tmp_path, spec) if "SIGTERM" in w]


@pytest.mark.parametrize("spec, image, suggestion", [
    ({"language": "python", "version": "3.12"}, "python:3.12-slim", ("python", 8000, "/health")),
    ({"language": "python", "version": "3.12", "variant": "alpine"}, "python:3.12-alpine", ("python", 8000, "/health")),
    ({"language": "node", "version": "22"}, "node:22-slim", ("node", 8000, "/health")),
    ({"language": "none", "base": "busybox:1.36.1"}, "busybox:1.36.1", ("none", 8000, "/health")),
])
def test_r12_a_curl_check_on_an_image_without_curl_is_warned_about(tmp_path: Path, spec: dict, image: str, suggestion):
    full = {"name": "demo", **spec, "ports": [8000], "entrypoint": ["serve"],
            "healthcheck": {"command": ["curl", "-fsS", "http://localhost:8000/health"]}}
    (warning,) = [w for w in warnings(tmp_path, full) if w.startswith("healthcheck")]
    assert f"curl is not in the final image {image}" in warning, warning
    language, port, path = suggestion
    expected = module(language).healthcheck(port, path, spec.get("base"))
    assert json.dumps(list(expected)) in warning, warning  # the language module's own check, not restated


def test_r12_a_check_on_scratch_suggests_the_binary_itself(tmp_path: Path):
    spec = {"name": "demo", "language": "go", "version": "1.22", "ports": [8080], "entrypoint": ["/pinger"],
            "healthcheck": {"command": ["wget", "-q", "--spider", "http://127.0.0.1:8080/"]}}
    (warning,) = [w for w in warnings(tmp_path, spec) if w.startswith("healthcheck")]
    assert "not in the final image scratch" in warning and "[/pinger, -healthcheck]" in warning, warning
    assert "system_packages" not in warning  # scratch has no package manager


@pytest.mark.parametrize("spec", [
    {"language": "python", "version": "3.12", "system_packages": ["curl"]},  # a listed system package
    {"language": "none", "base": "busybox:1.36.1", "check": ["wget", "-q", "--spider", "http://127.0.0.1:8000/"]},
    {"language": "python", "version": "3.12", "variant": "alpine", "check": ["wget", "-qO-", "http://127.0.0.1:8000/"]},
    {"language": "python", "version": "3.12", "check": ["python3", "-c", "import sys"]},  # the runtime
    {"language": "go", "version": "1.22", "check": ["/pinger", "-healthcheck"]},  # the app's own binary
    {"language": "python", "version": "3.12", "check": ["/app/bin/check"]},  # the app's own files
    {"language": "python", "version": "3.12", "base": "example.org/tools:1.0"},  # a custom Debian base: unknown
], ids=["package", "busybox-wget", "alpine-wget", "runtime", "go-binary", "app-file", "custom-base"])
def test_r12_a_check_the_image_can_run_is_not_warned_about(tmp_path: Path, spec: dict):
    check = spec.pop("check", ["curl", "-f", "http://127.0.0.1:8000/"])
    entry = {"entrypoint": ["/pinger"]} if spec["language"] == "go" else {"entrypoint": ["serve"]}
    full = {"name": "demo", **spec, **entry, "ports": [8000], "healthcheck": {"command": check}}
    assert not [w for w in warnings(tmp_path, full) if w.startswith("healthcheck")]
