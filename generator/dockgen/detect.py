"""Look at a project tree and guess its spec, each guess with where it came from (R20).

``dockgen init`` calls :func:`detect`; it reads files, never runs anything and never
writes. Every :class:`Guess` carries ``source``, a short text saying which file (and
which line or key) it was read from, which ``init`` writes as a YAML comment next to the
value. What cannot be guessed is ``None``: ``init`` then writes a commented placeholder,
never a silent wrong value.

Sources, by language (the files their own tools read):

- python: ``.python-version``, ``runtime.txt``, ``pyproject.toml`` ``requires-python``;
  ``requirements.txt``; ``Procfile``, ``[project.scripts]``, a WSGI/ASGI app object
  (Flask, FastAPI, Django's ``get_wsgi_application()`` ...), a ``__main__`` block.
- node: ``.nvmrc``, ``.node-version``, ``package.json`` ``engines.node``; ``package.json``
  + ``package-lock.json``/``npm-shrinkwrap.json``; ``scripts.start``, ``main``,
  ``server.js``/``index.js``/``app.js``.
- ruby: ``.ruby-version``, the Gemfile's ``ruby`` line; ``Gemfile`` + ``Gemfile.lock``;
  Rails' ``bin/rails``, ``config.ru`` (puma or rackup), ``app.rb``.
- php: ``composer.json`` ``require.php``; ``composer.json`` + ``composer.lock``;
  ``public/index.php`` or ``index.php`` (php-fpm), else a single script.
- go: ``go.mod``'s ``go`` line; ``go.mod`` + ``go.sum``; ``main.go``.
- none: an ``index.html`` (static site served by BusyBox httpd).

Ports come from a ``Procfile``, an existing Dockerfile's ``EXPOSE``, a ``listen(...)`` /
``ListenAndServe`` / ``set :port`` / ``PORT`` default in the start file, or from the
start command dockgen chose itself (gunicorn on 8000, ...).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

# Versions dockgen knows to have official images, newest first. A version range in a
# project file picks the newest of these that satisfies it; "default" is used (and said
# so) when the project states none.
KNOWN_VERSIONS = {
    "python": ("3.13", "3.12", "3.11", "3.10", "3.9"),
    "node": ("24", "22", "20", "18"),
    "ruby": ("3.4", "3.3", "3.2", "3.1"),
    "php": ("8.4", "8.3", "8.2", "8.1"),
    "go": ("1.25", "1.24", "1.23", "1.22"),
}
DEFAULT_VERSIONS = {"python": "3.12", "node": "22", "ruby": "3.3", "php": "8.3", "go": "1.24"}
STATIC_BASE = "busybox:1.36.1"  # R05, R06: pinned; the same base as specs/static-docs
NODE_LTS = {"argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12", "fermium": "14",
            "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24"}

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

    def with_port(self, port: int) -> tuple[str, ...]:
        """``argv`` with ``{port}`` replaced by ``port``."""
        return tuple(word.replace("{port}", str(port)) for word in self.argv)


@dataclass(frozen=True)
class Detection:
    """Everything :func:`detect` found in a directory (None: not found).

    Attributes:
        directory: the project directory that was read.
        language: ``python``/``node``/``ruby``/``php``/``go``/``none`` with its evidence.
        other_languages: other languages with evidence, (language, evidence) pairs.
        name, version, dependencies (tuple of file names), port: guesses or None.
        command: the chosen start command, or None; alternatives: the other candidates.
        base, copy, workdir, env, writable: extra fields some projects need, or None.
        notes: things the user should check (written as comments and printed as warnings).
    """

    directory: Path
    language: Guess | None
    other_languages: tuple[tuple[str, str], ...] = ()
    name: Guess | None = None
    version: Guess | None = None
    dependencies: Guess | None = None
    port: Guess | None = None
    command: Command | None = None
    alternatives: tuple[Command, ...] = ()
    base: Guess | None = None
    copy: Guess | None = None
    workdir: Guess | None = None
    env: Guess | None = None
    writable: Guess | None = None
    notes: tuple[str, ...] = field(default=())


# --- small readers ---------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def _first_line(path: Path) -> str | None:
    text = _read(path)
    if text is None:
        return None
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            return line
    return None


def _json(path: Path) -> dict | None:
    text = _read(path)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _toml(path: Path) -> dict | None:
    text = _read(path)
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


def _one_line(text: str, limit: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _sources(root: Path, suffix: str) -> list[Path]:
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


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


# --- versions --------------------------------------------------------------------------


def _vtuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _short(version: str, parts: int) -> str:
    numbers = re.findall(r"\d+", version)
    return ".".join(numbers[:parts])


def _satisfies(version: str, spec: str) -> bool:
    """True when ``version`` (e.g. ``3.12``) satisfies a version range in PEP 440, npm or Composer syntax.

    Supports ``>= > <= < == = != ~= ^ ~``, ``x``/``*`` wildcards, ``,``/space (and) and ``||`` (or).
    Unknown syntax satisfies nothing.
    """
    v = _vtuple(version)
    for alternative in spec.split("||"):
        clauses = [c for c in re.split(r"[,\s]+(?=[<>=!~^\d])", alternative.strip()) if c.strip()]
        if clauses and all(_clause(v, c.replace(" ", "")) for c in clauses):
            return True
    return False


def _clause(v: tuple[int, ...], clause: str) -> bool:
    match = re.fullmatch(r"(>=|<=|==|!=|~=|>|<|=|\^|~)?v?(\d+(?:\.(?:\d+|x|\*))*)(?:\.\*)?", clause)
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
    if op in ("~", "~="):  # tilde: same prefix but the last given part
        head = want[:-1] if len(want) > 1 else want
        return v[: len(head)] == head and mine >= want
    return False


def _newest_satisfying(language: str, spec: str) -> str | None:
    return next((k for k in KNOWN_VERSIONS[language] if _satisfies(k, spec)), None)


def _range_guess(language: str, spec: str, where: str) -> Guess | None:
    spec = spec.strip()
    exact = re.fullmatch(r"(?:==|=)?v?(\d+(?:\.\d+){0,2})", spec)
    if exact:
        parts = 1 if language == "node" else 2
        return Guess(_short(exact.group(1), parts), f"{where}: {spec}")
    chosen = _newest_satisfying(language, spec)
    if chosen is None:
        return None
    return Guess(chosen, f"{where}: {spec} (newest release that satisfies it)")


# --- per-language detectors -------------------------------------------------------------

_PY_WSGI = re.compile(r"^(?P<var>[A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:[\w.]+\.)?(?P<cls>Flask|Bottle|falcon\.App|falcon\.API|get_wsgi_application|make_app|create_app)\s*\(", re.M)
_PY_ASGI = re.compile(r"^(?P<var>[A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:[\w.]+\.)?(?P<cls>FastAPI|Starlette|Quart|Litestar|Sanic|get_asgi_application)\s*\(", re.M)
_MAIN_BLOCK = re.compile(r"^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:", re.M)
_PORT_PATTERNS = (
    re.compile(r"\.listen\(\s*(\d{2,5})\b"),
    re.compile(r"\bPORT\b['\"]?\s*(?:\]|\))?\s*(?:\|\||\?\?|or|,)\s*['\"]?(\d{2,5})\b"),
    re.compile(r"\bport\s*(?::=|=|:)\s*[\"']?:?(\d{2,5})\b", re.I),
    re.compile(r"set\s+:port,\s*(\d{2,5})"),
    re.compile(r"ListenAndServe(?:TLS)?\(\s*\"[^\"]*:(\d{2,5})\""),
    re.compile(r"\"(?:0\.0\.0\.0)?:(\d{2,5})\""),
)


def _port_in(root: Path, path: Path) -> Guess | None:
    text = _read(path)
    if not text:
        return None
    for pattern in _PORT_PATTERNS:
        match = pattern.search(text)
        if match and 0 < int(match.group(1)) < 65536:
            line = text.count("\n", 0, match.start()) + 1
            code = text.splitlines()[line - 1].strip()
            return Guess(int(match.group(1)), f"{_rel(root, path)}:{line}: {_one_line(code, 60)}")
    return None


def _procfile(root: Path) -> Command | None:
    text = _read(root / "Procfile")
    if not text:
        return None
    for line in text.splitlines():
        match = re.match(r"\s*web\s*:\s*(.+)", line)
        if not match:
            continue
        original = command = match.group(1).strip()
        port_match = re.search(r"\$\{?PORT(?::-(\d+))?\}?", command)
        binds = None
        if port_match:
            binds = int(port_match.group(1) or 8000)
            command = command.replace(port_match.group(0), "{port}")
        explicit = re.search(r"(?:--port[ =]|-p\s|--bind[ =]|-b\s)\s*(?:[\w.]*:)?(\d{2,5})\b|:(\d{2,5})\b", command)
        port = None
        if port_match and port_match.group(1):
            port = Guess(int(port_match.group(1)), f"Procfile: {_one_line(port_match.group(0), 50)}")
        elif explicit:
            port = Guess(int(explicit.group(1) or explicit.group(2)), f"Procfile: {_one_line(explicit.group(0), 50)}")
        try:
            words = shlex.split(command)
        except ValueError:
            return None
        if any(c in command for c in ";&|<>`$") or not words:
            return None
        return Command(tuple(words), f"Procfile: web: {_one_line(original, 50)}", port, binds=binds)
    return None


def _requirements(root: Path) -> str:
    parts = []
    for name in ("requirements.txt", "pyproject.toml", "Pipfile", "Gemfile", "package.json", "composer.json"):
        text = _read(root / name)
        if text:
            parts.append(text.lower())
    return "\n".join(parts)


def _python(root: Path, notes: list[str]) -> dict:
    found: dict = {}
    pyproject = _toml(root / "pyproject.toml") or {}
    project = pyproject.get("project") if isinstance(pyproject.get("project"), dict) else {}
    if isinstance(project.get("name"), str):
        found["name"] = Guess(project["name"], "pyproject.toml: [project] name")
    # version
    for filename in (".python-version",):
        line = _first_line(root / filename)
        if line and re.match(r"\d+\.\d+", line):
            found["version"] = Guess(_short(line, 2), f"{filename}: {line}")
            break
    if "version" not in found:
        line = _first_line(root / "runtime.txt")
        if line and re.match(r"python-\d+\.\d+", line):
            found["version"] = Guess(_short(line, 2), f"runtime.txt: {line}")
    if "version" not in found and isinstance(project.get("requires-python"), str):
        found["version"] = _range_guess("python", project["requires-python"], "pyproject.toml: requires-python")
    # dependencies
    deps = [name for name in ("requirements.txt",) if (root / name).is_file()]
    found["dependencies"] = Guess(tuple(deps), "found next to the spec") if deps else Guess((), "no requirements.txt found")
    if not deps:
        listed = project.get("dependencies") if isinstance(project.get("dependencies"), list) else []
        for lock, how in (("uv.lock", "uv export --no-hashes -o requirements.txt"),
                          ("poetry.lock", "poetry export -o requirements.txt"),
                          ("Pipfile.lock", "pipenv requirements > requirements.txt")):
            if (root / lock).is_file():
                notes.append(f"{lock} found: dockgen installs from requirements files; run `{how}` and add requirements.txt to dependencies")
                break
        else:
            if listed:
                notes.append("pyproject.toml lists dependencies: dockgen installs from requirements files; "
                             "write them to requirements.txt (e.g. `pip-compile -o requirements.txt pyproject.toml`) and add it to dependencies")
    reqs = _requirements(root)
    # start commands
    candidates: list[Command] = []
    sources = _sources(root, ".py")
    apps: list[tuple[int, Command]] = []
    preferred = ("app.py", "main.py", "wsgi.py", "asgi.py", "server.py", "application.py")
    for path in sources:
        text = _read(path) or ""
        rel = _rel(root, path)
        module = rel[:-3].replace("/", ".")
        if module.startswith("src."):
            module = module[4:]
        module = module.removesuffix(".__init__")
        for pattern, server in ((_PY_ASGI, "uvicorn"), (_PY_WSGI, "gunicorn")):
            match = pattern.search(text)
            if not match:
                continue
            line = text.count("\n", 0, match.start()) + 1
            target = f"{module}:{match.group('var')}"
            if server == "gunicorn":
                argv = ("gunicorn", "--bind", "0.0.0.0:{port}", target)
            else:
                argv = ("uvicorn", target, "--host", "0.0.0.0", "--port", "{port}")
            needs = None if server in reqs else server
            rank = preferred.index(path.name) if path.name in preferred else len(preferred)
            source = f"{rel}:{line}: {match.group('var')} = {match.group('cls')}(...)"
            apps.append(((rel.count("/"), rank, rel), Command(argv, source, None, needs, binds=8000)))
            break
    candidates += [c for _, c in sorted(apps, key=lambda item: item[0])]  # shallowest, best-named file first
    scripts = project.get("scripts") if isinstance(project.get("scripts"), dict) else {}
    for script, target in sorted(scripts.items()):
        if not isinstance(target, str) or ":" not in target:
            continue
        module, function = target.split(":", 1)
        code = f"import sys; from {module} import {function.split('.')[0]}; sys.exit({function}())"
        candidates.append(Command(("python", "-c", code), f"pyproject.toml: [project.scripts] {script} = \"{target}\""))
    mains = []
    for path in sources:
        if _MAIN_BLOCK.search(_read(path) or ""):
            rel = _rel(root, path)
            rank = preferred.index(path.name) if path.name in preferred else len(preferred)
            argv = ("python", "-m", rel[:-3].replace("/", ".").removesuffix(".__main__")) if "/" in rel else ("python", rel)
            mains.append((rel.count("/"), rank, rel, Command(argv, f"{rel}: if __name__ == \"__main__\"", _port_in(root, path))))
    candidates += [c for *_, c in sorted(mains, key=lambda m: m[:3])]
    found["candidates"] = candidates
    if any(_rel(root, p).startswith("src/") for p in sources):
        found["env"] = Guess({"PYTHONPATH": "/app/src"}, "the code is under src/ (src layout)")
    return found


def _node(root: Path, notes: list[str]) -> dict:
    found: dict = {}
    package = _json(root / "package.json") or {}
    if isinstance(package.get("name"), str):
        found["name"] = Guess(package["name"].split("/")[-1], "package.json: name")
    for filename in (".nvmrc", ".node-version"):
        line = _first_line(root / filename)
        if not line:
            continue
        lts = NODE_LTS.get(line.lower().removeprefix("lts/"))
        if lts:
            found["version"] = Guess(lts, f"{filename}: {line}")
            break
        if re.match(r"v?\d+", line):
            found["version"] = Guess(_short(line, 1), f"{filename}: {line}")
            break
    engines = package.get("engines") if isinstance(package.get("engines"), dict) else {}
    if "version" not in found and isinstance(engines.get("node"), str):
        found["version"] = _range_guess("node", engines["node"], "package.json: engines.node")
    deps = ["package.json"] if (root / "package.json").is_file() else []
    for lock in ("package-lock.json", "npm-shrinkwrap.json"):
        if (root / lock).is_file():
            deps.append(lock)
            break
    else:
        for lock in ("yarn.lock", "pnpm-lock.yaml", "bun.lockb"):
            if (root / lock).is_file():
                notes.append(f"{lock} found: dockgen installs with npm; run `npm install --package-lock-only` and add package-lock.json to dependencies")
                break
    found["dependencies"] = Guess(tuple(deps), "found next to the spec")
    candidates: list[Command] = []
    scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
    start = scripts.get("start")
    if isinstance(start, str) and start.strip():
        words = None
        if not any(c in start for c in ";&|<>`$=()"):
            try:
                words = shlex.split(start)
            except ValueError:
                words = None
        if words and words[0] == "node":
            file = next((w for w in words[1:] if not w.startswith("-")), None)
            port = _port_in(root, root / file) if file else None
            candidates.append(Command(tuple(words), f"package.json: scripts.start = {_one_line(start, 40)}", port))
        elif words:
            binary = f"/app/node_modules/.bin/{words[0]}"
            candidates.append(Command((binary, *words[1:]), f"package.json: scripts.start = {_one_line(start, 40)}"))
        else:
            candidates.append(Command(("npm", "start"), f"package.json: scripts.start = {_one_line(start, 40)} (shell syntax: npm runs it)"))
    main = package.get("main")
    if isinstance(main, str) and (root / main).is_file():
        candidates.append(Command(("node", main), "package.json: main", _port_in(root, root / main)))
    for name in ("server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs", "app.mjs"):
        if (root / name).is_file():
            candidates.append(Command(("node", name), f"{name} found", _port_in(root, root / name)))
    found["candidates"] = candidates
    return found


def _ruby(root: Path, notes: list[str]) -> dict:
    found: dict = {}
    line = _first_line(root / ".ruby-version")
    if line and re.search(r"\d+\.\d+", line):
        found["version"] = Guess(_short(line, 2), f".ruby-version: {line}")
    gemfile = _read(root / "Gemfile") or ""
    if "version" not in found:
        match = re.search(r"^\s*ruby\s+['\"]([^'\"]+)['\"]", gemfile, re.M)
        if match:
            line_no = gemfile.count("\n", 0, match.start()) + 1
            found["version"] = _range_guess("ruby", match.group(1), f"Gemfile:{line_no}: ruby")
    deps = [name for name in ("Gemfile", "Gemfile.lock") if (root / name).is_file()]
    found["dependencies"] = Guess(tuple(deps), "found next to the spec")
    has = lambda gem: re.search(rf"^\s*gem\s+['\"]{gem}['\"]", gemfile, re.M) is not None  # noqa: E731
    candidates: list[Command] = []
    if (root / "bin" / "rails").is_file():
        candidates.append(Command(("/app/bin/rails", "server", "--binding", "0.0.0.0", "--port", "{port}"), "bin/rails found (Rails)", binds=3000))
    if (root / "config.ru").is_file():
        if has("puma"):
            candidates.append(Command(("bundle", "exec", "puma", "--bind", "tcp://0.0.0.0:{port}", "config.ru"), "config.ru found, puma in Gemfile", binds=9292))
        else:
            candidates.append(Command(("bundle", "exec", "rackup", "--host", "0.0.0.0", "--port", "{port}", "config.ru"), "config.ru found",
                                      needs=None if has("rackup") else "rackup", binds=9292))
    for name in ("app.rb", "main.rb", "server.rb"):
        path = root / name
        if path.is_file():
            port = _port_in(root, path)
            if port is None and "sinatra" in (_read(path) or "") + gemfile:
                port = Guess(4567, "Sinatra's default port")
            candidates.append(Command(("ruby", name), f"{name} found", port))
    found["candidates"] = candidates
    return found


def _php(root: Path, notes: list[str]) -> dict:
    found: dict = {}
    composer = _json(root / "composer.json") or {}
    if isinstance(composer.get("name"), str):
        found["name"] = Guess(composer["name"].split("/")[-1], "composer.json: name")
    require = composer.get("require") if isinstance(composer.get("require"), dict) else {}
    if isinstance(require.get("php"), str):
        found["version"] = _range_guess("php", require["php"], "composer.json: require.php")
    deps = [name for name in ("composer.json", "composer.lock") if (root / name).is_file()]
    found["dependencies"] = Guess(tuple(deps), "found next to the spec")
    candidates: list[Command] = []
    for front in ("public/index.php", "web/index.php", "index.php"):
        if (root / front).is_file():
            candidates.append(Command(("php-fpm", "--nodaemonize"), f"{front} found: php-fpm serves it over FastCGI",
                                      Guess(9000, "php-fpm's FastCGI port in the official image")))
            found["writable"] = Guess(("/tmp",), "php-fpm keeps sessions and uploads in /tmp")
            notes.append("php-fpm speaks FastCGI, not HTTP: put a web server in front (or run php-fpm + nginx "
                         "together under `processes`, as in specs/php-notebook)")
            break
    for path in sorted(root.glob("*.php")):
        text = _read(path) or ""
        if text.startswith("#!") or "$argv" in text:
            candidates.append(Command(("php", path.name), f"{path.name}: a command-line script"))
    found["candidates"] = candidates
    return found


def _go(root: Path, notes: list[str]) -> dict:
    found: dict = {}
    gomod = _read(root / "go.mod") or ""
    module = re.search(r"^module\s+(\S+)", gomod, re.M)
    if module:
        found["name"] = Guess(module.group(1).rstrip("/").split("/")[-1], "go.mod: module")
    goline = re.search(r"^go\s+(\d+\.\d+(?:\.\d+)?)", gomod, re.M)
    if goline:
        found["version"] = Guess(_short(goline.group(1), 2), f"go.mod: go {goline.group(1)}")
    deps = [name for name in ("go.mod", "go.sum") if (root / name).is_file()]
    found["dependencies"] = Guess(tuple(deps), "found next to the spec")
    candidates: list[Command] = []
    mains = [p for p in sorted(root.glob("*.go")) if re.search(r"^package\s+main\b", _read(p) or "", re.M)]
    if mains:
        port = None
        for path in mains:
            port = port or _port_in(root, path)
        # the go toolchain builds the module root into /usr/local/bin/<name>: no entrypoint needed
        candidates.append(Command((), f"{mains[0].name}: package main (built with `go build .`)", port))
    else:
        commands = sorted(p.parent for p in root.glob("cmd/*/main.go"))
        if commands:
            notes.append(f"the main package is in {_rel(root, commands[0])}/, but dockgen builds the module root "
                         "(`go build .`): add a main.go at the root that calls it")
    found["candidates"] = candidates
    return found


def _none(root: Path, notes: list[str]) -> dict:
    found: dict = {}
    for directory in ("public", "site", "dist", "_site", "www", "."):
        index = root / directory / "index.html"
        if index.is_file():
            copy = "." if directory == "." else f"{directory}/"
            found["base"] = Guess(STATIC_BASE, f"{_rel(root, index)}: a static site, served by BusyBox httpd")
            found["copy"] = Guess((copy,), f"{_rel(root, index)} found")
            found["workdir"] = Guess("/www", "where httpd serves from")
            found["candidates"] = [Command(("httpd", "-f", "-v", "-p", "{port}", "-h", "/www"), "BusyBox httpd serves the static site", binds=8080)]
            return found
    found["candidates"] = []
    return found


DETECTORS = {"python": _python, "node": _node, "ruby": _ruby, "php": _php, "go": _go, "none": _none}

# Evidence per language: (file or glob, weight). Manifests weigh most; a lone source file least.
EVIDENCE = {
    "python": (("pyproject.toml", 3), ("requirements.txt", 3), ("setup.py", 3), ("setup.cfg", 2), ("Pipfile", 3),
               (".python-version", 2), ("runtime.txt", 1), ("manage.py", 2), ("*.py", 1)),
    "node": (("package.json", 3), (".nvmrc", 2), (".node-version", 2), ("*.js", 1), ("*.mjs", 1)),
    "ruby": (("Gemfile", 3), (".ruby-version", 2), ("config.ru", 2), ("*.rb", 1)),
    "php": (("composer.json", 3), ("public/index.php", 2), ("*.php", 1)),
    "go": (("go.mod", 4), ("*.go", 1)),
    "none": (("index.html", 1), ("public/index.html", 1), ("site/index.html", 1), ("dist/index.html", 1),
             ("_site/index.html", 1), ("www/index.html", 1)),
}
ORDER = ("go", "python", "ruby", "php", "node", "none")  # tie-break, most specific manifest first


def evidence(root: Path) -> dict[str, tuple[int, list[str]]]:
    """Score each language by the files present in ``root``: {language: (score, files)}; languages with none are left out."""
    scores = {}
    for language, markers in EVIDENCE.items():
        total, files = 0, []
        for pattern, weight in markers:
            matches = sorted(root.glob(pattern)) if "*" in pattern else ([root / pattern] if (root / pattern).is_file() else [])
            if matches:
                total += weight
                files.append(pattern if "*" not in pattern else _rel(root, matches[0]))
        if total:
            scores[language] = (total, files)
    # a package.json next to another language's manifest is usually front-end tooling
    return scores


def sanitize_name(text: str) -> str:
    """``text`` as a spec ``name`` (lower-case letters, digits and single ``.``, ``_``, ``-``); "app" if nothing is left."""
    name = re.sub(r"[^a-z0-9._-]+", "-", text.lower())
    name = re.sub(r"[._-]{2,}", "-", name).strip("._-")
    return name or "app"


def detect(directory: str | Path, language: str | None = None) -> Detection:
    """Read the project in ``directory`` and guess its spec.

    Args:
        directory: the project's root directory (it must exist).
        language: force this language instead of guessing it (``--language``).
    Returns:
        a :class:`Detection`; ``language`` is None when no language was recognised (and
        none was forced).
    Raises:
        NotADirectoryError: ``directory`` is not a directory.
    """
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(str(root))
    scores = evidence(root)
    ranked = sorted(scores, key=lambda lang: (-scores[lang][0], ORDER.index(lang)))
    if language is None:
        if not ranked:
            return Detection(root, None)
        chosen = ranked[0]
        lang_guess = Guess(chosen, ", ".join(scores[chosen][1]))
    else:
        chosen = language
        lang_guess = Guess(chosen, "--language" if chosen not in scores else f"--language; {', '.join(scores[chosen][1])}")
    others = tuple((lang, ", ".join(scores[lang][1])) for lang in ranked if lang != chosen)
    notes: list[str] = []
    found = DETECTORS[chosen](root, notes)
    candidates: list[Command] = found.pop("candidates", [])
    procfile = _procfile(root) if chosen != "none" else None
    if procfile:  # the project's own word on how it starts comes first
        candidates.insert(0, procfile)
    # de-duplicate candidates with the same argv, keeping the first (most specific) source
    unique: dict[tuple[str, ...], Command] = {}
    for candidate in candidates:
        unique.setdefault(candidate.argv, candidate)
    candidates = list(unique.values())
    command = candidates[0] if candidates else None
    if command and command.needs:
        notes.append(f"the start command runs {command.needs}, which the dependency files do not list: add it")
    name = found.pop("name", None) or Guess(root.resolve().name, "the directory's name")
    name = Guess(sanitize_name(str(name.value)), name.source)
    port = _port_hint(root) or (command.port if command else None)
    if command and command.binds is not None:
        if port is None:
            port = Guess(command.binds, "the port the start command binds")
        command = Command(command.with_port(int(port.value)), command.source, port, command.needs)
    alternatives = tuple(Command(c.with_port(c.binds), c.source, c.port, c.needs) if c.binds is not None else c
                         for c in candidates[1:])
    return Detection(
        directory=root,
        language=lang_guess,
        other_languages=others,
        name=name,
        version=found.pop("version", None),
        dependencies=found.pop("dependencies", None),
        port=port,
        command=command,
        alternatives=alternatives,
        base=found.pop("base", None),
        copy=found.pop("copy", None),
        workdir=found.pop("workdir", None),
        env=found.pop("env", None),
        writable=found.pop("writable", None),
        notes=tuple(notes),
    )


def _port_hint(root: Path) -> Guess | None:
    """A port the project states outside its code: Procfile ``${PORT:-N}``, a Dockerfile's EXPOSE."""
    procfile = _procfile(root)
    if procfile and procfile.port:
        return procfile.port
    text = _read(root / "Dockerfile")
    if text:
        match = re.search(r"^\s*EXPOSE\s+(\d{2,5})", text, re.M | re.I)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            return Guess(int(match.group(1)), f"Dockerfile:{line}: EXPOSE {match.group(1)}")
    return None
