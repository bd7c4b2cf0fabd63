"""R03 (few layers) and R05 (the right base image), checked on the rendered Dockerfiles.

Each example (and each shared case, when ../shared is there) is rendered with the CLI and
its Dockerfile parsed with the BuildKit parser (``dockerfile`` package); the layout of a RUN
(its ``\\`` continuations, one command or one package a line) is read from the lines the
parser says the instruction spans.
"""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest
import yaml

from dockgen import languages
from support import ALL_SPECS, render, shell_commands, spec_id, split_stages

# R05: each language's official image on Docker Hub.
OFFICIAL = {"python": "python", "node": "node", "ruby": "ruby", "php": "php", "go": "golang", "rust": "rust",
            "java": "eclipse-temurin"}
# Builders other than the language's official image: the official images that carry the build tool.
BUILDERS = {"java": ("eclipse-temurin", "maven", "gradle")}
# Runtime packages a distribution image would need to stand in for an official one (R05).
RUNTIMES = ("python", "nodejs", "npm", "ruby", "php", "golang")
INSTALLS = (("apt-get", "install"), ("apk", "add"))


class Built:
    """A spec, its rendered Dockerfile's lines and its instructions grouped by stage."""

    def __init__(self, spec: Path, out: Path):
        self.spec = yaml.safe_load(spec.read_text())
        text = render(spec, out)["Dockerfile"].read_text()
        self.lines = text.split("\n")
        self.stages = split_stages(dockerfile.parse_string(text))

    def raw(self, command) -> list[str]:
        """The Dockerfile lines an instruction spans, as written."""
        return self.lines[command.start_line - 1:command.end_line]


@pytest.fixture(scope="module", params=ALL_SPECS, ids=[spec_id(p) for p in ALL_SPECS])
def built(request, tmp_path_factory) -> Built:
    return Built(request.param, tmp_path_factory.mktemp("out"))


def repository(image: str) -> str:
    """``python:3.12-slim@sha256:...`` -> ``python``; ``docker.io/library/node:22`` -> ``node``."""
    name = image.split("@")[0].rsplit("/", 1)[-1]
    return name.split(":")[0]


def stage_name(stage) -> str | None:
    values = list(stage[0].value)
    return values[-1] if len(values) == 3 and values[1].upper() == "AS" else None


def run_layout(lines: list[str]) -> list[tuple[str, list[str]]]:
    """A RUN's lines as (command line, the package lines that follow it) pairs.

    Fails the test unless every line but the last ends in `` \\``, each command after the
    first starts a line with ``&&``, and each other line is one word of an install's list.
    """
    body = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        assert last or line.endswith(" \\"), f"R03: a RUN continues each line with \\: {line!r}"
        body.append(line.removesuffix(" \\").strip())
    first = body[0].removeprefix("RUN").strip()
    while first.startswith("--"):  # RUN flags (--mount=...) may stand alone on the first line
        flag, _, first = first.partition(" ")
        first = first.strip()
    pairs: list[tuple[str, list[str]]] = [(first, [])] if first else []
    for line in body[1:]:
        if line.startswith("&& "):
            pairs.append((line.removeprefix("&& "), []))
        elif not pairs:
            pairs.append((line, []))
        else:
            words = shell_commands(pairs[-1][0])[0]
            assert tuple(words[:2]) in INSTALLS and len(line.split()) == 1, (
                f"R03: one command a line, each after the first starting with &&: {line!r} in {lines}")
            pairs[-1][1].append(line)
    for line, _ in pairs:
        assert len(shell_commands(line)) == 1, f"R03: one command a line: {line!r}"
    return pairs


def test_r03_related_commands_share_one_run_joined_with_and(built):
    for stage in built.stages:
        runs = [c for c in stage if c.cmd == "RUN"]
        system = [c for c in runs if {tuple(w[:2]) for w in shell_commands(" ".join(c.value))} & set(INSTALLS)]
        assert len(system) <= 1, f"R03: the OS packages of a stage are installed in one RUN: {[c.original for c in system]}"
        # Each of the spec's build lines is its own RUN in shell form (issue 11), in the builder,
        # whose layers never reach the final image; any other two RUNs in a row could be one.
        lines = set((built.spec or {}).get("build", []))
        kinds = ["BUILD" if c.cmd == "RUN" and " ".join(c.value).split(" && ")[-1] in lines else c.cmd for c in stage]
        assert not any(a == b == "RUN" for a, b in zip(kinds, kinds[1:])), \
            f"R03: two RUNs in a row could be one: {[c.original for c in runs]}"
        for command in runs:
            pairs = run_layout(built.raw(command))
            joined = shell_commands(" ".join(command.value))
            assert len(pairs) == len(joined), f"R03: commands are joined with && only: {command.original}"


def test_r03_one_package_per_line_sorted(built):
    checked = 0
    for stage in built.stages:
        for command in (c for c in stage if c.cmd == "RUN"):
            for line, packages in run_layout(built.raw(command)):
                words = shell_commands(line)[0]
                if tuple(words[:2]) not in INSTALLS:
                    continue
                checked += 1
                inline = [w for w in words[2:] if not w.startswith("-")]
                assert not inline and packages, f"R03: packages follow the install, one a line: {command.original}"
                assert packages == sorted(packages), f"R03: packages sorted: {packages}"
                assert len(set(packages)) == len(packages), f"R03: each package once: {packages}"
    if built.spec.get("system_packages") or built.spec.get("build_packages"):
        assert checked, "the spec's OS packages are installed"


def test_r05_each_language_starts_from_its_official_image(built):
    language = built.spec["language"]
    named = {stage_name(s): repository(s[0].value[0]) for s in built.stages}
    final = repository(built.stages[-1][0].value[0])
    if language in OFFICIAL:
        if "builder" in named:
            wanted = BUILDERS.get(language, (OFFICIAL[language],))
            assert named["builder"] in wanted, f"R05: the builder starts from one of {wanted}"
        if "static" in built.spec:  # issue 11: the official nginx image serves the built files
            assert final == "nginx", f"R05: a static site's final stage starts from nginx, not {final}"
        elif not languages.module(language).BINARY and "base" not in built.spec:
            assert final == OFFICIAL[language], f"R05: the final stage starts from {OFFICIAL[language]}, not {final}"
    if languages.module(language).BINARY and "base" not in built.spec:  # the binary alone
        assert final in ("scratch", "distroless", "static-debian12", "alpine", "busybox"), final
    if "base" in built.spec:
        assert final == repository(built.spec["base"]), "the spec's own base image is the final stage's"


def test_r05_no_distribution_image_installs_a_language_runtime(built):
    for stage in built.stages:
        for command in (c for c in stage if c.cmd == "RUN"):
            for words in shell_commands(" ".join(command.value)):
                if tuple(words[:2]) in INSTALLS:
                    packages = [w.split("=")[0] for w in words[2:] if not w.startswith("-")]
                    runtimes = [p for p in packages if p.startswith(RUNTIMES)]
                    assert not runtimes, f"R05: {runtimes} installed instead of starting from an official image"
