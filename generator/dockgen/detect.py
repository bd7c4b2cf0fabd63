"""Look at a project tree and guess its spec, each guess with where it came from (R20).

``dockgen init`` calls :func:`detect`; it reads files, never runs anything and never
writes. The language modules (:mod:`dockgen.languages`) know which files say what about
their language: each lists its ``EVIDENCE`` (files and weights) and has a ``detect`` hook.
This module does the generic part: it scores every language by its evidence, lets the
winner (or the ``--language`` one) read the project, adds what no single language owns
(a ``Procfile``'s ``web:`` line, an existing Dockerfile's ``EXPOSE``) and assembles the
:class:`Detection`.

Every :class:`Guess` carries ``source``, a short text saying which file (and which line or
key) it was read from, which ``init`` writes as a YAML comment next to the value. What
cannot be guessed is ``None``: ``init`` then writes a commented placeholder, never a silent
wrong value.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from . import languages
from .languages.base import BUILD_OUTPUT
from .languages._read import Command, Found, Guess, health_route, one_line, read, rel, sources

__all__ = ["Command", "Detection", "Guess", "detect", "evidence", "looked_for", "sanitize_name"]


@dataclass(frozen=True)
class Detection:
    """Everything :func:`detect` found in a directory (None: not found).

    Attributes:
        directory: the project directory that was read.
        language: one of :data:`dockgen.languages.NAMES` with its evidence.
        other_languages: other languages with evidence, (language, evidence) pairs.
        name, version, dependencies (tuple of file names), port: guesses or None.
        package_manager: the package manager to name in the spec, or None (the manifests say it).
        command: the chosen start command, or None; alternatives: the other candidates.
        base, copy, workdir, env, writable: extra fields some projects need, or None.
        build, artifacts, static: a framework's build step (issue 11), or None.
        system_packages, build_packages, config, processes, volumes: a framework's needs, or None.
        files: (path, template) pairs of files init writes when the project lacks them.
        user: the account to run as when the image brings its own (.NET's ``app``), or None.
        health: the app's own health route (``/healthz``) with the file and line declaring
            it, or None (the language's ``HEALTH_ROUTES`` found none).
        notes: things the user should check (written as comments and printed as warnings).
    """

    directory: Path
    language: Guess | None
    other_languages: tuple[tuple[str, str], ...] = ()
    name: Guess | None = None
    version: Guess | None = None
    dependencies: Guess | None = None
    package_manager: Guess | None = None
    port: Guess | None = None
    command: Command | None = None
    alternatives: tuple[Command, ...] = ()
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
    health: Guess | None = None
    notes: tuple[str, ...] = field(default=())


# The fields of a language's Found that a Detection carries unchanged (the rest detect answers itself).
_CARRIED = tuple(sorted({f.name for f in fields(Detection)} & {f.name for f in fields(Found)} - {"name", "writable", "volumes"}))


def evidence(root: Path) -> dict[str, tuple[int, list[str]]]:
    """Score each language by the files present in ``root``: {language: (score, files)}; languages with none are left out.
    Files under a build's output (:data:`dockgen.languages.base.BUILD_OUTPUT`: dist/, node_modules/ ...) do not count."""
    scores = {}
    for language in languages.NAMES:
        total, files = 0, []
        for pattern, weight in languages.module(language).EVIDENCE:
            matches = sorted(root.glob(pattern)) if "*" in pattern else ([root / pattern] if (root / pattern).is_file() else [])
            matches = [m for m in matches if not set(m.relative_to(root).parts[:-1]) & set(BUILD_OUTPUT)]
            if matches:
                total += weight
                files.append(pattern if "*" not in pattern else rel(root, matches[0]))
        if total:
            scores[language] = (total, files)
    return scores


def looked_for() -> list[str]:
    """The top-level file names that count as evidence for some language, sorted (for error messages)."""
    return sorted({pattern for name in languages.NAMES for pattern, _ in languages.module(name).EVIDENCE
                   if "*" not in pattern and "/" not in pattern})


def sanitize_name(text: str) -> str:
    """``text`` as a spec ``name`` (lower-case letters, digits and single ``.``, ``_``, ``-``); "app" if nothing is left."""
    name = re.sub(r"[^a-z0-9._-]+", "-", text.lower())
    name = re.sub(r"[._-]{2,}", "-", name).strip("._-")
    return name or "app"


def _choose(root: Path, language: str | None) -> tuple[str, Guess, tuple[tuple[str, str], ...]] | None:
    """(chosen language, its Guess, the other languages with evidence); None when nothing is recognised."""
    scores = evidence(root)
    ranked = sorted(scores, key=lambda lang: (-scores[lang][0], languages.module(lang).TIE_BREAK))
    if language is None:
        if not ranked:
            return None
        chosen = ranked[0]
        guess = Guess(chosen, ", ".join(scores[chosen][1]))
    else:
        chosen = language
        guess = Guess(chosen, "--language" if chosen not in scores else f"--language; {', '.join(scores[chosen][1])}")
    others = tuple((lang, ", ".join(scores[lang][1])) for lang in ranked if lang != chosen)
    return chosen, guess, others


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
    choice = _choose(root, language)
    if choice is None:
        return Detection(root, None)
    chosen, lang_guess, others = choice
    notes: list[str] = []
    found = languages.module(chosen).detect(root, notes)
    candidates = list(found.candidates)
    procfile = _procfile(root) if chosen != "none" else None
    if procfile:  # the project's own word on how it starts comes first
        candidates.insert(0, procfile)
    candidates = _first_of_each(candidates)
    command = candidates[0] if candidates else None
    if command and command.needs:
        notes.append(f"the start command runs {command.needs}, which the dependency files do not list: add it")
    name = found.name or Guess(root.resolve().name, "the directory's name")
    name = Guess(sanitize_name(str(name.value)), name.source)
    port = _port_hint(root) or (command.port if command else None)
    if command and command.binds is not None:
        if port is None:
            port = Guess(command.binds, "the port the start command binds")
        command = replace(command, argv=command.with_port(int(port.value)), port=port, binds=None)
    writable, volumes = _written_dirs(root, found.writable, found.volumes)
    alternatives = tuple(Command(c.with_port(c.binds), c.source, c.port, c.needs) if c.binds is not None else c
                         for c in candidates[1:])
    # what the language found goes across by name; detect's own answers replace its guesses
    carried = {name: getattr(found, name) for name in _CARRIED}
    health = health_route(root, languages.module(chosen).HEALTH_ROUTES)
    return Detection(**carried, directory=root, language=lang_guess, other_languages=others, name=name, port=port,
                     command=command, alternatives=alternatives, writable=writable, volumes=volumes, health=health,
                     notes=tuple(notes))


WRITTEN_DIRS = ("logs", "log", "tmp", "storage", "uploads", "data")  # where apps write beside their code
SCRATCH_DIRS = ("logs", "log", "tmp")  # never kept across restarts: a test database in tmp/ is no reason for a volume
DATABASE_FILES = ("*.sqlite", "*.sqlite3", "*.db")  # SQLite's usual names
# Source files searched for code that opens a database in a directory (one suffix per language).
CODE_SUFFIXES = (".py", ".js", ".mjs", ".ts", ".rb", ".php", ".go", ".rs", ".java", ".kt", ".cs")


def _written_dirs(root: Path, writable: Guess | None, volumes: Guess | None) -> tuple[Guess | None, Guess | None]:
    """(writable, volumes): the language's guesses plus the directories of the project where
    apps write at run time (a relative ``logs/``, ``tmp/``, ``data/``). The root file system
    is read-only (R13), so each is a tmpfs under the workdir (/app), except a directory that
    holds a database (:func:`_database_in`): a tmpfs loses it on every restart, so it is a
    volume. A path the language already listed in either is left out."""
    listed = tuple(writable.value) if writable is not None else ()
    kept = tuple(volumes.value) if volumes is not None else ()
    present = [name for name in WRITTEN_DIRS if (root / name).is_dir() and not (root / name).is_symlink()
               and f"/app/{name}" not in listed + kept]
    code = [(rel(root, path), read(path) or "") for suffix in CODE_SUFFIXES for path in sources(root, suffix)] if present else []
    databases = {name: why for name in present if name not in SCRATCH_DIRS and (why := _database_in(root, name, code))}
    scratch = [name for name in present if name not in databases]
    if scratch:
        source = f"{', '.join(n + '/' for n in scratch)} found (written at run time; list it in volumes to keep it)"
        writable = Guess(listed + tuple(f"/app/{n}" for n in scratch), f"{writable.source}; {source}" if writable else source)
    if databases:
        source = "; ".join(f"{name}/ holds a database ({why}): a volume keeps it across restarts, a tmpfs would not"
                           for name, why in databases.items())
        volumes = Guess(kept + tuple(f"/app/{n}" for n in databases), f"{volumes.source}; {source}" if volumes else source)
    return writable, volumes


_DB_NAME = r"""[\w.-]*\.(?:sqlite3?|db)['"]"""  # the rest of a quoted SQLite file name


def _database_in(root: Path, name: str, code: list[tuple[str, str]]) -> str | None:
    """Why the project's directory ``name`` holds a database, or None. ``code``: the project's
    source files as (path relative to root, text) pairs. Evidence: a SQLite file in it
    (``data/app.sqlite3``), or code that opens one there: ``sqlite:///data/...``,
    ``"data/app.db"``, ``"data" / "app.db"`` or ``join("data", "app.db")`` on one line, or
    a variable set to the directory joined with a database file (``DATA = BASE / "data"``,
    then ``DATA / "app.sqlite3"``)."""
    for pattern in DATABASE_FILES:
        found = sorted((root / name).glob(pattern)) + sorted((root / name).glob(f"*/{pattern}"))
        if found:
            return f"{rel(root, found[0])} found"
    quoted = rf"""['"](?:\./)?{re.escape(name)}"""
    direct = re.compile(rf"""sqlite:///(?:\./)?{re.escape(name)}/|{quoted}/{_DB_NAME}|{quoted}['"]\s*(?:/|,)\s*['"]{_DB_NAME}""")
    variable = re.compile(rf"""^\s*(\w+)\s*=.*{quoted}/?['"]""", re.M)
    for path, text in code:
        match = direct.search(text)
        for var in variable.finditer(text) if match is None else ():
            match = re.search(rf"""\b{re.escape(var.group(1))}\s*(?:/|,)\s*['"]{_DB_NAME}""", text) or match
        if match:
            line = text.count("\n", 0, match.start()) + 1
            return f"{path}:{line}: {one_line(text.splitlines()[line - 1].strip(), 50)}"
    return None


def _first_of_each(candidates: list[Command]) -> list[Command]:
    """``candidates`` without later ones whose argv an earlier one has (the first source is the most specific)."""
    seen: dict[tuple[str, ...], Command] = {}
    for candidate in candidates:
        seen.setdefault(candidate.argv, candidate)
    return list(seen.values())


def _procfile(root: Path) -> Command | None:
    """The ``web:`` line of a Heroku-style Procfile as a command; ``$PORT`` becomes ``{port}``."""
    text = read(root / "Procfile")
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
            port = Guess(int(port_match.group(1)), f"Procfile: {one_line(port_match.group(0), 50)}")
        elif explicit:
            port = Guess(int(explicit.group(1) or explicit.group(2)), f"Procfile: {one_line(explicit.group(0), 50)}")
        try:
            words = shlex.split(command)
        except ValueError:
            return None
        if any(c in command for c in ";&|<>`$") or not words:
            return None
        return Command(tuple(words), f"Procfile: web: {one_line(original, 50)}", port, binds=binds,
                       expands=port_match.group(0) if port_match else None)
    return None


def _port_hint(root: Path) -> Guess | None:
    """A port the project states outside its code: Procfile ``${PORT:-N}``, a Dockerfile's EXPOSE."""
    procfile = _procfile(root)
    if procfile and procfile.port:
        return procfile.port
    text = read(root / "Dockerfile")
    if text:
        match = re.search(r"^\s*EXPOSE\s+(\d{2,5})", text, re.M | re.I)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            return Guess(int(match.group(1)), f"Dockerfile:{line}: EXPOSE {match.group(1)}")
    return None
