"""A spec's own ``base:`` may end in a non-root USER (issue 10, item 1; ReproNim/neurodocker#249):
every stage built from it switches to root first, and the final stage still ends on the app's
numeric user (R15). The official images dockgen picks itself run as root and get no switch.
Rendered through the CLI, parsed with the BuildKit parser and linted with hadolint; the
container tier builds it for real (tests/containers/test_copy_and_base_user.py).
"""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest
import yaml

from support import dockgen, lint_problems, split_stages

NONROOT = "localhost/nonroot-python:3.11-slim"


def stages(tmp_path: Path, spec: dict) -> list[list]:
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    result = dockgen("render", tmp_path / "dockgen.yaml")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "Dockerfile").read_text()
    assert lint_problems(text, spec) == [], text
    return split_stages(dockerfile.parse_string(text))


@pytest.mark.parametrize("spec", [
    {"name": "demo", "language": "python", "version": "3.11", "base": NONROOT, "dependencies": ["requirements.txt"],
     "system_packages": ["libpq5=15.8-0+deb12u1"], "entrypoint": ["python", "app.py"]},
    {"name": "demo", "language": "node", "version": "22", "base": "localhost/nonroot-node:22-slim",
     "entrypoint": ["node", "server.js"]},
    {"name": "demo", "language": "none", "base": "busybox:1.36.1", "entrypoint": ["httpd"]},
], ids=["python", "node", "busybox"])
def test_r15_every_stage_from_the_spec_base_switches_to_root_first(tmp_path: Path, spec: dict):
    found = stages(tmp_path, spec)
    from_base = [stage for stage in found if stage[0].value[0] == spec["base"]]
    assert from_base and from_base[-1] is found[-1]
    for stage in from_base:
        assert stage[1].cmd == "USER" and stage[1].value == ("0:0",), [c.original for c in stage[:3]]
    final_users = [c.value[0] for c in found[-1] if c.cmd == "USER"]
    assert final_users == ["0:0", "10001:10001"]


@pytest.mark.parametrize("spec", [
    {"name": "demo", "language": "python", "version": "3.12", "entrypoint": ["python", "app.py"]},
    {"name": "demo", "language": "go", "version": "1.22"},  # scratch: nothing to switch from
], ids=["official-python", "go-scratch"])
def test_r15_official_images_and_scratch_get_no_switch_to_root(tmp_path: Path, spec: dict):
    found = stages(tmp_path, spec)
    assert [c.value[0] for stage in found for c in stage if c.cmd == "USER"] == ["10001:10001"]
