"""Shared test helpers (import them: ``from support import ...``): where the specs are, how to call dockgen and the external checkers.

Every checker (hadolint, shellcheck, docker-compose) is a dev dependency
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
SHARED = ROOT.parent / "shared"  # extra test input when present (CI has it), never required
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


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create ``files`` ({relative path: text}) under ``root``, with their directories; returns ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def render(spec: Path, out: Path, *extra: str) -> dict[str, Path]:
    """Render ``spec`` into ``out`` with the CLI; returns the written files by name."""
    result = dockgen("render", spec, "-o", out, *extra)
    assert result.returncode == 0, result.stderr
    return {p.name: p for p in out.iterdir()}


# --- shared by the lint, rule, injection and property tests (issue 2) ------------------

# Which package kind each unpinned-package rule of hadolint is about.
UNPINNED_KIND = {"DL3008": "os", "DL3018": "os", "DL3013": "language", "DL3016": "language", "DL3028": "language"}
# How each language's package manager spells a pinned version (hadolint DL3013/DL3016/DL3028).
LANGUAGE_PINNED = {
    "python": lambda p: "==" in p,
    "node": lambda p: "@" in p[1:],
    "ruby": lambda p: ":" in p,
}


def unpinned_packages(spec: dict) -> dict[str, set[str]]:
    """The packages a spec (a YAML mapping) leaves without a version, by kind ("os", "language").

    OS packages are pinned with ``name=version`` (apt and apk); language packages as
    ``LANGUAGE_PINNED`` says (languages hadolint does not check count as pinned).
    """
    os_packages = [*spec.get("system_packages", []), *spec.get("build_packages", [])]
    pinned = LANGUAGE_PINNED.get(spec.get("language"), lambda p: True)
    return {
        "os": {p for p in os_packages if "=" not in p},
        "language": {p for p in spec.get("packages", []) if not pinned(p)},
    }


def shell_commands(text: str) -> list[list[str]]:
    """Split a shell-form RUN text into its ``&&``-joined commands, each a list of words.

    Uses POSIX shell quoting (shlex); fails the test when any other shell operator
    (``;``, ``|``, ``>``, ...) appears outside quotes, since dockgen only joins with ``&&``.
    """
    import shlex

    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token == "&&":
            commands.append([])
        elif token and set(token) <= set("();<>|&"):
            pytest.fail(f"unexpected shell operator {token!r} in RUN: {text}")
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def split_stages(commands) -> list[list]:
    """The parsed Dockerfile instructions (``dockerfile.Command``) grouped by stage (FROM starts one)."""
    stages: list[list] = []
    for command in commands:
        if command.cmd == "FROM":
            stages.append([])
        assert stages, f"instruction before the first FROM: {command.original}"
        stages[-1].append(command)
    return stages


def hadolint(text: str) -> list[dict]:
    """hadolint's findings at warning level or above for a Dockerfile given as text (read on stdin)."""
    import json

    result = subprocess.run([tool("hadolint"), "--no-color", "-f", "json", "-t", "warning", "-"], input=text,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1), result.stderr
    return [f for f in json.loads(result.stdout or "[]") if f["level"] in ("error", "warning")]


def lint_problems(text: str, spec: dict) -> list[dict]:
    """hadolint findings (warning and above) that the spec does not excuse.

    An unpinned-package finding (DL3008, DL3013, DL3016, DL3018, DL3028) is excused only
    when the RUN it points at installs a package that this spec itself leaves unpinned,
    of the kind the rule is about (RULES.md, "External checks").
    """
    import dockerfile

    runs = {c.start_line: c for c in dockerfile.parse_string(text) if c.cmd == "RUN"}
    unpinned = unpinned_packages(spec)
    problems = []
    for finding in hadolint(text):
        kind = UNPINNED_KIND.get(finding["code"])
        run = runs.get(finding["line"])
        if kind and run is not None:
            words = {w for command in shell_commands(" ".join(run.value)) for w in command}
            if words & unpinned[kind]:
                continue
        problems.append(finding)
    return problems


def docker_word(word: str) -> tuple[str, list[str]]:
    """Decode one Dockerfile word (an ENV/LABEL/ARG value) the way BuildKit's shell lexer does.

    Docker's documented rules (Dockerfile reference, "Environment replacement" and ENV):
    outside quotes a backslash escapes any character; inside '...' nothing is special;
    inside "..." a backslash escapes only ``"``, ``$`` and ``\\`` and is kept before any
    other character; an unescaped ``$NAME`` or ``${NAME...}`` outside single quotes is a
    variable reference. Returns (the literal text, the names of the variables referenced);
    raises ValueError on an unterminated quote or a word break (unquoted whitespace).
    """
    out: list[str] = []
    variables: list[str] = []
    i, n = 0, len(word)

    def variable(i: int) -> int:
        # word[i] == "$"; returns the index after the reference (or after a literal $).
        if i + 1 < n and word[i + 1] == "{":
            end = word.find("}", i + 2)
            if end < 0:
                raise ValueError(f"unterminated ${{ in {word!r}")
            variables.append(word[i + 2:end].split(":")[0])
            return end + 1
        j = i + 1
        while j < n and (word[j].isalnum() or word[j] == "_"):
            j += 1
        if j == i + 1:
            out.append("$")
        else:
            variables.append(word[i + 1:j])
        return j

    while i < n:
        c = word[i]
        if c == "\\":
            if i + 1 < n:
                out.append(word[i + 1])
            i += 2
        elif c == "'":
            end = word.find("'", i + 1)
            if end < 0:
                raise ValueError(f"unterminated single quote in {word!r}")
            out.append(word[i + 1:end])
            i = end + 1
        elif c == '"':
            i += 1
            while True:
                if i >= n:
                    raise ValueError(f"unterminated double quote in {word!r}")
                c = word[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\" and i + 1 < n and word[i + 1] in '"$\\':
                    out.append(word[i + 1])
                    i += 2
                elif c == "$":
                    i = variable(i)
                else:
                    out.append(c)
                    i += 1
        elif c == "$":
            i = variable(i)
        elif c in " \t\n":
            raise ValueError(f"unquoted whitespace splits the word {word!r}")
        else:
            out.append(c)
            i += 1
    return "".join(out), variables
