"""Bad input through the real CLI: ``dockgen render`` and ``dockgen validate`` (issue 2, "Bad input").

Every case must give exit code 2, one clear message naming file:line:col (where known),
the field, the rule ID where a rule refuses the value and a did-you-mean suggestion where
one applies; no traceback; and nothing written to the output directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from support import dockgen

OK = 'name: x\nlanguage: python\nversion: "3.12"\nentrypoint: [python]\n'

# id: (spec text, substrings the message must contain). Line and column are 1-based.
CASES = {
    "malformed-yaml": (OK + "cmd: [a, b\nports: [1]\n", [":6:6:", "malformed YAML"]),
    "malformed-yaml-tab": (OK + "env:\n\tA: b\n", [":6:1:", "malformed YAML"]),
    "not-a-mapping": ("- name: x\n", [":1:1:", "YAML mapping"]),
    "unknown-key": (OK + "pakages: [flask]\n", [":5:1:", "unknown key `pakages`", "did you mean `packages`?"]),
    "unknown-nested-key": (OK + "user: {nmae: app}\n", [":5:8:", "user:", "unknown key `nmae`", "did you mean `name`?"]),
    "unknown-language": ('name: x\nlanguage: pyhton\nversion: "3.12"\nentrypoint: [python]\n',
                         [":2:11:", "language:", "pyhton", "did you mean `python`?"]),
    "wrong-type-list": (OK + "ports: eighty\n", [":5:8:", "ports:", "expected a list"]),
    "wrong-type-item": (OK + "ports: [http]\n", [":5:9:", "ports[0]:", "expected a whole number"]),
    "wrong-type-mapping": (OK + "env: [A, B]\n", [":5:6:", "env:", "expected a mapping"]),
    "wrong-type-bool": (OK + "init: maybe\n", [":5:7:", "init:"]),
    "version-as-number": ('name: x\nlanguage: python\nversion: 3.10\nentrypoint: [python]\n', [":3:10:", "version:", "quote it"]),
    "base-latest": (OK + "base: python:latest\n", [":5:7:", "base:", "latest", "R06"]),
    "base-no-tag": (OK + "base: python\n", [":5:7:", "base:", "no tag", "R06"]),
    "base-tag-without-version": (OK + "base: debian:stable-slim\n", [":5:7:", "base:", "R06"]),
    "openssh-server": (OK + "system_packages: [curl, openssh-server]\n", [":5:25:", "system_packages[1]:", "docker exec", "R09"]),
    "openssh-server-pinned": (OK + "system_packages: [openssh-server=1:9.2p1-2]\n", ["system_packages[0]:", "R09"]),
    "user-root": (OK + "user: {name: root}\n", [":5:8:", "user.name:", "R15"]),
    "uid-0": (OK + "user: {name: app, uid: 0}\n", [":5:24:", "user.uid:", "R15"]),
    "gid-0": (OK + "user: {gid: 0}\n", ["user.gid:", "R15"]),
    "secret-given-a-value-mapping": (OK + "secrets: {DB_PASSWORD: hunter2}\n", [":5:10:", "secrets:", "R18"]),
    "secret-given-a-value-item": (OK + "secrets: [DB_PASSWORD=hunter2]\n", ["secrets:", "DB_PASSWORD", "R18"]),
    "secret-given-a-value-in-env": (OK + "secrets: [DB_PASSWORD]\nenv: {DB_PASSWORD: hunter2}\n",
                                    [":6:7:", "env.DB_PASSWORD:", "R18"]),
    "secret-looking-env": (OK + "env: {API_TOKEN: abc}\n", ["env.API_TOKEN:", "secrets", "R18"]),
    "metachar-os-package": (OK + 'system_packages: ["curl;rm -rf /"]\n', [":5:19:", "system_packages[0]:", "shell metacharacters"]),
    "metachar-language-package": (OK + 'packages: ["flask$(id)"]\n', [":5:12:", "packages[0]:", "shell metacharacters"]),
    "metachar-backtick-package": (OK + 'packages: ["a`id`"]\n', ["packages[0]:", "shell metacharacters"]),
    "metachar-env-key": (OK + 'env: {"A;B": x}\n', [":5:7:", "env.A;B:", "variable name"]),
    "metachar-env-key-dollar": (OK + 'env: {"$A": x}\n', [":5:7:", "variable name"]),
    "metachar-label-key": (OK + 'labels: {"a b": x}\n', [":5:10:", "label key", "shell metacharacters"]),
    "metachar-label-key-quote": (OK + "labels: {'a\"b': x}\n", [":5:10:", "label key"]),
    "metachar-user-name": (OK + 'user: {name: "app;id"}\n', [":5:14:", "user.name:", "shell metacharacters"]),
    "metachar-user-name-space": (OK + 'user: {name: "a b"}\n', ["user.name:", "shell metacharacters"]),
    "cmd-as-string": (OK + "cmd: python app.py\n", [":5:6:", "cmd:", "expected a list", "exec form", "R12"]),
    "entrypoint-as-string": ('name: x\nlanguage: python\nversion: "3.12"\nentrypoint: gunicorn app:app\n',
                             [":4:13:", "entrypoint:", "exec form", "R12"]),
    "newline-in-env-value": (OK + 'env: {A: "x\\nRUN rm -rf /"}\n', ["env.A:", "single line"]),
    "go-binary-path-injection": ('name: g\nlanguage: go\nversion: "1.23"\nentrypoint: ["x y\\nRUN rm -rf /"]\n',
                                 [":4:14:", "entrypoint[0]:", "binary"]),
    "bad-capability": (OK + "caps: [NET_BIND_SERVCE]\n", ["caps[0]:", "did you mean `NET_BIND_SERVICE`?"]),
}


def _check(result, spec: Path, expected: list[str]) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert lines, result.stderr
    message = lines[0]
    assert str(spec) in message, f"the message names the file: {message}"
    for part in expected:
        assert part in message, f"{part!r} missing from: {message}"
    assert result.stdout == "", "nothing is reported as written"


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("command", ["render", "validate"])
def test_bad_spec_exit_2_with_located_message_and_nothing_written(command, text, expected, tmp_path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(text)
    out = tmp_path / "out"
    args = (command, spec, "-o", out) if command == "render" else (command, spec)
    result = dockgen(*args)
    _check(result, spec, expected)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dockgen.yaml"], "nothing written next to the spec"


@pytest.mark.parametrize("command", ["render", "validate"])
def test_missing_spec_file(command, tmp_path):
    spec = tmp_path / "nope.yaml"
    out = tmp_path / "out"
    result = dockgen(*((command, spec, "-o", out) if command == "render" else (command, spec)))
    _check(result, spec, ["cannot read the spec", "No such file"])
    assert not out.exists()


def test_render_default_output_dir_gets_nothing_on_bad_input(tmp_path):
    """Without -o the spec's own directory is the output: it must stay untouched too."""
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(OK + "base: python:latest\n")
    result = dockgen("render", spec)
    assert result.returncode == 2
    assert [p.name for p in tmp_path.iterdir()] == ["dockgen.yaml"]


def test_every_problem_reported_not_only_the_first(tmp_path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(OK + "ports: [http]\nbase: python:latest\n")
    result = dockgen("validate", spec)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "ports[0]" in errors[0] + errors[1] and "R06" in errors[0] + errors[1]


@pytest.mark.parametrize("secrets", ["{DB_PASSWORD: hunter2}", "[DB_PASSWORD=hunter2]"])
def test_secret_value_never_echoed(secrets, tmp_path):
    """R18: the message about a secret given a value does not repeat the value."""
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(OK + f"secrets: {secrets}\n")
    result = dockgen("validate", spec)
    assert result.returncode == 2 and "hunter2" not in result.stderr


@pytest.mark.parametrize("package", ["openssh-server", "openssh-server=1:9.2p1-2", "dropbear"])
def test_r09_an_ssh_server_is_refused_pointing_to_docker_exec(package, tmp_path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(OK + f"system_packages: [curl, {package!r}]\n")
    for command in ("validate", "render"):
        result = dockgen(command, spec)
        _check(result, spec, ["system_packages[1]:", "docker exec", "(R09)"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dockgen.yaml"]


# --- nested blocks: did you mean, known keys; constraint errors in dockgen's words -------


def _blocks() -> dict[str, tuple[tuple, list[str]]]:
    """Every mapping block of the spec, found in its JSON Schema (the public description, not
    the loader's own walk), by field name: (path, its keys). A path step is a key, 0 for a
    list item or "web" for a value of a name-keyed mapping (processes)."""
    import json

    from dockgen.schema import json_schema_text

    schema = json.loads(json_schema_text())
    found: dict[str, tuple[tuple, list[str]]] = {}

    def visit(node: dict, path: tuple) -> None:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node
        if "properties" in node:
            found[_name(path) or "(top level)"] = (path, list(node["properties"]))
            for key, sub in node["properties"].items():
                visit(sub, path + (key,))
        for sub in node.get("anyOf", []) + node.get("oneOf", []):
            visit(sub, path)
        for step, sub in ((0, node.get("items")), ("web", node.get("additionalProperties"))):
            if isinstance(sub, dict):
                visit(sub, path + (step,))

    visit(schema, ())
    return found


def _name(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


BLOCKS = _blocks()


def test_the_schema_walk_finds_the_nested_blocks():
    """The parametrization below covers every block; if the walk found none it would test nothing."""
    assert {"kubernetes", "resources", "resources.limits", "resources.requests", "user", "healthcheck", "static",
            "processes.web", "config[0]", "copy[0]", "(top level)"} <= set(BLOCKS), sorted(BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=BLOCKS)
def test_unknown_key_in_every_block_suggests_a_key_of_that_block_or_lists_them(block, tmp_path):
    """Each key of the block misspelt (its last letter dropped) is answered with that key,
    located at the misspelt key; a key like no other gets the block's keys listed; exit 2."""
    path, keys = BLOCKS[block]
    typos = {key[:-1]: key for key in keys}
    assert not set(typos) & set(keys), "a typo is a real key; choose another misspelling"
    value: object = {**{typo: 1 for typo in typos}, "zzqqxx": 1}
    for step in reversed(path):
        value = [value] if step == 0 else {step: value}
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(OK + yaml.safe_dump(value, default_flow_style=False, sort_keys=False))
    result = dockgen("validate", spec)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = spec.read_text().splitlines()
    prefix = f"{_name(path)}: " if path else ""
    said = {}
    for message in result.stderr.splitlines():
        if "unknown key `" not in message:
            continue
        where, rest = message.removeprefix(f"error: {spec}:").split(": ", 1)
        line, column = map(int, where.split(":"))
        key = rest.split("`")[1]
        assert lines[line - 1][column - 1:].startswith(key + ":"), f"{message} does not point at the key"
        assert rest.startswith(f"{prefix}unknown key `{key}`; "), message
        said[key] = rest.split("; ", 1)[1]
    assert said == {**{typo: f"did you mean `{key}`?" for typo, key in typos.items()},
                    "zzqqxx": f"known keys: {', '.join(keys)}"}, result.stderr


# id: (spec lines after OK, the whole message after "file:line:col: ", where it points (line, column)).
# Each is a pydantic error type a spec can trigger; none may reach the user in pydantic's words.
CONSTRAINTS = {
    "range-le": ("user: {uid: 70000000000}", "user.uid: 70000000000 is out of range; expected a whole number "
                 "from 1 to 2147483646 (default 10001)", (5, 13)),
    "range-ge": ("user: {gid: -1}", "user.gid: -1 is out of range; expected a whole number from 1 to 2147483646 "
                 "(default 10001)", (5, 13)),
    "range-nested-default": ("kubernetes:\n  replicas: 5000", "kubernetes.replicas: 5000 is out of range; expected "
                             "a whole number from 0 to 1000 (default 1)", (6, 13)),
    "range-no-default": ("resources: {pids: 0}", "resources.pids: 0 is out of range; expected a whole number "
                         "from 1 to 4194304", (5, 19)),
    "range-list-item": ("ports: [8000, 70000]", "ports[1]: 70000 is out of range; expected a whole number "
                        "from 1 to 65535", (5, 15)),
    "range-mapping-key": ("ports: [80]\nhost_ip: {0: 0.0.0.0}", "host_ip[0]: 0 is out of range; expected a whole "
                          "number from 1 to 65535", (6, 11)),
    "range-healthcheck": ("healthcheck: {command: [x], retries: 0}", "healthcheck.retries: 0 is out of range; "
                          "expected a whole number from 1 to 100 (default 3)", (5, 38)),
    "int-from-float": ("user: {uid: 1.5}", "user.uid: 1.5 is not a whole number; expected a whole number from 1 "
                       "to 2147483646 (default 10001)", (5, 13)),
    "int-parsing": ("healthcheck: {command: [x], retries: many}", "healthcheck.retries: expected a whole number "
                    "from 1 to 100 (default 3), got text", (5, 38)),
    "too-short-process": ("processes:\n  web: {command: []}", "processes.web.command: is empty; expected at least "
                          "1 item; give the program and its arguments, e.g. [python, app.py] (R12)", (6, 18)),
    "too-short-healthcheck": ("healthcheck: {command: []}", "healthcheck.command: is empty; expected at least 1 item; "
                              "give the program and its arguments, e.g. [python, app.py] (R12)", (5, 24)),
    "literal-close": ("kubernetes: {service_type: clusterip}", "kubernetes.service_type: 'clusterip' is not allowed; "
                      "expected 'ClusterIP', 'NodePort' or 'LoadBalancer' (default 'ClusterIP'); did you mean "
                      "`ClusterIP`?", (5, 28)),
    "literal-far": ("variant: debian", "variant: 'debian' is not allowed; expected 'slim' or 'alpine' "
                    "(default 'slim')", (5, 10)),
    "union-of-forms": ("syntax: 1.5", "syntax: expected text or true or false, got a number", (5, 9)),
    "missing": ("static: {spa: true}", "static.root: is required; add `root:` to `static`", (5, 9)),
    "missing-in-list": ("config: [{source: t}]", "config[0].target: is required; add `target:` to `config[0]`",
                        (5, 10)),
}


@pytest.mark.parametrize("lines, expected, at", CONSTRAINTS.values(), ids=CONSTRAINTS.keys())
def test_constraint_errors_say_what_was_given_and_what_is_expected(lines, expected, at, tmp_path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(OK + lines + "\n")
    result = dockgen("validate", spec)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: {spec}:{at[0]}:{at[1]}: {expected}\n"


def test_pydantic_constraints_the_spec_may_use_next_are_worded_too():
    """Constraints no spec field uses yet (a pattern, a text length) are worded from the error's
    type and ctx as well, so a field that adds one needs no new message."""
    from pydantic import BaseModel, Field, ValidationError

    from dockgen.loader import _Marks, _problem_from_pydantic

    class Later(BaseModel):
        tag: str = Field(pattern=r"^[a-z]+$")
        title: str = Field(min_length=3)
        many: list[int] = Field(max_length=2)

    with pytest.raises(ValidationError) as caught:
        Later(tag="A1", title="ab", many=[1, 2, 3])
    messages = [str(_problem_from_pydantic(e, "f.yaml", _Marks())) for e in caught.value.errors()]
    assert messages == ["f.yaml: tag: 'A1' does not match the pattern ^[a-z]+$",
                        "f.yaml: title: has 2 characters; expected at least 3 characters",
                        "f.yaml: many: has 3 items; expected at most 2 items"]


def test_a_misspelt_required_key_is_one_problem_not_two(tmp_path):
    """`comand:` for `command:` is one mistake: the did-you-mean, without a second "command is
    required"; a key like no other still leaves the required one missing (two problems)."""
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(OK + "healthcheck: {comand: [true]}\n")
    result = dockgen("validate", spec)
    assert result.returncode == 2
    assert result.stderr == f"error: {spec}:5:15: healthcheck: unknown key `comand`; did you mean `command`?\n"
    spec.write_text(OK + "healthcheck: {zzz: [true]}\n")
    result = dockgen("validate", spec)
    assert "healthcheck.command: is required" in result.stderr and "unknown key `zzz`" in result.stderr
