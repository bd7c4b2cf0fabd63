"""Structural rule checks on the generated Dockerfile, and proofs that no spec value injects.

Every Dockerfile is parsed with the BuildKit parser (``dockerfile`` package) and checked
instruction by instruction, never by grepping text: R02/R12 exec form, R04/R08/R10 package
cleanup, R06 pinned FROM, R07 order, R11 STOPSIGNAL, R15 numeric non-root USER, R16 OCI
labels from ARGs, R18 no secret in ENV/ARG.

The injection proofs render specs whose values carry ``$``, quotes, backslashes, backticks,
``&& rm -rf /`` and unicode, and show that (1) the instructions are exactly those of the
same spec with harmless values (nothing injected, no line continued), (2) each value
decodes back to exactly the original under Docker's quoting rules, and (3) shell words in
RUN lines and run.sh reach the command unchanged when a real ``sh`` runs them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import dockerfile
import pytest
import yaml

from support import (
    ALL_SPECS,
    docker_word,
    dockgen,
    lint_problems,
    render,
    shell_commands,
    spec_id,
    split_stages,
    tool,
)

from dockgen import languages
from dockgen.languages import toolchain
from dockgen.loader import load_spec

# Small specs that exercise what the example specs do not (non-default signal, healthcheck
# timings, overridden OCI labels, apk packages, build packages on Alpine).
SYNTHETIC = {
    "synthetic/stop-signal-alpine": {
        "name": "sig", "language": "python", "version": "3.12", "variant": "alpine",
        "system_packages": ["curl=8.14.1-r1"], "build_packages": ["gcc", "musl-dev"],
        "packages": ["flask==3.0.3"], "stop_signal": "int", "entrypoint": ["flask"], "cmd": ["run"],
        "healthcheck": {"command": ["true"], "interval": "1m30s", "timeout": "3s", "retries": 5},
        "secrets": ["API_TOKEN"],
    },
    "synthetic/labels-override": {
        "name": "lbl", "language": "node", "version": "22", "packages": ["express@4.21.2"],
        "labels": {"org.opencontainers.image.version": "1.2.3", "com.example.team": "core"},
        "stop_signal": "SIGTERM", "entrypoint": ["node"], "cmd": ["index.js"],
    },
    # the static server's default is nginx's SIGQUIT; a spec that says SIGTERM gets SIGTERM (R11)
    "synthetic/static-sigterm": {
        "name": "site", "language": "node", "version": "22", "build": ["npm run build"], "static": {"root": "dist"},
        "ports": [8080], "stop_signal": "SIGTERM",
    },
    "synthetic/ruby-alpine-quit": {
        "name": "rb", "language": "ruby", "version": "3.3", "variant": "alpine",
        "stop_signal": "SIGQUIT", "entrypoint": ["ruby"], "cmd": ["app.rb"], "user": {"uid": 2000, "gid": 3000},
    },
}
SPECS = [(spec_id(p), p) for p in ALL_SPECS] + [(name, None) for name in SYNTHETIC]


class Rendered:
    """A spec, the files the CLI rendered for it, and its Dockerfile parsed into stages."""

    def __init__(self, spec_path: Path, out: Path):
        self.path = spec_path
        self.spec = yaml.safe_load(spec_path.read_text())
        self.files = render(spec_path, out)
        self.commands = dockerfile.parse_string(self.files["Dockerfile"].read_text())
        self.stages = split_stages(self.commands)
        self.final = self.stages[-1]
        self.builder = next((s for s in self.stages if s[0].value[-1:] == ("builder",)), None)

    def runs(self, stage) -> list[tuple[object, list[list[str]]]]:
        """(RUN instruction, its &&-joined commands as word lists) of a stage."""
        return [(c, shell_commands(" ".join(c.value))) for c in stage if c.cmd == "RUN"]


@pytest.fixture(params=SPECS, ids=[name for name, _ in SPECS])
def r(request, tmp_path) -> Rendered:
    name, path = request.param
    if path is None:
        path = tmp_path / "ctx" / "dockgen.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump(SYNTHETIC[name]))
    return Rendered(path, tmp_path / "out")


def pairs(command) -> list[tuple[str, str]]:
    """The name/raw-value pairs of an ENV or LABEL instruction as the parser splits them."""
    values = list(command.value)
    assert len(values) % 2 == 0, command.original
    return list(zip(values[::2], values[1::2]))


def seconds(duration: str) -> Decimal:
    """A Go duration (``1m30s``, ``500ms``) in seconds."""
    factor = {"ms": Decimal("0.001"), "s": 1, "m": 60, "h": 3600}
    return sum((Decimal(n) * factor[u] for n, u in re.findall(r"([0-9.]+)(ms|s|m|h)", duration)), Decimal(0))


def signal(name: str) -> str:
    upper = name.upper()
    return upper if upper.startswith("SIG") else "SIG" + upper


# --- structure, per rule -----------------------------------------------------------------


def test_syntax_directive_is_the_first_line(r):
    assert r.files["Dockerfile"].read_text().splitlines()[0] == "# syntax=docker/dockerfile:1"


def test_r02_r12_entrypoint_cmd_healthcheck_in_exec_form(r):
    for command in r.commands:
        if command.cmd in ("ENTRYPOINT", "CMD"):
            assert command.json, f"shell form: {command.original}"
        if command.cmd == "HEALTHCHECK":
            assert command.json and command.value[0] == "CMD", command.original
    entrypoints = [c for c in r.final if c.cmd == "ENTRYPOINT"]
    assert len(entrypoints) == 1, "the final stage has exactly one ENTRYPOINT"
    argv = list(entrypoints[0].value)
    if r.spec.get("entrypoint"):
        assert argv[-len(r.spec["entrypoint"]):] == r.spec["entrypoint"]
    elif r.spec.get("processes"):
        assert argv[-2:] == ["s6-svscan", "/var/lib/dockgen/s6"]
    cmds = [list(c.value) for c in r.final if c.cmd == "CMD"]
    assert cmds == ([r.spec["cmd"]] if r.spec.get("cmd") else [])


def test_r15_last_user_numeric_non_root_before_entrypoint(r):
    names = [c.cmd for c in r.final]
    users = [i for i, c in enumerate(r.final) if c.cmd == "USER"]
    assert users, "the final stage sets USER"
    last = r.final[users[-1]].value[0]
    match = re.fullmatch(r"([0-9]+):([0-9]+)", last)
    assert match, f"USER {last} is not numeric uid:gid"
    uid, gid = int(match[1]), int(match[2])
    assert uid != 0 and gid != 0
    user = r.spec.get("user", {})
    assert (uid, gid) == (user.get("uid", 10001), user.get("gid", 10001))
    assert users[-1] < names.index("ENTRYPOINT")
    assert not [c for c in r.final[users[-1]:] if c.cmd in ("RUN", "COPY", "ADD")], "USER comes after every build step"


def _code_copy(r: Rendered, stage) -> int | None:
    """The index of the first COPY of a ``copy`` entry (issue 10, item 3: one COPY per entry)."""
    sources = [entry["source"] if isinstance(entry, dict) else entry for entry in r.spec.get("copy", ["."])]
    for i, c in enumerate(stage):
        if c.cmd == "COPY" and not any(f.startswith("--from") for f in c.flags) and list(c.value[:-1]) == sources[:1]:
            return i
    return None


def test_r07_no_run_after_the_code_copy_in_the_final_stage(r):
    index = _code_copy(r, r.final)
    if index is None:
        # A compiled language (Go, Rust, Java, .NET) without `copy`, or a build step (issue 11): the final
        # stage holds only what is copied from the builder, and no RUN comes after the first such COPY.
        assert (languages.module(r.spec["language"]).COMPILED and "copy" not in r.spec) or r.spec.get("build")
        assert all(c.cmd != "COPY" or "--from=builder" in c.flags or "--from=init" in c.flags
                   or c.value[0] in ("run.sh", "nginx.conf") for c in r.final)  # dockgen's own files
        first = next(i for i, c in enumerate(r.final) if "--from=builder" in c.flags)
        assert "RUN" not in [c.cmd for c in r.final[first:]]
        return
    after = [c.cmd for c in r.final[index + 1:]]
    copies = len(r.spec.get("copy", ["."]))
    assert after[:copies - 1] == ["COPY"] * (copies - 1), after  # the other entries, one COPY each
    after = after[copies - 1:]
    assert "RUN" not in after and "COPY" not in after and "ADD" not in after, after


def test_r07_dependency_manifests_copied_before_the_install(r):
    manifests = list(toolchain(load_spec(r.path).spec).manifests)
    if r.builder is None:
        assert not manifests or r.spec["language"] == "python"
        return
    installs = [i for i, c in enumerate(r.builder) if c.cmd == "RUN"
                and not {w[0] for w in shell_commands(" ".join(c.value))} & {"apt-get", "apk"}]
    assert installs, "the builder installs dependencies"
    if manifests:
        copies = [i for i, c in enumerate(r.builder) if c.cmd == "COPY" and list(c.value[:-1]) == manifests]
        assert copies and copies[0] < installs[0]
    code = _code_copy(r, r.builder) if languages.module(r.spec["language"]).COMPILED else None
    if code is not None:
        # Compiled code: the install of dependencies comes first, the build right after the code.
        assert installs[0] < code and [c.cmd for c in r.builder[code + 1:]] == ["RUN"]


def test_r04_r08_r10_package_installs_clean_up_in_the_same_run(r):
    checked = 0
    for stage in r.stages:
        for command, commands in r.runs(stage):
            heads = [tuple(c[:2]) for c in commands]
            for i, words in enumerate(commands):
                if words[:2] == ["apt-get", "install"]:
                    checked += 1
                    assert ("apt-get", "update") in heads[:i], f"R08: no apt-get update before install: {command.original}"
                    assert "--no-install-recommends" in words, "R04"
                    assert ["rm", "-rf", "/var/lib/apt/lists/*"] in commands[i + 1:], f"R10: {command.original}"
                if words[:2] == ["apt-get", "update"]:
                    assert any(c[:2] == ["apt-get", "install"] for c in commands[i + 1:]), "R08: apt-get update alone"
                if words[:2] == ["apk", "add"]:
                    checked += 1
                    assert "--no-cache" in words, f"R04: {command.original}"
                assert words[:2] != ["apk", "update"], "R04: apk add --no-cache needs no index"
    wanted = r.spec.get("system_packages", []) + r.spec.get("build_packages", [])
    if wanted:
        assert checked, "the spec's OS packages are installed by apt-get or apk"


def test_r04_build_packages_never_in_the_final_stage(r):
    build_only = set(r.spec.get("build_packages", [])) - set(r.spec.get("system_packages", []))
    final_words = {w for _, commands in r.runs(r.final) for c in commands for w in c}
    assert not build_only & final_words
    if build_only:
        builder_words = {w for _, commands in r.runs(r.builder) for c in commands for w in c}
        assert build_only <= builder_words


# Images and programs of a toolchain: compilers and build tools (issue 12: no JDK, cargo or SDK at run time).
TOOLCHAIN_IMAGES = ("golang", "rust", "maven", "gradle", "mcr.microsoft.com/dotnet/sdk")
TOOLCHAIN_PROGRAMS = {"go", "cargo", "rustc", "javac", "mvn", "./mvnw", "gradle", "./gradlew", "dotnet-sdk"}


def test_r04_compiled_languages_final_stage_has_no_compiler_or_build_tool(r):
    """A compiled language's final stage starts from a runtime (a JRE, scratch, a slim OS), never
    from a JDK, rust, golang or build-tool image, installs none, and runs none."""
    if not languages.module(r.spec["language"]).COMPILED:
        return
    image = r.final[0].value[0]
    repository = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image.split("@")[0]
    assert not repository.endswith(TOOLCHAIN_IMAGES), f"R04: the final stage starts from a toolchain image: {image}"
    assert "-jdk" not in image, f"R04: a JDK in the final image: {image}"
    words = {w for _, commands in r.runs(r.final) for c in commands for w in c}
    assert not words & (TOOLCHAIN_PROGRAMS | {"openjdk-17-jdk-headless", "default-jdk", "maven", "cargo"}), words
    for c in r.final:
        if c.cmd in ("ENTRYPOINT", "CMD"):
            assert not set(c.value) & TOOLCHAIN_PROGRAMS, f"R04: the image runs a build tool: {c.original}"
    assert r.builder is not None and any(c.cmd == "COPY" and "--from=builder" in c.flags for c in r.final)


def test_r18_no_secret_in_env_or_arg(r):
    secrets = set(r.spec.get("secrets", []))
    forbidden = secrets | {f"{s}_FILE" for s in secrets}
    for command in r.commands:
        if command.cmd == "ENV":
            names = [name for name, _ in pairs(command)]
        elif command.cmd == "ARG":
            names = [v.split("=", 1)[0] for v in command.value]
        else:
            continue
        assert not forbidden & set(names), command.original
        assert not any(re.search(r"PASSWORD|SECRET|TOKEN", n) for n in names), command.original


def test_r06_every_from_is_pinned(r):
    aliases: set[str] = set()
    for stage in r.stages:
        words = stage[0].value
        image = words[0]
        if image != "scratch" and image not in aliases:
            name, _, digest = image.partition("@")
            tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
            assert tag != "latest", image
            assert (tag and re.search(r"[0-9]", tag)) or digest.startswith("sha256:"), f"unpinned FROM {image}"
        if len(words) == 3:
            assert words[1].upper() == "AS"
            aliases.add(words[2])


def test_r16_oci_labels_with_build_args(r):
    labels: dict[str, tuple[str, list[str]]] = {}
    for command in r.final:
        if command.cmd == "LABEL":
            for key, raw in pairs(command):
                labels[key] = docker_word(raw)
    args = [v.split("=", 1)[0] for c in r.final if c.cmd == "ARG" for v in c.value]
    label_index = [i for i, c in enumerate(r.final) if c.cmd == "LABEL"][0]
    arg_index = max(i for i, c in enumerate(r.final) if c.cmd == "ARG")
    assert arg_index < label_index, "ARGs are declared before the LABEL that uses them"
    given = r.spec.get("labels", {})
    for key, arg in (("version", "VERSION"), ("revision", "REVISION"), ("created", "CREATED")):
        full = f"org.opencontainers.image.{key}"
        if full in given:
            assert labels[full] == (given[full], [])
        else:
            assert labels[full] == ("", [arg]) and arg in args, f"{full} comes from ARG {arg}"
    assert labels["org.opencontainers.image.title"] == (r.spec["name"], [])
    if r.spec.get("description"):
        assert labels["org.opencontainers.image.description"] == (r.spec["description"], [])
    for key, value in given.items():
        assert labels[key] == (str(value), [])


def test_r07_r16_no_run_after_an_arg_of_the_final_stage(r):
    # Every RUN after an ARG has the ARG's value in its cache key (Docker's reference, "Impact
    # on build caching"): a new REVISION per commit would re-run the system-package layer and
    # everything after it. The label ARGs come after the final stage's last RUN.
    first_arg = next((i for i, c in enumerate(r.final) if c.cmd == "ARG"), None)
    assert first_arg is not None, "the final stage declares the label ARGs (R16)"
    after = [c.original for c in r.final[first_arg + 1:] if c.cmd == "RUN"]
    assert not after, f"RUN after the final stage's ARG (cache miss on every new --build-arg): {after}"


def test_r11_stopsignal_always_written_so_the_base_images_never_applies(r):
    """One STOPSIGNAL, SIGTERM too (php-fpm's and nginx's official images set SIGQUIT, which an
    image without its own would inherit): the spec's ``stop_signal``; unset, nginx's graceful
    stop SIGQUIT for the static server (nginx.org/en/docs/control.html), else SIGTERM."""
    signals = [c.value[0] for c in r.final if c.cmd == "STOPSIGNAL"]
    default = "SIGQUIT" if "static" in r.spec else "SIGTERM"
    assert signals == [signal(r.spec.get("stop_signal", default))]


def test_r12_healthcheck_when_given(r):
    checks = [c for c in r.final if c.cmd == "HEALTHCHECK"]
    given = r.spec.get("healthcheck")
    if not given:
        assert checks == []
        return
    assert len(checks) == 1
    check = checks[0]
    assert list(check.value) == ["CMD", *given["command"]]
    flags = dict(f.removeprefix("--").split("=", 1) for f in check.flags)
    assert seconds(flags["interval"]) == seconds(given.get("interval", "30s"))
    assert seconds(flags["timeout"]) == seconds(given.get("timeout", "5s"))
    assert flags["retries"] == str(given.get("retries", 3))
    # hadolint reads one number and one unit (s, m or h), Docker any Go duration: use the common form.
    for name in ("interval", "timeout", "start-period"):
        assert re.fullmatch(r"[0-9]+(\.[0-9]+)?[smh]", flags[name]), flags[name]


# --- injection and quoting proofs ---------------------------------------------------------

HOSTILE = [
    "$HOME",
    "${X}",
    "${X:-default} $$ $1",
    'say "hi"',
    "back\\slash \\n \\t",
    "trail\\",
    "trail\\\\",
    "x && rm -rf /",
    "`id` $(id)",
    "ünïcødé ☃ 日本語 \u200b",
    "'single' \"double\" \\\"both\\\"",
    "# not a comment",
    "\\$HOME \\${X}",
    " leading and trailing spaces ",
    "a=b c=d",
    "",
]
# Exec-form arguments may even hold a newline: JSON encodes it, no instruction starts.
HOSTILE_ARGS = HOSTILE + ["line1\nRUN rm -rf /", "tab\there", "ctl\x01\x7f"]


def _spec(value: str, arg: str) -> dict:
    return {
        "name": "inject", "language": "python", "version": "3.12", "dependencies": [],
        "env": {"FIRST": value, "SECOND": value + "x", "THIRD": "plain"},
        "labels": {"com.example.value": value, "com.example.other": "plain"},
        "description": value or "d",
        "entrypoint": ["sh", "-c", arg],
        "cmd": [arg, "it's"],
        "healthcheck": {"command": ["sh", "-c", arg]},
    }


def _render_dict(spec: dict, directory: Path) -> tuple[str, list]:
    directory.mkdir(parents=True)
    path = directory / "dockgen.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    files = render(path, directory / "out")
    text = files["Dockerfile"].read_text()
    return text, dockerfile.parse_string(text)


def _shape(commands) -> list[tuple]:
    return [(c.cmd, c.start_line, c.end_line, c.flags, len(c.value), c.json) for c in commands]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_env_and_label_values_inject_nothing_and_decode_exactly(value, tmp_path):
    text, commands = _render_dict(_spec(value, "a"), tmp_path / "hostile")
    _, benign = _render_dict(_spec("v", "a"), tmp_path / "benign")
    assert _shape(commands) == _shape(benign), "an instruction was injected or a line continued"

    env = {name: docker_word(raw) for c in commands if c.cmd == "ENV" for name, raw in pairs(c)}
    for name, original in (("FIRST", value), ("SECOND", value + "x"), ("THIRD", "plain")):
        assert env[name] == (original, []), f"ENV {name} decodes to {env[name]!r}, not {original!r}"
    labels = {name: docker_word(raw) for c in commands if c.cmd == "LABEL" for name, raw in pairs(c)}
    assert labels["com.example.value"] == (value, [])
    assert labels["com.example.other"] == ("plain", [])
    assert labels["org.opencontainers.image.description"] == (value or "d", [])
    # hadolint must read the quoting too (its parser once failed on "x\\\\").
    assert lint_problems(text, _spec(value, "a")) == []


@pytest.mark.parametrize("arg", HOSTILE_ARGS, ids=range(len(HOSTILE_ARGS)))
def test_exec_form_arguments_arrive_exactly(arg, tmp_path):
    text, commands = _render_dict(_spec("v", arg), tmp_path / "hostile")
    _, benign = _render_dict(_spec("v", "a"), tmp_path / "benign")
    assert _shape(commands) == _shape(benign), "an instruction was injected or a line continued"
    assert lint_problems(text, _spec("v", arg)) == []
    by_cmd = {c.cmd: c for c in commands}
    assert list(by_cmd["ENTRYPOINT"].value)[-3:] == ["sh", "-c", arg]
    assert list(by_cmd["CMD"].value) == [arg, "it's"]
    assert list(by_cmd["HEALTHCHECK"].value) == ["CMD", "sh", "-c", arg]
    # The parser's reading agrees with the JSON text itself.
    for c in (by_cmd["ENTRYPOINT"], by_cmd["CMD"]):
        assert json.loads(c.original.split(" ", 1)[1]) == list(c.value)


def test_docker_word_decoder_follows_dockers_rules():
    """The decoder used above, on the cases the Dockerfile reference documents."""
    assert docker_word(r'"a\"b"') == ('a"b', [])
    assert docker_word(r'"\$HOME"') == ("$HOME", [])
    assert docker_word(r'"\\"') == ("\\", [])
    assert docker_word(r'"\n"') == ("\\n", [])  # any other backslash is kept
    assert docker_word(r'"$HOME"') == ("", ["HOME"])
    assert docker_word(r'"${X:-y}"') == ("", ["X"])
    assert docker_word(r"'$HOME'") == ("$HOME", [])
    assert docker_word(r"a\ b") == ("a b", [])
    with pytest.raises(ValueError):
        docker_word('"trail\\"')  # a lone trailing backslash escapes the closing quote
    with pytest.raises(ValueError):
        docker_word("a b")


def test_compose_keeps_dollar_in_healthcheck_literal(tmp_path):
    """compose interpolates ``$VAR`` in compose.yaml; a healthcheck command must reach the
    container exactly as written (``$$`` in the file), as ``docker compose config`` shows."""
    arg = 'test "$HOME" = / && echo ${X:-y} $$'
    _render_dict(_spec("v", arg), tmp_path / "c")
    result = subprocess.run([tool("docker-compose"), "-f", "compose.yaml", "config"], cwd=tmp_path / "c" / "out",
                            capture_output=True, text=True, env={**os.environ, "HOME": "/root", "X": "z"})
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    test = config["services"]["inject"]["healthcheck"]["test"]
    # `config` prints the model back in file syntax, so literal dollars appear doubled.
    assert [part.replace("$$", "$") for part in test] == ["CMD", "sh", "-c", arg]


def _stub_path(directory: Path, names: set[str], log: Path) -> str:
    directory.mkdir()
    for name in names:
        assert "/" not in name, f"cannot stub {name}: the test would run the real command"
        stub = directory / name
        stub.write_text('#!/bin/sh\n{ printf "%s\\n" "${0##*/}"; for a; do printf "[%s]\\n" "$a"; done; } >> "$LOG"\n')
        stub.chmod(0o755)
    return str(directory)


def _run_for_real(command_text: str, tmp_path: Path) -> list[list[str]]:
    """Run a RUN line with a real ``sh`` where every command is a stub that logs its argv."""
    names = {words[0] for words in shell_commands(command_text)}
    tmp_path.mkdir(parents=True)
    log = tmp_path / "argv.log"
    log.write_text("")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    for bait in ("ab@1.0.0", "x1@2"):  # files an unquoted glob would expand to
        (workdir / bait).write_text("")
    env = {"PATH": _stub_path(tmp_path / "stubs", names, log), "LOG": str(log), "HOME": "/nonexistent"}
    result = subprocess.run(["/bin/sh", "-c", command_text], cwd=workdir, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    calls: list[list[str]] = []
    for line in log.read_text().splitlines():
        if line.startswith("[") and line.endswith("]"):
            calls[-1].append(line[1:-1])
        else:
            calls.append([line])
    return calls


def test_run_lines_quote_every_word_for_sh(tmp_path):
    """Package names and paths with glob and odd characters reach the command unchanged."""
    packages = ["@scope/pkg@^1.2.3", "a[b]@1.0.0", "left-pad@~1.3.0", "b,c=d:e@3", "x[0-9]@2"]
    writable = ["/data/w@+x", "/srv/a+b"]
    spec = {"name": "q", "language": "node", "version": "22", "variant": "slim", "dependencies": [],
            "packages": packages, "writable": writable, "system_packages": ["curl=7.88.1-10+deb12u12"],
            "entrypoint": ["node"]}
    text, commands = _render_dict(spec, tmp_path / "ctx")
    runs = [" ".join(c.value) for c in commands if c.cmd == "RUN"]
    install, system = runs[0], runs[1]
    assert ["npm", "install", "--omit=dev", "--ignore-scripts", "--no-save", *packages] in _run_for_real(install, tmp_path / "install")
    calls = _run_for_real(system, tmp_path / "system")
    # `rm -rf /var/lib/apt/lists/*` is the one word meant to glob (R10); the stub rm saw the host's list.
    assert [c for c in calls if c[0] != "rm"] == [c for c in shell_commands(system) if c[0] != "rm"]
    assert ["mkdir", "-p", *sorted(writable)] in calls
    assert ["chown", "10001:10001", *sorted(writable)] in calls
    assert ["apt-get", "install", "-y", "--no-install-recommends", "curl=7.88.1-10+deb12u12", "tini"] in calls


def test_run_sh_quotes_paths_and_copies_values_byte_for_byte(tmp_path_factory):
    """run.sh executed for real: a config target whose path has odd characters is written
    exactly there, and an env value full of shell syntax arrives byte for byte."""
    base = tmp_path_factory.mktemp("runsh")
    writable = f"{base}/w@+_x"
    context = base / "ctx"
    context.mkdir()
    (context / "app.conf.tmpl").write_text("greeting=${GREETING}\npassword=${DB_PASSWORD}\n")
    value = "$HOME `id` $(id) \"q\" 'q' \\ && rm -rf / ☃"
    spec = {"name": "q", "language": "none", "base": "alpine:3.22", "entrypoint": ["true"],
            "env": {"GREETING": "placeholder"}, "secrets": ["DB_PASSWORD"], "writable": [writable],
            "config": [{"source": "app.conf.tmpl", "target": f"{writable}/app.conf", "mode": "0600"}]}
    (context / "dockgen.yaml").write_text(yaml.safe_dump(spec))
    files = render(context / "dockgen.yaml", base / "out")
    check = subprocess.run([tool("shellcheck"), "--shell=sh", str(files["run.sh"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    Path(writable).mkdir()
    secret = base / "secret"
    secret.write_text("s3cr3t $(id)")
    env = {"PATH": os.environ["PATH"], "GREETING": value, "DB_PASSWORD_FILE": str(secret)}
    result = subprocess.run(["sh", str(files["run.sh"]), "sh", "-c", 'printf "%s|%s" "${DB_PASSWORD-unset}" "$0"', "ok"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "unset|ok"
    written = Path(writable) / "app.conf"
    assert written.read_text() == f"greeting={value}\npassword=s3cr3t $(id)\n"
    assert written.stat().st_mode & 0o777 == 0o600


def test_newline_in_an_env_value_is_refused_not_rendered(tmp_path):
    """A newline would start a new instruction: the spec model refuses it (exit 2)."""
    path = tmp_path / "dockgen.yaml"
    path.write_text(yaml.safe_dump({"name": "n", "language": "none", "base": "alpine:3.22", "entrypoint": ["true"],
                                    "env": {"A": "x\nRUN rm -rf /"}}))
    result = dockgen("render", path, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "env.A" in result.stderr and "single line" in result.stderr
    assert not (tmp_path / "out").exists()


def test_r12_healthcheck_timings_are_the_run_policy_s_in_every_target(tmp_path):
    """A 0s interval would be Docker's default 30s and a 0.5ms timeout a build error, while
    compose and Kubernetes take whole seconds: the Dockerfile writes the policy's (1s, 1s)."""
    spec = {**_spec("v", "true"), "healthcheck": {"command": ["true"], "interval": "0s", "timeout": "0.5ms",
                                                  "start_period": "1500ms"}}
    _, commands = _render_dict(spec, tmp_path / "c")
    check = next(c for c in commands if c.cmd == "HEALTHCHECK")
    flags = dict(f.removeprefix("--").split("=", 1) for f in check.flags)
    assert (flags["interval"], flags["timeout"], flags["start-period"]) == ("1s", "1s", "2s")
    compose = yaml.safe_load((tmp_path / "c" / "out" / "compose.yaml").read_text())["services"]["inject"]["healthcheck"]
    assert (compose["interval"], compose["timeout"], compose["start_period"]) == ("1s", "1s", "2s")
