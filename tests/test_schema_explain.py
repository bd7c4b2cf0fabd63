"""Around the spec: `dockgen schema`, `dockgen explain` (R21), `render --annotate` (R21),
the pre-commit hook, and the CLI's help, version and completion.

Every test runs the installed `dockgen` command; the schema is checked with the
jsonschema library, Dockerfiles with the BuildKit parser (`dockerfile`).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import dockerfile
import jsonschema
import pytest
import yaml

from support import ALL_SPECS, ROOT, dockgen, render, spec_id


@pytest.fixture(scope="module")
def schema() -> dict:
    result = dockgen("schema")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- dockgen schema ----------------------------------------------------------------------


def test_schema_is_a_valid_json_schema_of_the_spec(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "dockgen spec"
    assert {"name", "language", "version", "copy", "entrypoint", "cmd"} <= set(schema["properties"])
    assert "copy_" not in schema["properties"]  # the YAML name, not the Python one (by_alias)
    assert set(schema["required"]) == {"name", "language"}
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("spec", ALL_SPECS, ids=spec_id)
def test_every_example_spec_validates_against_the_schema(schema, spec: Path):
    jsonschema.validate(yaml.safe_load(spec.read_text()), schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("change, path", [
    ({"language": "cobol"}, ["language"]),
    ({"colour": "blue"}, []),
    ({"ports": ["http"]}, ["ports", 0]),
    ({"entrypoint": "gunicorn app:app"}, ["entrypoint"]),
    ({"user": {"uid": "x"}}, ["user", "uid"]),
])
def test_schema_rejects_what_the_loader_rejects(schema, change, path, tmp_path: Path):
    data = {**yaml.safe_load((ROOT / "specs/python-cli/dockgen.yaml").read_text()), **change}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert errors and list(errors[0].absolute_path) == path
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(yaml.safe_dump(data))
    assert dockgen("validate", spec).returncode == 2


def test_schema_accepts_numbers_where_the_loader_does(schema, tmp_path: Path):
    data = {**yaml.safe_load((ROOT / "specs/python-cli/dockgen.yaml").read_text()),
            "env": {"WEB_CONCURRENCY": 2}, "stop_grace_period": 15}
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(yaml.safe_dump(data))
    assert dockgen("validate", spec).returncode == 0


def test_schema_output_is_deterministic():
    assert dockgen("schema").stdout == dockgen("schema").stdout


# --- dockgen explain and render --annotate (R21) ----------------------------------------


def _instructions(text: str) -> list[str]:
    """The instructions of a Dockerfile text as the BuildKit parser reads them (original text)."""
    return [c.original for c in dockerfile.parse_string(text)]


@pytest.fixture
def explained(any_spec: Path, tmp_path: Path) -> tuple[list[dict], dict[str, Path]]:
    result = dockgen("explain", "--json", any_spec)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), render(any_spec, tmp_path / "out")


def test_r21_explain_covers_every_instruction_of_the_real_dockerfile(explained):
    rows, files = explained
    real = _instructions(files["Dockerfile"].read_text())
    from_rows = [(original, row) for row in rows for original in _instructions(row["instruction"])]
    # the same instructions, in the same order, each with a spec field and rule IDs
    assert [original for original, _ in from_rows] == real
    for original, row in from_rows:
        assert row["field"], original
        assert all(re.fullmatch(r"R\d\d", rule) for rule in row["rules"]), row
        assert row["stage"]
    assert any(row["rules"] for row in rows)


def test_r21_explain_table_is_readable(any_spec: Path, tmp_path: Path):
    table = dockgen("explain", any_spec)
    assert table.returncode == 0, table.stderr
    rows = json.loads(dockgen("explain", "--json", any_spec).stdout)
    lines = table.stdout.splitlines()
    header = lines[0].split()
    assert header[:2] == ["STAGE", "SPEC"] and header[-1] == "INSTRUCTION"
    column = lines[0].index("INSTRUCTION")
    firsts = [line for line in lines[1:] if line[:column].strip()]
    assert len(firsts) == len(rows)
    for line, row in zip(firsts, rows):
        assert line[column:] == row["instruction"].split("\n")[0]
        assert line.startswith(row["stage"])
        assert row["field"] in line[:column]
        assert (" ".join(row["rules"]) or "-") in line[:column]


def test_r21_explain_bad_spec_is_a_one_line_error(tmp_path: Path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text("name: x\nlanguage: python\nversion: '3.12'\nentrypoint: [python]\nbase: python:latest\n")
    result = dockgen("explain", spec)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {spec}:5:")
    assert "R06" in result.stderr and "Traceback" not in result.stderr


def test_r21_render_annotate_writes_field_and_rules_before_each_step(any_spec: Path, tmp_path: Path):
    files = render(any_spec, tmp_path / "out", "--annotate")
    text = files["Dockerfile"].read_text()
    rows = json.loads(dockgen("explain", "--json", any_spec).stdout)
    lines = text.splitlines()
    annotations = [i for i, line in enumerate(lines) if " <- spec: " in line]
    assert len(annotations) == len(rows)
    for index, row in zip(annotations, rows):
        assert lines[index] == f"# {' '.join(row['rules']) or '-'} <- spec: {row['field']}"
        following = [line for line in lines[index + 1:] if not line.startswith("# hadolint ignore=")]
        assert following[0] == row["instruction"].split("\n")[0]
    # the annotated Dockerfile holds the same instructions as the plain one
    plain = render(any_spec, tmp_path / "plain")["Dockerfile"].read_text()
    assert _instructions(text) == _instructions(plain)


# --- the pre-commit hook ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    return hooks[0]


def test_precommit_hook_is_well_formed(hook):
    assert hook["id"] == "dockgen-check"
    assert hook["language"] == "python"
    assert {"id", "name", "entry", "language", "files"} <= set(hook)
    pattern = re.compile(hook["files"])
    for name in ("dockgen.yaml", "services/api/dockgen.yaml", "dockgen.yml"):
        assert pattern.search(name), name
    for name in ("dockgen.yaml.bak", "mydockgen.yaml", "Dockerfile", "dockgen.yaml/x"):
        assert not pattern.search(name), name


def test_precommit_hook_entry_is_a_real_dockgen_command(hook, tmp_path: Path):
    entry = shlex.split(hook["entry"])
    scripts = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert entry[0] in scripts  # the console script pip installs for language: python
    assert entry[1:] == ["render", "--check"]
    # pre-commit appends the matching file names: several specs in one call
    specs = []
    for name in ("python-cli", "go-pinger"):
        shutil.copytree(ROOT / "specs" / name, tmp_path / name)
        specs.append(tmp_path / name / "dockgen.yaml")
    assert dockgen(*entry[1:], *specs).returncode == 1  # nothing rendered yet
    for spec in specs:
        assert dockgen("render", spec).returncode == 0
    result = dockgen(*entry[1:], *specs)
    assert result.returncode == 0, result.stderr
    (tmp_path / "go-pinger" / "Dockerfile").write_text("FROM scratch\n")  # a hand edit
    result = dockgen(*entry[1:], *specs)
    assert result.returncode == 1
    assert str(tmp_path / "go-pinger" / "Dockerfile") in result.stderr
    assert str(tmp_path / "python-cli") not in result.stderr.replace(f"{tmp_path / 'python-cli'}: up to date", "")


def test_render_several_specs_refuses_output_and_print_run(tmp_path: Path):
    specs = [ROOT / "specs/python-cli/dockgen.yaml", ROOT / "specs/go-pinger/dockgen.yaml"]
    for flag in (["-o", str(tmp_path)], ["--print-run"]):
        result = dockgen("render", *specs, *flag)
        assert result.returncode == 2 and "single SPEC" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- help, version, completion -----------------------------------------------------------

COMMANDS = ("render", "validate", "schema", "explain", "init")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(command):
    result = dockgen(command, "--help")
    assert result.returncode == 0, result.stderr
    examples = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("Example: dockgen ")]
    assert examples, result.stdout
    for example in examples:
        words = shlex.split(example.removeprefix("Example: "))
        assert words[1] == command


def test_top_level_help_lists_every_command_with_an_example():
    result = dockgen("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command
    assert "Example: dockgen " in result.stdout


def test_version_prints_the_package_version():
    from dockgen import __version__

    result = dockgen("--version")
    assert result.returncode == 0 and result.stdout == f"dockgen {__version__}\n"


def test_shell_completion_is_available(tmp_path: Path):
    help_text = dockgen("--help").stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    import os
    import subprocess

    from support import tool

    env = {**os.environ, "_DOCKGEN_COMPLETE": "complete_bash", "COMP_WORDS": "dockgen ex", "COMP_CWORD": "1"}
    result = subprocess.run([tool("dockgen")], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["explain"]
    env["COMP_WORDS"], env["COMP_CWORD"] = "dockgen init --lang", "2"
    assert subprocess.run([tool("dockgen")], env=env, capture_output=True, text=True, timeout=60).stdout.split() == ["--language"]


def test_render_does_not_import_the_init_schema_explain_modules(tmp_path: Path):
    """`dockgen render` stays lean: detect/scaffold (init-only) load only when init runs."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from dockgen.cli import app\n"
        f"result = CliRunner().invoke(app, ['render', {str(ROOT / 'specs/python-cli/dockgen.yaml')!r}, '-o', {str(tmp_path)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m in ('dockgen.detect', 'dockgen.scaffold', 'jsonschema', 'tomllib')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "Dockerfile").exists()


def test_every_spec_field_has_a_description_in_the_schema():
    """Editors show these on hover; a new field without one fails here."""
    schema = json.loads(dockgen("schema").stdout)
    assert {name for name, prop in schema["properties"].items() if not prop.get("description")} == set()


@pytest.mark.parametrize("example, image_field, runsh_field", [
    ("node-vite-spa", "static, variant", "static"),            # nginx is static's image, not node's
    ("node-orders", "language, version, variant", "-"),         # run.sh: no spec field shapes it
    ("python-notes", "language, version, variant", "secrets, config"),
    ("php-notebook-debian", "language, version, variant", "secrets, config, processes"),
])
def test_r21_explain_names_the_fields_that_decided_the_final_image_and_run_sh(example, image_field, runsh_field):
    rows = [r for r in json.loads(dockgen("explain", "--json", ROOT / "specs" / example / "dockgen.yaml").stdout)
            if r["stage"] == "final"]
    assert rows[0]["instruction"].startswith("FROM ") and rows[0]["field"] == image_field, rows[0]
    [runsh] = [r for r in rows if r["instruction"].startswith("COPY run.sh ")]
    assert runsh["field"] == runsh_field, runsh
