"""Write what ``dockgen init`` makes: a commented spec, and whole new repositories (R20).

Inputs are a :class:`~dockgen.detect.Detection` (what the project's files say) and the
user's answers (flags or prompts), each a :class:`~dockgen.detect.Guess` with its source.
Outputs are :class:`~dockgen.render.OutputFile` lists; writing them is
:func:`dockgen.render.write`'s job, and rendering the container files is the Renderer's.
Every text comes from a Jinja template under ``templates/init/`` through the same
:class:`~dockgen.render.Renderer` (so a user's ``--template DIR`` overrides any of them):

- ``init/dockgen.yaml.j2``: the spec, one ``key: value  # where it came from`` per line;
  what could not be guessed is a commented placeholder (``# key: example  # why``);
- ``init/new/<SCAFFOLD>/<path>.j2``: the minimal application of a new repository (the
  folder is the language module's ``SCAFFOLD``);
- ``init/repo/<path>.j2``: files every new repository gets (``.gitignore``, the CI workflow
  ``.github/workflows/container.yml``, README.md).

Template names map to output paths by dropping ``.j2`` and turning a leading ``dot-`` of
any path part into ``.`` (``dot-github/workflows/container.yml.j2`` →
``.github/workflows/container.yml``), so templates never hide as dotfiles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import __version__, languages
from .detect import Detection, Guess
from .render import OutputFile, Renderer

SPEC_NAME = "dockgen.yaml"
SCHEMA_NAME = "dockgen.schema.json"  # the default `$schema` path: `dockgen schema > dockgen.schema.json`

# Examples written in placeholders (commented out, so they are never taken as a value).
EXAMPLES = {
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
        offered: the placeholder is an offer the user may take (``# offered:``), not a
            value the spec needs (``# TODO:``).
    """

    key: str
    value: object
    comment: str
    example: object = None
    offered: bool = False


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

# Where an answer may come from, first wins (copier's idea: one map, one stated order).
PRECEDENCE = ("flag", "prompt", "detection", "default")


@dataclass(frozen=True)
class Answers:
    """The answers to init's questions (``name``, ``version``, ``port``, ``command``), merged by :data:`PRECEDENCE`.

    Attributes:
        layers: one {key: Guess or None} per source, in :data:`PRECEDENCE` order; a key
            present with None means "none" (e.g. the user answered that there is no port).
    """

    layers: tuple[Mapping[str, Guess | None], ...]

    def get(self, key: str) -> Guess | None:
        """The answer to ``key`` from the first source that has one; None when no source has it."""
        return self.layers[self.origin(key)].get(key) if self.origin(key) is not None else None

    def origin(self, key: str) -> int | None:
        """The index in :data:`PRECEDENCE` of the source that answers ``key``, or None."""
        return next((i for i, layer in enumerate(self.layers) if key in layer), None)

    def is_default(self, key: str) -> bool:
        """True when ``key``'s answer is dockgen's default, not the user's or the project's."""
        return self.origin(key) == PRECEDENCE.index("default")


def defaults(language: str, new: bool = False) -> dict[str, Guess]:
    """dockgen's own answers for ``language``: the default version, and for a new repository its port."""
    module = languages.module(language)
    found = {}
    if module.DEFAULT_VERSION is not None:
        found["version"] = Guess(module.DEFAULT_VERSION, f"not stated in the project: dockgen's default for {language}; check it")
    if new:
        found["port"] = Guess(module.NEW_PORT, f"dockgen's default port for a new {language} application")
    return found


def merge_answers(flags: Mapping[str, Guess | None], prompted: Mapping[str, Guess | None],
                  detection: Detection | None, language: str, new: bool = False) -> Answers:
    """The one place where init's precedence is decided: flags, then prompt answers, then
    what :func:`~dockgen.detect.detect` found, then :func:`defaults` (see :data:`PRECEDENCE`)."""
    detected: dict[str, Guess | None] = {}
    if detection is not None:
        command = detection.command
        guesses = {"name": detection.name, "version": detection.version, "port": detection.port,
                   "command": Guess(command.argv, command.source) if command is not None else None}
        detected = {key: guess for key, guess in guesses.items() if guess is not None}
    return Answers((dict(flags), dict(prompted), detected, defaults(language, new)))


def _line(text: str) -> str:
    return " ".join(str(text).split())


def _listed(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def draft(detection: Detection, answers: Answers, new: bool = False, kubernetes: bool = False) -> SpecDraft:
    """The spec's entries: what was detected, and the answers merged by :func:`merge_answers`.

    Args:
        detection: the result of :func:`dockgen.detect.detect`; its ``language`` must be set.
        answers: the merged answers to ``name``, ``version``, ``port`` (int, or None: no
            port) and ``command`` (argv tuple, or None: unknown).
        new: drafting for ``init --new`` (its app answers the health check's path).
        kubernetes: add a ``kubernetes`` block (``init --kubernetes``, issue 13).
    Returns:
        a :class:`SpecDraft`. Required values that nobody knows (the start command of a
        non-Go project, the base of language none) are placeholders listed in ``missing``;
        an unknown version becomes dockgen's default for the language, said so in its comment.
    Raises:
        ValueError: ``detection.language`` is None.
    """
    if detection.language is None:
        raise ValueError("no language to write a spec for")
    language = str(detection.language.value)
    notes = list(detection.notes)
    missing: list[str] = []
    name = answers.get("name")
    entries = [Entry("name", name.value, _line(name.source)), Entry("language", language, _line(detection.language.source))]
    version = answers.get("version")
    if version is not None:
        if answers.is_default("version"):
            notes.append(f"version: the project states no {language} version; wrote {version.value}, dockgen's default")
        entries.append(Entry("version", str(version.value), _line(version.source)))
    entries += _build_entries(detection, language, missing)
    entries += _run_entries(detection, answers.get("port"))
    command = answers.get("command")
    argv = tuple(command.value) if command is not None and command.value else ()
    if detection.processes is None and detection.static is None:  # s6's programs, or the static server
        literal = _literal_port(detection, answers)
        if literal:
            notes.append(f"cmd: {literal}; to change it, set `env: {{PORT: ...}}` and the port (cmd, ports) both")
        entries += _command_entries(command if argv else None, language, missing, literal)
    if detection.static is None:  # the static server's image has no runtime to run a check with
        entries += _healthcheck_entries(language, answers.get("port"), detection.base, new, detection.health, notes)
    entries.append(_resources_entry(detection, language))
    if kubernetes:
        entries.append(Entry("kubernetes", {"replicas": 1, "service_type": "ClusterIP"},
                             "--kubernetes: render writes k8s/ (Deployment, Service, kustomization.yaml)"))
    alternatives = tuple((list(c.argv), _line(c.source)) for c in detection.alternatives if c.argv and c.argv != argv)
    return SpecDraft(tuple(entries), alternatives, detection.other_languages, tuple(_line(n) for n in notes), tuple(missing))


def _resources_entry(detection: Detection, language: str) -> Entry:
    """``resources`` (issue 13): the defaults of what runs in the final image, the static
    web server's (:data:`dockgen.plan.static.RESOURCES`) for a spec with ``static``, else
    the language's ``RESOURCES``."""
    if detection.static is not None:
        from .plan.static import RESOURCES

        return Entry("resources", RESOURCES, "dockgen's default for the static web server (nginx serves the built "
                     "files, static:; issue 13): measure the site and adjust")
    return Entry("resources", languages.module(language).RESOURCES,
                 f"dockgen's default for {language} (issue 13): measure the app and adjust")


def _build_entries(detection: Detection, language: str, missing: list[str]) -> list[Entry]:
    """base (a placeholder for language none), system_packages, build_packages, dependencies,
    package_manager, copy, workdir and the build step (build, artifacts, static: issue 11)."""
    entries = []
    base = detection.base
    if base is not None:
        entries.append(Entry("base", base.value, _line(base.source)))
    elif language == "none":
        entries.append(Entry("base", None, "required for language none: a pinned image (alpine:3.22, busybox:1.36.1, scratch)", EXAMPLES["base"]))
        missing.append("base")
    for key in ("system_packages", "build_packages"):
        guess = getattr(detection, key)
        if guess is not None:
            entries.append(Entry(key, _listed(guess.value), _line(guess.source)))
    if detection.dependencies is not None:
        entries.append(Entry("dependencies", _listed(detection.dependencies.value), _line(detection.dependencies.source)))
    for key in ("package_manager", "copy", "workdir", "build", "artifacts", "static"):
        guess = getattr(detection, key)
        if guess is not None:
            entries.append(Entry(key, _listed(guess.value), _line(guess.source)))
    return entries


def _run_entries(detection: Detection, port: Guess | None) -> list[Entry]:
    """user (when the image brings its own account), ports (a placeholder when unknown), env,
    config, writable, volumes and processes."""
    entries = []
    if detection.user is not None:
        entries.append(Entry("user", detection.user.value, _line(detection.user.source)))
    if port is not None and port.value is not None:
        entries.append(Entry("ports", [int(port.value)], _line(port.source)))
    else:
        entries.append(Entry("ports", None, "no port found: uncomment and set it if the application listens on one", EXAMPLES["ports"]))
    for key in ("env", "config", "writable", "volumes", "processes"):
        guess = getattr(detection, key)
        if guess is not None:
            entries.append(Entry(key, _listed(guess.value), _line(guess.source)))
    return entries


def _literal_port(detection: Detection, answers: Answers) -> str | None:
    """What to say when the detected start command had a shell expansion for its port
    (a Procfile's ``--port ${PORT:-8000}``) that init wrote as the number: exec form (R12)
    runs no shell, so ``${PORT}`` would reach the program as text. None otherwise (no
    expansion, or the command is the user's: ``--cmd`` or the prompt)."""
    command = detection.command
    if command is None or command.expands is None or command.port is None:
        return None
    if answers.origin("command") != PRECEDENCE.index("detection"):
        return None
    return (f"{command.expands} is written as {command.port.value}: exec form has no shell to expand it, "
            f"so the container listens on {command.port.value}")


def _command_entries(command: Guess | None, language: str, missing: list[str], literal: str | None = None) -> list[Entry]:
    """entrypoint and cmd from the start command (R12: the program, then its default arguments);
    ``literal``: why a port in it is a number (:func:`_literal_port`), said in cmd's comment."""
    if command is not None:
        argv = tuple(command.value)
        entries = [Entry("entrypoint", list(argv[:1]), _line(command.source))]
        if argv[1:]:
            why = "the rest of that command (R12: default arguments)" + (f"; {literal}" if literal else "")
            entries.append(Entry("cmd", list(argv[1:]), why))
        return entries
    if languages.module(language).COMPILED:
        return []  # the toolchain's build output is the entrypoint
    missing.append("entrypoint")
    return [Entry("entrypoint", None, "no start command found: the program to run (exec form, R12)", EXAMPLES["entrypoint"]),
            Entry("cmd", None, "its default arguments", EXAMPLES["cmd"])]


def _healthcheck_entries(language: str, port: Guess | None, base: Guess | None, new: bool,
                         health: Guess | None = None, notes: list[str] | None = None) -> list[Entry]:
    """A health check that uses only what the final image has (the runtime's own client, never curl).

    Active for ``init --new``, whose app answers ``NEW_HEALTH_PATH``; commented out (an
    offer) for an existing project: an active check on a wrong path marks a healthy
    container unhealthy forever. It asks ``health``, the app's own health route, when the
    project declares one (the comment names the file and line), else ``/``, said to be a
    guess. None when there is no port, or the image has nothing to run a check with (Go on
    scratch); then a declared route is named in ``notes`` (a check needs the app's own).
    """
    if port is None or port.value is None:
        return []
    module = languages.module(language)
    path = module.NEW_HEALTH_PATH if new else (str(health.value) if health is not None else "/")
    image = str(base.value) if base is not None else None
    argv = module.healthcheck(int(port.value), path, image)
    if argv is None:
        if health is not None and not new and notes is not None:
            notes.append(f"no health check offered: the final image has no program to ask {health.value}, the app's "
                         f"health route ({health.source}); a check must be one the app runs itself (e.g. a flag of its binary)")
        return []
    check = {"command": list(argv)}
    uses = f"uses only {argv[0]}, which the image has (it has no curl)"
    if new:
        return [Entry("healthcheck", check, uses)]
    if module.healthcheck(int(port.value), "/-", image) == argv:  # the check asks no path (PHP's TCP connect)
        why = "uncomment once the app answers on its port"
    elif health is not None:
        why = f"{health.value} is the app's health route ({health.source}): uncomment to use it"
    else:
        why = "the path / is a guess (no health route found in the code): uncomment once the app answers it, or change the path to your health endpoint"
    return [Entry("healthcheck", None, f"{uses}; {why}", check, offered=True)]


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

    Files come from ``init/repo/`` (every language) and ``init/new/<SCAFFOLD>/``; the
    language's file wins where both write the same path. The user's template directories
    are searched first, so their file of the same name replaces dockgen's, and files only
    they have are added.
    """
    names = renderer.env.list_templates(filter_func=lambda name: name.endswith(".j2"))
    found: dict[str, str] = {}
    for prefix in ("init/repo/", f"init/new/{languages.module(language).SCAFFOLD}/"):
        for name in names:
            if name.startswith(prefix):
                found[output_path(name, prefix)] = name
    return dict(sorted(found.items()))


def new_repo_files(renderer: Renderer, name: str, language: str, version: str, port: int,
                   kubernetes: bool = False) -> list[OutputFile]:
    """The application and repository files of a new repository (not the spec, not the container files).

    Args:
        renderer: the Renderer (with the user's template directories, if any).
        name: the application's name (a valid spec ``name``).
        language: one of :data:`dockgen.languages.NAMES`; its ``SCAFFOLD`` folder is used.
        version: the language version ("" for language none).
        port: the port the application listens on.
        kubernetes: the spec asks for k8s/ (the CI workflow validates the manifests).
    Returns:
        one :class:`OutputFile` per template, in path order (mode 0755 for files the
        template marks with a ``#!`` first line).
    """
    context = {
        "name": name,
        "language": language,
        "binary": languages.module(language).BINARY,  # a native binary alone: no shell, no run.sh
        "version": version,
        "port": port,
        "spec": SPEC_NAME,
        "dockgen_version": __version__,
        "kubernetes": kubernetes,
    }
    out = []
    for path, template in template_names(renderer, language).items():
        text = renderer.text(template, **context)
        out.append(OutputFile(path, text.encode(), 0o755 if text.startswith("#!") else 0o644))
    return out
