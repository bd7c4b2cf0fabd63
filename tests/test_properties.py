"""Property-based tests (hypothesis) over generated valid specs (issue 2, "Tests").

Specs are built as dicts from strategies: language/version/variant/base combinations,
OS and language packages pinned and unpinned, env and label values full of hostile but
valid text, ports, user ids, capabilities, secrets, healthchecks, stop signals, and
s6 processes on Debian and Alpine. For each one, through the Python API
(load_text → make_plan → Renderer.files):

- rendering never crashes and is deterministic;
- the Dockerfile parses with the BuildKit parser, ENV/LABEL values decode back exactly
  and exec-form arrays arrive exactly;
- hadolint at warning level finds nothing except the unpinned-package rules on a RUN that
  installs a package this spec leaves unpinned.
"""

from __future__ import annotations

import re

import dockerfile
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import docker_word, lint_problems

from dockgen import languages
from dockgen.loader import load_text
from dockgen.plan import S6_STOP_SIGNALS, make_plan
from dockgen.render import Renderer
from dockgen.images import FAMILIES, IMAGE_ACCOUNTS
from dockgen.values import CAPABILITIES, RESERVED_NAMES, SIGNALS, looks_like_secret

# Every account name some base image already has (R15: refused for that image).
ACCOUNTS = frozenset().union(*(f.accounts for f in FAMILIES.values()), *IMAGE_ACCOUNTS.values())

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any one-line text: every Unicode character but surrogates, newline, carriage return, NUL.
one_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"), max_size=30)
# (a URL with a password in it is a secret, R18: refused in env)
hostile = st.one_of(one_line.filter(lambda v: not re.search(r"://[^/@\s:]*:[^/@\s]+@", v)), st.sampled_from(["$HOME", "${X}", "trail\\", 'a "b" c', "`id`", "x && rm -rf /", "\\$", "#"]))
argument = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=20)
argv = st.lists(argument, min_size=1, max_size=4)
process_argv = argv
# R12: an entrypoint's first word is one program word (not empty, no spaces inside)
program = argument.filter(lambda w: len(w.split()) == 1)
entrypoint_argv = st.tuples(program, st.lists(argument, max_size=3)).map(lambda t: [t[0], *t[1]])
upper = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"), min_size=1, max_size=8)

env_names = upper.map(lambda s: "E" + s).filter(lambda s: not looks_like_secret(s))
path_segment = st.text(st.sampled_from("abcxyz019._-@+"), min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))
abs_path = st.lists(path_segment, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))
os_name = st.sampled_from(["curl", "ca-certificates", "libpq5", "git", "tzdata", "make"])
os_package = st.tuples(os_name, st.booleans()).map(lambda t: f"{t[0]}=1.2.3-r0" if t[1] else t[0])
duration = st.sampled_from(["30s", "1m30s", "500ms", "2h", 10])

LANGUAGES = {
    "python": (["3.11", "3.12", "3.13"], lambda n, pin: f"{n}=={pin}" if pin else n),
    "node": (["20", "22"], lambda n, pin: f"{n}@{pin}" if pin else n),
    "ruby": (["3.3"], lambda n, pin: f"{n}:{pin}" if pin else n),
    "php": (["8.3"], lambda n, pin: f"vendor/{n}:^{pin}" if pin else f"vendor/{n}"),
    "go": (["1.23"], lambda n, pin: f"example.org/{n}@v{pin}"),
    "rust": (["1.91"], lambda n, pin: f"{n}@{pin}" if pin else n),
    "java": (["21"], lambda n, pin: f"{n}:{pin}" if pin else n),
}
NONE_BASES = {"alpine:3.22": "alpine", "debian:12-slim": "debian", "busybox:1.36.1": "busybox", "scratch": "scratch"}


@st.composite
def specs(draw) -> dict:
    """A valid spec as a dict, shaped so that every combination dockgen accepts can appear."""
    language = draw(st.sampled_from([*LANGUAGES, "none"]))
    spec: dict = {"name": draw(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,5})?", fullmatch=True)), "language": language}
    if language == "none":
        spec["base"] = draw(st.sampled_from(sorted(NONE_BASES)))
        family = NONE_BASES[spec["base"]]
    else:
        versions, package = LANGUAGES[language]
        spec["version"] = draw(st.sampled_from(versions))
        spec["variant"] = draw(st.sampled_from(["slim", "alpine"]))
        family = "alpine" if spec["variant"] == "alpine" else ("scratch" if languages.module(language).BINARY else "debian")
        names = draw(st.lists(st.sampled_from(["flask", "requests", "left-pad", "rake", "tools"]), unique=True, max_size=3))
        spec["packages"] = [package(n, draw(st.sampled_from([None, "1.2.3"]))) for n in names]
        spec["build_packages"] = draw(st.lists(os_package, unique_by=lambda p: p.split("=")[0], max_size=3))
        if draw(st.booleans()):
            spec["dependencies"] = []
    has_manager = family in ("debian", "alpine")
    has_shell = family != "scratch"
    if has_manager:
        spec["system_packages"] = draw(st.lists(os_package, unique_by=lambda p: p.split("=")[0], max_size=3))
    if draw(st.booleans()):
        spec["description"] = draw(hostile)
    spec["env"] = draw(st.dictionaries(env_names, hostile, max_size=4))
    spec["labels"] = draw(st.dictionaries(st.from_regex(r"[a-z][a-z0-9]{0,5}(\.[a-z0-9-]{1,6}){0,2}", fullmatch=True),
                                          hostile, max_size=3))
    spec["user"] = {
        "name": draw(st.from_regex(r"[a-z_][a-z0-9_-]{0,10}", fullmatch=True).filter(lambda n: n not in ACCOUNTS)),
        "uid": draw(st.integers(1, 2**31 - 2)),
        "gid": draw(st.integers(1, 2**31 - 2)),
    }
    spec["ports"] = draw(st.lists(st.integers(1, 65535), unique=True, max_size=3))
    spec["caps"] = draw(st.lists(st.sampled_from(CAPABILITIES), unique=True, max_size=3))
    spec["workdir"] = draw(st.one_of(st.just("/app"), abs_path))
    spec["stop_signal"] = draw(st.sampled_from(SIGNALS))
    spec["init"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["healthcheck"] = {"command": draw(argv), "interval": draw(duration), "retries": draw(st.integers(1, 10))}
    if has_shell:
        spec["secrets"] = draw(st.lists(upper.map(lambda s: "S" + s).filter(lambda s: s not in RESERVED_NAMES),
                                        unique_by=str.upper, max_size=2))
        # a writable path never covers the workdir (R13: it would hide the application)
        workdir = spec["workdir"]
        spec["writable"] = draw(st.lists(abs_path.filter(lambda p: not (workdir + "/").startswith(p.rstrip("/") + "/")),
                                         unique=True, max_size=2))
    if has_manager and has_shell and draw(st.booleans()):
        spec["processes"] = draw(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True),
                                                 st.fixed_dictionaries({"command": process_argv, "stop_signal": st.sampled_from(SIGNALS)}),
                                                 min_size=1, max_size=3))
        spec["stop_signal"] = draw(st.sampled_from(S6_STOP_SIGNALS))  # the signals that stop s6-svscan (R11)
    else:
        if not languages.module(language).BINARY:
            spec["entrypoint"] = draw(entrypoint_argv)
        elif draw(st.booleans()):  # a Go or Rust entrypoint names the binary: a path, then any arguments
            binary = draw(st.one_of(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
                                    st.from_regex(r"(/[a-z0-9_-]{1,6}){1,3}", fullmatch=True)))
            spec["entrypoint"] = [binary, *draw(st.lists(argument, max_size=2))]
        if draw(st.booleans()):
            spec["cmd"] = draw(argv)
        if "entrypoint" not in spec and "cmd" not in spec and not languages.module(language).COMPILED:
            spec["entrypoint"] = ["true"]
    return spec


def _yaml(spec: dict) -> tuple[str, dict]:
    """The spec as YAML text, and the mapping that text reads back as (PyYAML's dumper
    folds a few line-break characters such as U+0085 into spaces; the text is what counts)."""
    text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
    return text, yaml.safe_load(text)


def _render(text: str, tmp_path) -> dict[str, bytes]:
    loaded = load_text(text, "generated.yaml", tmp_path)
    files = Renderer().files(make_plan(loaded))
    return {f.name: f.content for f in files}


def _pairs(command) -> list[tuple[str, str]]:
    values = list(command.value)
    assert len(values) % 2 == 0, command.original
    return list(zip(values[::2], values[1::2]))


@SETTINGS
@given(spec=specs())
def test_render_never_crashes_and_is_deterministic(spec, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("prop")
    text, _ = _yaml(spec)
    first = _render(text, tmp_path)
    assert _render(text, tmp_path) == first
    assert {"Dockerfile", ".dockerignore", "compose.yaml"} <= set(first)
    yaml.safe_load(first["compose.yaml"])  # compose.yaml is valid YAML


@SETTINGS
@given(spec=specs())
def test_dockerfile_parses_and_values_arrive_exactly(spec, tmp_path_factory):
    source, spec = _yaml(spec)
    text = _render(source, tmp_path_factory.mktemp("prop"))["Dockerfile"].decode()
    commands = dockerfile.parse_string(text)
    final = commands[max(i for i, c in enumerate(commands) if c.cmd == "FROM"):]
    env = {name: docker_word(raw) for c in final if c.cmd == "ENV" for name, raw in _pairs(c)}
    for name, value in spec["env"].items():
        assert env[name] == (value, []), name
    labels = {name: docker_word(raw) for c in final if c.cmd == "LABEL" for name, raw in _pairs(c)}
    for name, value in spec["labels"].items():
        assert labels[name] == (value, []), name
    by_cmd = {c.cmd: c for c in final}
    if spec.get("cmd"):
        assert list(by_cmd["CMD"].value) == spec["cmd"]
    if spec.get("entrypoint"):
        assert list(by_cmd["ENTRYPOINT"].value)[-len(spec["entrypoint"]):] == spec["entrypoint"]
    if spec.get("healthcheck"):
        assert list(by_cmd["HEALTHCHECK"].value) == ["CMD", *spec["healthcheck"]["command"]]
    user = [c for c in final if c.cmd == "USER"][-1]
    assert user.value == (f"{spec['user']['uid']}:{spec['user']['gid']}",)


@SETTINGS
@given(spec=specs())
def test_hadolint_passes_at_warning_level(spec, tmp_path_factory):
    source, spec = _yaml(spec)
    text = _render(source, tmp_path_factory.mktemp("prop"))["Dockerfile"].decode()
    problems = lint_problems(text, spec)
    assert problems == [], "\n".join(f"{p['line']}: {p['code']} {p['message']}" for p in problems) + "\n" + text
