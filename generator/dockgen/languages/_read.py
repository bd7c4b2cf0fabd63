"""What the language detectors share: the readers of project files and the types they report.

Used by ``dockgen init`` only (each language's ``detect`` hook imports it when it runs), so
``dockgen render`` never loads it. Readers read at most :data:`MAX_BYTES` of a file, never
follow the walk into environments or tests, and return None instead of raising.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {".git", ".hg", ".venv", "venv", "env", "node_modules", "vendor", "__pycache__", ".tox", ".nox",
             "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", "tests", "test", "docs", ".github"}
MAX_FILES = 400  # source files scanned for an app object or a port, at most
MAX_BYTES = 256 * 1024  # read at most this much of one file


@dataclass(frozen=True)
class Guess:
    """A guessed value and where it came from.

    Attributes:
        value: the value as it goes into the spec (str, int, tuple of str, dict).
        source: one line saying which file/key it was read from, e.g. ``.nvmrc: v20.11.0``.
    """

    value: object
    source: str


@dataclass(frozen=True)
class Command:
    """A candidate start command: argv, where it was found, and the port it binds (or None)."""

    argv: tuple[str, ...]
    source: str
    port: Guess | None = None
    needs: str | None = None  # a package the command needs that the manifests do not list
    binds: int | None = None  # the port dockgen's own command line binds ("{port}" in argv)
    expands: str | None = None  # the shell expansion "{port}" stands for (a Procfile's ${PORT:-8000})

    def with_port(self, port: int) -> tuple[str, ...]:
        """``argv`` with ``{port}`` replaced by ``port``."""
        return tuple(word.replace("{port}", str(port)) for word in self.argv)


@dataclass
class Found:
    """What one language's ``detect`` hook found in a project (None: not found).

    Attributes:
        name, version, dependencies (tuple of file names): guesses or None.
        package_manager: the manager's name when it is not the language's fallback (npm,
            pip), or None.
        candidates: start commands, best first.
        base, copy, workdir, env, writable: extra fields some projects need, or None.
        build, artifacts, static: a framework's build step (issue 11): its commands, what
            the final image takes from the builder, a static server; or None.
        system_packages, build_packages, config, processes, volumes: what a framework
            needs besides (Rails' native gems, PHP's nginx under s6), or None.
        files: files init writes beside the spec when the project lacks them, as
            (path relative to the project, template under ``templates/init/files/``) pairs
            (the nginx configuration ``config`` names).
        user: the account to run as when the image brings its own (.NET's ``app``), or None.
    """

    name: Guess | None = None
    version: Guess | None = None
    dependencies: Guess | None = None
    package_manager: Guess | None = None
    candidates: list[Command] = field(default_factory=list)
    base: Guess | None = None
    copy: Guess | None = None
    workdir: Guess | None = None
    env: Guess | None = None
    writable: Guess | None = None
    build: Guess | None = None
    artifacts: Guess | None = None
    static: Guess | None = None
    system_packages: Guess | None = None
    build_packages: Guess | None = None
    config: Guess | None = None
    processes: Guess | None = None
    volumes: Guess | None = None
    files: tuple[tuple[str, str], ...] = ()
    user: Guess | None = None


def read(path: Path) -> str | None:
    """The text of ``path`` (at most MAX_BYTES, invalid UTF-8 replaced), or None if unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def first_line(path: Path) -> str | None:
    """The first line of ``path`` that is not empty once a ``#`` comment is cut off, or None."""
    text = read(path)
    if text is None:
        return None
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            return line
    return None


def json_object(path: Path) -> dict | None:
    """``path`` parsed as a JSON object, or None (missing, not JSON, not an object)."""
    text = read(path)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def toml(path: Path) -> dict | None:
    """``path`` parsed as TOML (tomllib, or tomli on Python 3.10), or None."""
    text = read(path)
    if text is None:
        return None
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return None
    try:
        return tomllib.loads(text)
    except ValueError:
        return None


def mapping(data: dict, key: str) -> dict:
    """``data[key]`` when it is a mapping, else ``{}``."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def one_line(text: str, limit: int = 70) -> str:
    """``text`` on one line, cut to ``limit`` characters with ``...``."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def sources(root: Path, suffix: str) -> list[Path]:
    """Source files with ``suffix`` under ``root``, skipping environments and tests; sorted, capped."""
    found: list[Path] = []

    def walk(directory: Path, depth: int) -> None:
        try:
            entries = sorted(directory.iterdir(), key=lambda p: p.name)
        except OSError:
            return
        for entry in entries:
            if len(found) >= MAX_FILES:
                return
            if entry.is_dir() and not entry.is_symlink():
                if depth < 4 and entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                    walk(entry, depth + 1)
            elif entry.suffix == suffix and entry.is_file():
                found.append(entry)

    walk(root, 0)
    return found


def rel(root: Path, path: Path) -> str:
    """``path`` relative to ``root``, with ``/``."""
    return path.relative_to(root).as_posix()


def existing(root: Path, names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of ``names`` that are files in ``root``, in the given order."""
    return tuple(name for name in names if (root / name).is_file())


_PORT_PATTERNS = (
    re.compile(r"\.listen\(\s*(\d{2,5})\b"),
    re.compile(r"\bPORT\b['\"]?\s*(?:\]|\))?\s*(?:\|\||\?\?|or|,)\s*['\"]?(\d{2,5})\b"),
    re.compile(r"\bport\s*(?::=|=|:)\s*[\"']?:?(\d{2,5})\b", re.I),
    re.compile(r"set\s+:port,\s*(\d{2,5})"),
    re.compile(r"ListenAndServe(?:TLS)?\(\s*\"[^\"]*:(\d{2,5})\""),
    re.compile(r"\"(?:0\.0\.0\.0)?:(\d{2,5})\""),
)


def port_in(root: Path, path: Path) -> Guess | None:
    """The port a source file listens on (``listen(8080)``, ``PORT || 3000``, ...), with its line."""
    text = read(path)
    if not text:
        return None
    for pattern in _PORT_PATTERNS:
        match = pattern.search(text)
        if match and 0 < int(match.group(1)) < 65536:
            line = text.count("\n", 0, match.start()) + 1
            code = text.splitlines()[line - 1].strip()
            return Guess(int(match.group(1)), f"{rel(root, path)}:{line}: {one_line(code, 60)}")
    return None


# --- versions --------------------------------------------------------------------------


def _vtuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def short(version: str, parts: int) -> str:
    """The first ``parts`` numbers of ``version``, dot-joined (``3.12.4`` → ``3.12``)."""
    numbers = re.findall(r"\d+", version)
    return ".".join(numbers[:parts])


def satisfies(version: str, spec: str, minor_tilde: bool = False) -> bool:
    """True when ``version`` (e.g. ``3.12``) satisfies a version range in PEP 440, npm, Poetry or Composer syntax.

    Supports ``>= > <= < == = != ~= ~> ^ ~``, ``x``/``*`` wildcards, ``,``/space (and) and ``||`` (or).
    ``^X.Y`` is ``>=X.Y,<X+1`` (npm, Poetry, Composer). A bare ``~X.Y`` is Composer's
    ``>=X.Y,<X+1`` unless ``minor_tilde``: then it is npm's and Poetry's ``>=X.Y,<X.Y+1``
    (``~3.12`` allows 3.12 only). Unknown syntax satisfies nothing.
    """
    v = _vtuple(version)
    for alternative in spec.split("||"):
        alternative = re.sub(r"([<>=!~^]+)\s+", r"\1", alternative)  # "~> 3.3" is one clause
        clauses = [c for c in re.split(r"[,\s]+(?=[<>=!~^\d])", alternative.strip()) if c.strip()]
        if clauses and all(_clause(v, c.replace(" ", ""), minor_tilde) for c in clauses):
            return True
    return False


def _clause(v: tuple[int, ...], clause: str, minor_tilde: bool = False) -> bool:
    match = re.fullmatch(r"(>=|<=|==|!=|~=|~>|>|<|=|\^|~)?v?(\d+(?:\.(?:\d+|x|\*))*)(?:\.\*)?", clause)
    if not match:
        return False
    op, text = match.group(1) or "==", match.group(2)
    if "x" in text or "*" in text:
        text, op = text.split(".x")[0].split(".*")[0], "prefix"
    want = _vtuple(text)
    mine = v[: len(want)] + (0,) * max(0, len(want) - len(v))
    if op in ("==", "=", "prefix"):
        return v[: len(want)] == want if len(v) >= len(want) or op == "prefix" else mine == want
    if op == "!=":
        return v[: len(want)] != want
    if op == ">=":
        return mine >= want
    if op == ">":
        return mine > want
    if op == "<=":
        return mine <= want
    if op == "<":
        return mine < want
    if op == "^":  # npm/Composer caret: same major (same minor when major is 0)
        return v[:1] == want[:1] and mine >= want
    if op == "~" and minor_tilde:  # npm, Poetry: ~3.12 and ~3.12.1 stay on 3.12, ~3 on 3
        head = want[:2]
        return v[: len(head)] == head and mine >= want
    if op in ("~", "~=", "~>"):  # tilde (and RubyGems' pessimistic ~>): same prefix but the last given part
        head = want[:-1] if len(want) > 1 else want
        return v[: len(head)] == head and mine >= want
    return False


def first(*guesses: Guess | None) -> Guess | None:
    """The first of ``guesses`` that is not None (callers list a language's version sources in order)."""
    return next((g for g in guesses if g is not None), None)


def tool_versions(root: Path, tools: tuple[str, ...], parts: int = 2) -> Guess | None:
    """The version asdf's (or mise's) ``.tool-versions`` gives one of ``tools`` (``nodejs 20.11.0``), cut to ``parts``."""
    text = read(root / ".tool-versions") or ""
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0] in tools and re.match(r"v?\d+", words[1]):
            return Guess(short(words[1], parts), f".tool-versions:{number}: {words[0]} {words[1]}")
    return None


def dockerfile_from(root: Path, images: tuple[str, ...], parts: int = 2) -> Guess | None:
    """The version in the tag of the project's own Dockerfile's first ``FROM`` of one of ``images``
    (``FROM python:3.12-slim`` gives 3.12): the project's own build says it, so it beats a range."""
    text = read(root / "Dockerfile") or ""
    pattern = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?:[\w.:-]+/)?(?:library/)?([\w.-]+):v?(\d+(?:\.\d+)*)", re.I | re.M)
    for match in pattern.finditer(text):
        if match.group(1) in images:
            line = text.count("\n", 0, match.start()) + 1
            return Guess(short(match.group(2), parts), f"Dockerfile:{line}: {one_line(match.group(0), 50)}")
    return None


def range_guess(known: tuple[str, ...], spec: str, where: str, parts: int = 2, minor_tilde: bool = False) -> Guess | None:
    """The version a project's range asks for: an exact version cut to ``parts`` numbers, or
    the newest of ``known`` (newest first) that satisfies the range (:func:`satisfies`, whose
    ``minor_tilde`` reads a bare ``~`` the npm/Poetry way); None if none does.
    ``>=3.9,<3.11`` with known 3.14 ... 3.10 gives 3.10."""
    spec = spec.strip()
    exact = re.fullmatch(r"(?:==|=)?v?(\d+(?:\.\d+){0,2})", spec)
    if exact:
        return Guess(short(exact.group(1), parts), f"{where}: {spec}")
    chosen = next((k for k in known if satisfies(k, spec, minor_tilde)), None)
    if chosen is None:
        return None
    return Guess(chosen, f"{where}: {spec} (newest release that satisfies it)")


# --- health routes ---------------------------------------------------------------------

# The last path part of a health route, best first (Rails 7.1's default is /up).
HEALTH_NAMES = ("health", "healthz", "livez", "readyz", "ping", "status", "up")


def health_route(root: Path, routes: tuple[tuple, ...]) -> Guess | None:
    """The app's own health route, from a language's ``HEALTH_ROUTES`` table, as a Guess of
    the path (``/healthz``) whose source is the file and line that declares it; None if none.

    Each entry is ``(files, pattern)`` or ``(files, pattern, path)``: ``files`` a tuple of
    suffixes (``.py``: the project's sources, as :func:`sources` walks them, within
    :data:`MAX_FILES` and :data:`MAX_BYTES`) or globs relative to ``root``
    (``config/routes.rb``); ``pattern`` a regular expression (multi-line) whose group
    ``path`` is a declared route, or, with ``path`` given, whose match means that path
    (a dependency: Spring Boot Actuator answers ``/actuator/health``). A route counts
    when its last part is one of :data:`HEALTH_NAMES` and it has no parameter; the best
    name wins, then the first found (entries in order, files in order).
    """
    best: tuple[int, Guess] | None = None
    walked: dict[str, list[Path]] = {}
    texts: dict[Path, str] = {}  # each file read once, for the routes and the prefix
    for files, pattern, *fixed in routes:
        for suffix in (f for f in files if f.startswith(".") and f not in walked):
            walked[suffix] = sources(root, suffix)
        for path in [p for f in files for p in (walked[f] if f.startswith(".") else sorted(root.glob(f)))]:
            text = texts.setdefault(path, read(path) or "")
            for match in re.finditer(pattern, text, re.M):
                if _commented(text, match.start()):
                    continue
                route = fixed[0] if fixed else "/" + match.group("path").strip().lstrip("/")
                rank = _health_rank(route)
                if rank is not None and (best is None or rank < best[0]):
                    line = text.count("\n", 0, match.start() if fixed else match.start("path")) + 1
                    code = match.group(0) if fixed else text.splitlines()[line - 1].strip()
                    best = (rank, Guess(route, f"{rel(root, path)}:{line}: {one_line(code, 60)}"))
    if best is None:
        return None
    prefix = _route_prefix(root, {p: texts.setdefault(p, read(p) or "") for found in walked.values() for p in found})
    route = best[1]
    return Guess(route.value, f"{route.source}; but {prefix} mounts routes under a prefix: check the full path") \
        if prefix else route


# A comment line's start: a route in it is not declared (`#[...]` is an attribute: Rust, PHP).
_COMMENT = re.compile(r"\s*(?://|/\*|\*|#(?!\[))")
# Routes mounted under a prefix: FastAPI/Flask `prefix=`/`url_prefix=`, Express `use("/v1", ...)`,
# gin `Group("/api")`, chi `Route`/`Mount`, Spring's class-level `@RequestMapping("/api")`,
# Laravel `Route::prefix`, Rails `scope "/api"` and `namespace :api`.
_PREFIX = re.compile(r"""\b(?:url_)?prefix\s*=\s*f?["']/|\.use\(\s*["'`]/[^"'`]|\.(?:Group|Route|Mount)\(\s*["'`]/[^"'`]"""
                     r"""|@RequestMapping\(\s*(?:value\s*=\s*|path\s*=\s*)?["']/[^"']|Route::prefix\(|^\s*scope\s+["']/|^\s*namespace\s+:""",
                     re.M)


def _commented(text: str, position: int) -> bool:
    """Whether ``position`` in ``text`` lies on a line that starts as a comment."""
    return bool(_COMMENT.match(text, text.rfind("\n", 0, position) + 1))


def _route_prefix(root: Path, texts: dict[Path, str]) -> str | None:
    """``file:line`` of the first place in ``texts`` ({path: text}) that mounts routes under a prefix, or None."""
    for path, text in texts.items():
        for match in _PREFIX.finditer(text):
            if not _commented(text, match.start()):
                line = text.count("\n", 0, match.start()) + 1
                return f"{rel(root, path)}:{line}"
    return None


def _health_rank(route: str) -> int | None:
    """The index in :data:`HEALTH_NAMES` of ``route``'s last part; None for another route or one with a parameter."""
    if re.search(r"[:{}<>*()\s?$^\\]", route):
        return None
    last = route.rstrip("/").rsplit("/", 1)[-1].lower()
    return HEALTH_NAMES.index(last) if last in HEALTH_NAMES else None
