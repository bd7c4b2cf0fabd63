"""The language registry (issue 9): every language is one module, and every list of languages derives from it.

Walks :data:`dockgen.languages.NAMES`: each module fulfils the contract of
``languages/base.py``, renders an example spec, has an ``init --new`` scaffold that renders,
and is in the JSON Schema enum and the CLI's choices. Also checks that the list, the
default versions and the default manifests are written once in the source, and that
``dockgen render`` never imports detection code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import EXAMPLES, ROOT, dockgen

from dockgen import languages
from dockgen.languages.base import Language

SOURCE = ROOT / "generator" / "dockgen"


@pytest.mark.parametrize("name", languages.NAMES)
def test_r20_every_language_module_fulfils_the_contract(name: str):
    module = languages.module(name)
    assert isinstance(module, Language), f"{name}.py lacks part of the contract in languages/base.py"
    assert (module.DEFAULT_VERSION in module.VERSIONS) if module.VERSIONS else module.DEFAULT_VERSION is None
    assert (ROOT / "templates" / "init" / "new" / module.SCAFFOLD).is_dir()
    assert module.EVIDENCE and all(weight > 0 for _, weight in module.EVIDENCE)
    assert 1 <= module.NEW_PORT <= 65535 and module.NEW_HEALTH_PATH.startswith("/")


def test_r20_tie_break_ranks_every_language_once():
    ranks = [languages.module(name).TIE_BREAK for name in languages.NAMES]
    assert sorted(ranks) == list(range(len(ranks)))


@pytest.mark.parametrize("name", languages.NAMES)
def test_r05_every_language_renders_an_example_spec(name: str, tmp_path: Path):
    specs = [p for p in EXAMPLES if yaml.safe_load(p.read_text())["language"] == name]
    assert specs, f"no example under specs/ uses language {name}"
    result = dockgen("render", specs[0], "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")


@pytest.mark.parametrize("name", languages.NAMES)
def test_r20_every_language_has_a_scaffold_that_renders(name: str, tmp_path: Path):
    result = dockgen("init", "--new", f"demo-{name}", "--language", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    directory = tmp_path / f"demo-{name}"
    assert yaml.safe_load((directory / "dockgen.yaml").read_text())["language"] == name
    assert dockgen("render", "--check", directory / "dockgen.yaml").returncode == 0


def test_r21_the_schema_enum_and_the_cli_choices_are_the_registry(tmp_path: Path):
    schema = json.loads(dockgen("schema").stdout)
    assert tuple(schema["properties"]["language"]["enum"]) == languages.NAMES
    help_text = dockgen("init", "--help").stdout
    assert "|".join(languages.NAMES) in re.sub(r"\s+", "", help_text)
    refused = dockgen("init", tmp_path, "--yes", "--language", "cobol")
    assert refused.returncode == 2
    assert all(name in refused.stderr for name in languages.NAMES)


def test_r20_the_language_list_default_versions_and_manifests_are_written_once():
    texts = {p.relative_to(SOURCE).as_posix(): p.read_text() for p in SOURCE.rglob("*.py")}
    listing = [path for path, text in texts.items() if re.search(r"[\"']python[\"'],\s*[\"']node[\"']", text)]
    assert listing == ["languages/__init__.py"]
    for fact in ("DEFAULT_VERSIONS", "KNOWN_VERSIONS", "NEW_PORTS"):
        assert not [path for path, text in texts.items() if fact in text], fact
    for name in languages.NAMES:  # each default version is stated in its own module only
        default = languages.module(name).DEFAULT_VERSION
        if default:
            stated = [path for path, text in texts.items() if re.search(rf"DEFAULT_VERSION\s*=\s*\"{re.escape(default)}\"", text)]
            assert stated == [f"languages/{name}.py"]
    manifests = [path for path, text in texts.items() if re.search(r"[\"']package\.json[\"'],\s*[\"']package-lock\.json[\"']", text)]
    assert manifests == []  # node's default manifests derive from the npm packager's MANIFESTS and LOCKS


@pytest.mark.parametrize("spec", ["python-notes", "node-orders", "go-pinger"])
def test_r20_render_imports_only_the_specs_language_and_no_detection_code(spec: str, tmp_path: Path):
    code = (
        "import sys\n"
        "from dockgen.cli import app\n"
        "try:\n"
        f"    app([\"render\", {str(ROOT / 'specs' / spec / 'dockgen.yaml')!r}, \"-o\", {str(tmp_path)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('dockgen'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(result.stdout.split())
    language = yaml.safe_load((ROOT / "specs" / spec / "dockgen.yaml").read_text())["language"]
    assert f"dockgen.languages.{language}" in loaded
    others = {f"dockgen.languages.{name}" for name in languages.NAMES if name != language}
    detection = {"dockgen.detect", "dockgen.languages._read", "dockgen.init", "dockgen.scaffold"}
    assert not loaded & (others | detection), loaded & (others | detection)
    assert (tmp_path / "Dockerfile").exists()
