"""Write what ``dockgen init`` makes: a commented spec, and whole new repositories (R20).

Inputs are a :class:`~dockgen.detect.Detection` (what the project's files say) and the
user's answers (flags or prompts), each a :class:`~dockgen.detect.Guess` with its source.
Outputs are :class:`~dockgen.render.OutputFile` lists; writing them is
:func:`dockgen.render.write`'s job, and rendering the container files is the Renderer's.
Every text comes from a Jinja template under ``templates/init/`` through the same
:class:`~dockgen.render.Renderer` (so a user's ``--template DIR`` overrides any of them):

- ``init/dockgen.yaml.j2``: the spec, one ``key: value  # where it came from`` per line;
  what could not be guessed is a commented placeholder (``# key: example  # why``);
- ``init/new/<language>/<path>.j2``: the minimal application of a new repository;
- ``init/repo/<path>.j2``: files every new repository gets (``.gitignore``, the CI workflow
  ``.github/workflows/container.yml``, README.md).

Template names map to output paths by dropping ``.j2`` and turning a leading ``dot-`` of
any path part into ``.`` (``dot-github/workflows/container.yml.j2`` →
``.github/workflows/container.yml``), so templates never hide as dotfiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .detect import DEFAULT_VERSIONS, Command, Detection, Guess
from .render import OutputFile, Renderer

SPEC_NAME = "dockgen.yaml"
SCHEMA_NAME = "dockgen.schema.json"  # the default `$schema` path: `dockgen schema > dockgen.schema.json`
NEW_PORTS = {"python": 8000, "node": 3000, "ruby": 4567, "php": 9000, "go": 8080, "none": 8080}
LANGUAGES = ("python", "node", "ruby", "php", "go", "none")

# Examples written in placeholders (commented out, so they are never taken as a value).
EXAMPLES = {
    "version": {"python": "3.12", "node": "22", "ruby": "3.3", "php": "8.3", "go": "1.24", "none": "1"},
    "base": "alpine:3.22",
    "ports": [8080],
    "entrypoint": ["/app/start"],
    "cmd": ["--help"],
}


@dataclass(frozen=True)
class Entry:
    """One top-level spec key as ``init`` writes it.

    Attributes:
        key: the spec field (``ports``).
        value: its value (YAML-able: str, int, list, dict), or None for a commented placeholder.
        comment: where the value came from, or what to do about a placeholder (one line).
        example: shown in a placeholder (``# ports: [8080]``); unused when ``value`` is set.
    """

    key: str
    value: object
    comment: str
    example: object = None


@dataclass(frozen=True)
class SpecDraft:
    """Everything ``init/dockgen.yaml.j2`` needs.

    Attributes:
        entries: the top-level keys in spec order.
        alternatives: other start commands found, (argv list, source) pairs.
        other_languages: other languages seen, (language, evidence) pairs.
        notes: things the user should check (also printed as warnings).
        missing: required fields written as placeholders (the spec will not load until
            they are filled in).
    """

    entries: tuple[Entry, ...]
    alternatives: tuple[tuple[list[str], str], ...]
    other_languages: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    missing: tuple[str, ...]


def _line(text: str) -> str:
    return " ".join(str(text).split())


def _listed(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def draft(detection: Detection, answers: dict[str, Guess | None] | None = None) -> SpecDraft:
    """The spec's entries from what was detected, with ``answers`` taking precedence.

    Args:
        detection: the result of :func:`dockgen.detect.detect`; its ``language`` must be set.
        answers: user choices by key: ``name``, ``version``, ``port`` (int or None: no
            port), ``command`` (argv tuple); a missing key keeps the guess.
    Returns:
        a :class:`SpecDraft`. Required values that nobody knows (the start command of a
        non-Go project, the base of language none) are placeholders listed in ``missing``;
        an unknown version becomes dockgen's default for the language, said so in its comment.
    Raises:
        ValueError: ``detection.language`` is None.
    """
    if detection.language is None:
        raise ValueError("no language to write a spec for")
    answers = answers or {}
    language = str(detection.language.value)
    notes = list(detection.notes)
    missing: list[str] = []

    def pick(key: str, guess: Guess | None) -> Guess | None:
        return answers[key] if key in answers else guess

    entries = [Entry("name", pick("name", detection.name).value, _line(pick("name", detection.name).source)),
               Entry("language", language, _line(detection.language.source))]
    if language != "none":
        version = pick("version", detection.version)
        if version is None:
            version = Guess(DEFAULT_VERSIONS[language], f"not stated in the project: dockgen's default for {language}; check it")
            notes.append(f"version: the project states no {language} version; wrote {version.value}, dockgen's default")
        entries.append(Entry("version", str(version.value), _line(version.source)))
    base = detection.base
    if base is not None:
        entries.append(Entry("base", base.value, _line(base.source)))
    elif language == "none":
        entries.append(Entry("base", None, "required for language none: a pinned image (alpine:3.22, busybox:1.36.1, scratch)", EXAMPLES["base"]))
        missing.append("base")
    if detection.dependencies is not None:
        entries.append(Entry("dependencies", _listed(detection.dependencies.value), _line(detection.dependencies.source)))
    for key in ("copy", "workdir"):
        guess = getattr(detection, key)
        if guess is not None:
            entries.append(Entry(key, _listed(guess.value), _line(guess.source)))
    port = pick("port", detection.port)
    if port is not None and port.value is not None:
        entries.append(Entry("ports", [int(port.value)], _line(port.source)))
    else:
        entries.append(Entry("ports", None, "no port found: uncomment and set it if the application listens on one", EXAMPLES["ports"]))
    for key in ("env", "writable"):
        guess = getattr(detection, key)
        if guess is not None:
            entries.append(Entry(key, _listed(guess.value), _line(guess.source)))
    command = detection.command
    if "command" in answers:
        given = answers["command"]
        command = Command(tuple(given.value), given.source) if given is not None and given.value else None
    if command is not None and command.argv:
        entrypoint, cmd = command.argv[:1], command.argv[1:]  # R12: the program, then its default arguments
        entries.append(Entry("entrypoint", list(entrypoint), _line(command.source)))
        if cmd:
            entries.append(Entry("cmd", list(cmd), "the rest of that command (R12: default arguments)"))
    elif language == "go":
        pass  # the binary built from the module root is the entrypoint
    else:
        entries.append(Entry("entrypoint", None, "no start command found: the program to run (exec form, R12)", EXAMPLES["entrypoint"]))
        entries.append(Entry("cmd", None, "its default arguments", EXAMPLES["cmd"]))
        missing.append("entrypoint")
    alternatives = tuple((list(c.argv), _line(c.source)) for c in detection.alternatives
                         if c.argv and (command is None or c.argv != command.argv))
    return SpecDraft(tuple(entries), alternatives, detection.other_languages, tuple(_line(n) for n in notes), tuple(missing))


def spec_file(renderer: Renderer, spec: SpecDraft, schema: str = SCHEMA_NAME, origin: str = "init") -> OutputFile:
    """The commented ``dockgen.yaml`` for ``spec`` (template ``init/dockgen.yaml.j2``).

    Args:
        renderer: the Renderer (with the user's template directories, if any).
        spec: what to write.
        schema: the ``# yaml-language-server: $schema=`` target (a path relative to the
            spec, or a URL).
        origin: ``init`` (from an existing project) or ``new`` (a new repository).
    """
    text = renderer.text("init/dockgen.yaml.j2", spec=spec, schema=schema, origin=origin, dockgen_version=__version__)
    return OutputFile(SPEC_NAME, text.encode())


def output_path(template: str, prefix: str) -> str:
    """The path a template under ``prefix`` writes: ``.j2`` dropped, ``dot-`` parts made dotfiles."""
    relative = template[len(prefix):].removesuffix(".j2")
    return "/".join("." + part[4:] if part.startswith("dot-") else part for part in relative.split("/"))


def template_names(renderer: Renderer, language: str) -> dict[str, str]:
    """{output path: template name} of a new repository in ``language``.

    Files come from ``init/repo/`` (every language) and ``init/new/<language>/``; the
    language's file wins where both write the same path. The user's template directories
    are searched first, so their file of the same name replaces dockgen's, and files only
    they have are added.
    """
    names = renderer.env.list_templates(filter_func=lambda name: name.endswith(".j2"))
    found: dict[str, str] = {}
    for prefix in ("init/repo/", f"init/new/{language}/"):
        for name in names:
            if name.startswith(prefix):
                found[output_path(name, prefix)] = name
    return dict(sorted(found.items()))


def new_repo_files(renderer: Renderer, name: str, language: str, version: str | None, port: int | None) -> list[OutputFile]:
    """The application and repository files of a new repository (not the spec, not the container files).

    Args:
        renderer: the Renderer (with the user's template directories, if any).
        name: the application's name (a valid spec ``name``).
        language: one of :data:`LANGUAGES`.
        version: the language version, or None for dockgen's default.
        port: the port the application listens on, or None for the language's default.
    Returns:
        one :class:`OutputFile` per template, in path order (mode 0755 for files the
        template marks with a ``#!`` first line).
    """
    context = {
        "name": name,
        "language": language,
        "version": version or DEFAULT_VERSIONS.get(language, ""),
        "port": port or NEW_PORTS[language],
        "spec": SPEC_NAME,
        "dockgen_version": __version__,
    }
    out = []
    for path, template in template_names(renderer, language).items():
        text = renderer.text(template, **context)
        out.append(OutputFile(path, text.encode(), 0o755 if text.startswith("#!") else 0o644))
    return out
