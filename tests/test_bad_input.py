"""Bad input through the real CLI: ``dockgen render`` and ``dockgen validate`` (issue 2, "Bad input").

Every case must give exit code 2, one clear message naming file:line:col (where known),
the field, the rule ID where a rule refuses the value and a did-you-mean suggestion where
one applies; no traceback; and nothing written to the output directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
