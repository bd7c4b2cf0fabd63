"""The ``dockgen init`` workflow: detect, ask, draft the spec, check it, write the files (R20).

Two entry points, both called by :func:`run`:

- an existing project (``dockgen init [DIR]``): :func:`~dockgen.detect.detect` reads the
  project's files, :func:`dockgen.scaffold.merge_answers` merges flags, prompt answers,
  detection and defaults in that order (the one place that order is decided), and
  :mod:`dockgen.scaffold` drafts the commented ``dockgen.yaml``; with ``--render`` the
  container files are rendered too;
- a new repository (``dockgen init --new NAME``): :mod:`dockgen.scaffold` renders a minimal
  application, the spec is drafted from what :func:`~dockgen.detect.detect` finds in it,
  and the container files are always rendered.

Either way the spec is loaded with dockgen's own loader and planner before anything is
written, and every file goes through :func:`dockgen.render.write`: nothing is replaced
without ``--force``, all or nothing. This module prints nothing: it asks through the
``prompt`` callable it is given (the CLI passes one only when stdin is a terminal) and
returns an :class:`InitResult` for the CLI to print. Errors are
:class:`~dockgen.errors.DockgenError` (exit 2).
"""

from __future__ import annotations

import dataclasses
import posixpath
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol

from . import languages
from .detect import Detection, Guess, detect, looked_for, sanitize_name
from .errors import DockgenError, SpecError, UsageError
from .loader import load_text
from .plan import make_plan
from .render import OutputFile, Renderer, make_renderer, write
from .scaffold import SCHEMA_NAME, SPEC_NAME, SpecDraft, draft, merge_answers, new_repo_files, spec_file
from .schema import json_schema_text

REFUSAL = "refusing to overwrite existing files (use --force to replace them):"


class Prompt(Protocol):
    """Asks the user one question and returns the answer (the CLI's is ``typer.prompt``-based).

    Args:
        question: the question, without the default or a trailing colon.
        default: shown in brackets and returned on an empty answer; None: no default.
        retry: why the previous answer to this question was refused (one line, shown
            before asking again), or None on the first ask.
    Returns:
        the answer as typed (or the default).
    """

    def __call__(self, question: str, default: Optional[str], retry: Optional[str] = None) -> str: ...


@dataclass(frozen=True)
class InitRequest:
    """What the user asked for on the command line, unvalidated (``dockgen init`` flags).

    Attributes:
        directory: the project directory; with ``new``: the new repository's directory
            (None: the current directory, or ``./NAME`` with ``new``).
        new: the new repository's name (``--new``), or None for an existing project.
        language: ``--language`` (one of :data:`dockgen.languages.NAMES`), or None: guess/ask.
        version: ``--version``, or None.
        port: ``--port`` (1-65535), or None.
        cmd: ``--cmd``, the start command as one shell-quoted string, or None.
        name: ``--name``, or None (ignored with ``new``: the name is ``new``).
        force: ``--force``: replace existing files.
        render: ``--render``: also render the container files (always done with ``new``).
        template: ``--template DIR``, searched before dockgen's templates, or None.
        schema_ref: ``--schema``: where the spec's ``$schema`` line points.
        kubernetes: ``--kubernetes``: the spec gets a ``kubernetes`` block (render writes k8s/,
            issue 13); a new repository's CI workflow validates the manifests.
    """

    directory: Optional[Path] = None
    new: Optional[str] = None
    language: Optional[str] = None
    version: Optional[str] = None
    port: Optional[int] = None
    cmd: Optional[str] = None
    name: Optional[str] = None
    force: bool = False
    render: bool = False
    template: Optional[Path] = None
    schema_ref: str = SCHEMA_NAME
    kubernetes: bool = False


@dataclass(frozen=True)
class InitResult:
    """What :func:`run` did, for the CLI to print.

    Attributes:
        written: the paths written (the directory joined with each file's name), in the
            order they are listed: top-level files first, then each subdirectory's.
        warnings: things the user should check, one line each, in order (without ``warning:``).
        next_step: what to do next, one line (without ``next:``), or None.
        error: set when init failed after it had something to report: the spec was written
            but its start command could not be guessed (with ``--render``), or the files
            could not be written (they would overwrite others without ``--force``, or the
            directory is not writable). The CLI prints the rest first, then this error (exit 2).
    """

    written: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()
    next_step: Optional[str] = None
    error: Optional[DockgenError] = None


def run(request: InitRequest, prompt: Optional[Prompt] = None) -> InitResult:
    """Run ``dockgen init`` for ``request``: an existing project, or a new repository with ``request.new``.

    Args:
        request: the command line's flags.
        prompt: asks the user (each guess is the default); None: ask nothing, take every
            guess (``--yes``, or stdin is not a terminal).
    Returns:
        an :class:`InitResult`; its ``error`` is set when the spec was written but init
        still failed, or when the files could not be written (see :class:`InitResult`).
    Raises:
        UsageError: bad flag values, a missing directory, an existing spec without
            ``--force``, no language found and nobody to ask (nothing written).
        SpecError: the drafted spec does not load (a bug, or a user template's spec).
    """
    if request.new is not None:
        return _new(request, prompt)
    return _existing(request, prompt)


def flag_answers(version: Optional[str], port: Optional[int], cmd: Optional[str], name: Optional[str]) -> dict[str, Guess]:
    """Flags as answers for :func:`dockgen.scaffold.draft`: each a Guess whose source names the flag.

    Args:
        version, port, cmd, name: ``--version``, ``--port``, ``--cmd`` (shell-split into an
            argv), ``--name``; None: not given (no answer).
    Returns:
        {``name``/``version``/``port``/``command``: Guess} for the flags given.
    Raises:
        UsageError: a name that is not a valid spec name, a ``--cmd`` that does not
            shell-split or is empty.
    """
    answers = {}
    if name is not None:
        if sanitize_name(name) != name:
            raise UsageError(f"--name {name!r}: a name is lower-case letters, digits and single '.', '_' or '-' (e.g. {sanitize_name(name)})")
        answers["name"] = Guess(name, "--name")
    if version is not None:
        answers["version"] = Guess(version, "--version")
    if port is not None:
        answers["port"] = Guess(port, "--port")
    if cmd is not None:
        try:
            argv = tuple(shlex.split(cmd))
        except ValueError as exc:
            raise UsageError(f"--cmd {cmd!r}: {exc}") from None
        if not argv:
            raise UsageError("--cmd is empty; give the command that starts the application")
        answers["command"] = Guess(argv, "--cmd")
    return answers


def ask_language(prompt: Prompt, default: Optional[str]) -> str:
    """Ask until the answer is one of :data:`dockgen.languages.NAMES`; returns it."""
    retry = None
    while True:
        answer = prompt(f"Language ({', '.join(languages.NAMES)})", default, retry).strip()
        if answer in languages.NAMES:
            return answer
        retry = f"{answer!r} is not one of {', '.join(languages.NAMES)}"


def ask(prompt: Prompt, detection: Detection, flags: dict, language_given: bool) -> tuple[Detection, dict]:
    """Ask for language, version, port and start command, each with the guess as default.

    Args:
        prompt: asks the user.
        detection: what :func:`~dockgen.detect.detect` found.
        flags: the flags' answers (:func:`flag_answers`); a value given as a flag is not asked for.
        language_given: ``--language`` was given (the language is not asked for).
    Returns:
        (detection, prompted): the detection redone for another language when the user
        chose one, and the answers the user changed (source "answered at the prompt");
        ``port``/``command`` None when the user answered "none". An answer equal to the
        guess is left out, so the guess keeps its source.
    Raises:
        UsageError: a port answer that is not a number from 1 to 65535 or "none".
    """
    if not language_given:
        guessed = str(detection.language.value) if detection.language else None
        chosen = ask_language(prompt, guessed)
        if chosen != guessed:
            detection = detect(detection.directory, chosen)
    prompted: dict = {}
    language = str(detection.language.value)
    if language != "none" and "version" not in flags:
        guess = detection.version
        value = prompt(f"{language} version", str(guess.value) if guess else "")
        if value and (guess is None or value != str(guess.value)):
            prompted["version"] = Guess(value, "answered at the prompt")
    if "port" not in flags:
        guess = detection.port
        value = prompt("Port the application listens on (a number, or none)", str(guess.value) if guess else "none").strip()
        if value.lower() == "none":
            prompted["port"] = None
        elif guess is None or value != str(guess.value):
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise UsageError(f"port {value!r}: expected a number from 1 to 65535, or none")
            prompted["port"] = Guess(int(value), "answered at the prompt")
    if "command" not in flags:
        guess = detection.command.argv if detection.command and detection.command.argv else None
        value = prompt("Start command (or none)", shlex.join(guess) if guess else "none").strip()
        if value.lower() == "none":
            prompted["command"] = None
        elif guess is None or shlex.split(value) != list(guess):
            prompted["command"] = Guess(tuple(shlex.split(value)), "answered at the prompt")
    return detection, prompted


def _no_language(directory: Path) -> UsageError:
    return UsageError(f"{directory}: no recognisable language (looked for {', '.join(looked_for())} and source files); "
                      f"pass --language {'|'.join(languages.NAMES)}")


def schema_file(directory: Path, schema_ref: str) -> list[OutputFile]:
    """``[dockgen.schema.json]`` for the spec's ``$schema`` line when ``schema_ref`` is the
    default path and ``directory`` has no such file yet; otherwise ``[]``."""
    if schema_ref != SCHEMA_NAME or (directory / SCHEMA_NAME).exists():
        return []
    return [OutputFile(SCHEMA_NAME, json_schema_text().encode())]


def check_spec(text: OutputFile, directory: Path, spec: Optional[SpecDraft], render_files: bool,
               renderer: Renderer, warnings: list[str], drafted: tuple[OutputFile, ...] = ()) -> Optional[list[OutputFile]]:
    """Load the spec about to be written with dockgen's own loader and planner.

    Args:
        text: the spec file (``dockgen.yaml``); directory: its directory (the build context).
        spec: the draft it was written from, or None (a user template's own spec).
        render_files: also render the container files.
        renderer: renders them.
        warnings: the plan's warnings are appended here.
        drafted: the other files init is about to write (a config template the spec names).
    Returns:
        the container files (``[]`` without ``render_files``), or None when the draft has
        placeholders the user must fill in (``spec.missing``) and so does not load.
    Raises:
        SpecError: the spec does not load for another reason.
    """
    try:
        provided = {f.name: f.content.decode() for f in drafted}
        loaded = load_text(text.content.decode(), str(directory / SPEC_NAME), directory, provided)
        plan = make_plan(loaded)
    except SpecError:
        if spec is not None and spec.missing:
            return None  # placeholders the user fills in: reported by the caller
        raise
    warnings.extend(plan.warnings)
    return renderer.files(plan) if render_files else []


def drafted_files(renderer: Renderer, directory: Path, detection: Detection) -> tuple[OutputFile, ...]:
    """The files the detection asks for (``detection.files``: the nginx configuration of a
    PHP framework) that ``directory`` lacks, rendered from ``templates/init/files/``; a
    file the project has is never replaced."""
    return tuple(OutputFile(path, renderer.text(f"init/files/{template}").encode())
                 for path, template in detection.files if not (directory / path).exists())


def _listing_order(files: list[OutputFile]) -> list[OutputFile]:
    """Top-level files first, then each subdirectory's, in order of first appearance."""
    groups: dict[str, list[OutputFile]] = {}
    for f in files:
        groups.setdefault(posixpath.dirname(f.name), []).append(f)
    return [f for group in groups.values() for f in group]


def _write(directory: Path, files: list[OutputFile], force: bool) -> tuple[Path, ...]:
    """Write ``files`` into ``directory`` all or nothing (:func:`dockgen.render.write`); the paths written."""
    written = write(_listing_order(files), directory, force=force, refusal=REFUSAL)
    return tuple(directory / name for name in written)


def _existing(request: InitRequest, prompt: Optional[Prompt]) -> InitResult:
    directory = request.directory or Path(".")
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory")
    spec_path = directory / SPEC_NAME
    if spec_path.exists() and not request.force:
        raise UsageError(f"{spec_path} exists; edit it, or use --force to replace it")
    renderer = make_renderer(request.template)
    flags = flag_answers(request.version, request.port, request.cmd, request.name)
    detection = detect(directory, request.language)
    if detection.language is None and prompt is None:
        raise _no_language(directory)
    prompted: dict = {}
    if prompt is not None:
        detection, prompted = ask(prompt, detection, flags, request.language is not None)
    spec = draft(detection, merge_answers(flags, prompted, detection, str(detection.language.value)),
                 kubernetes=request.kubernetes)
    text = spec_file(renderer, spec, request.schema_ref)
    drafted = drafted_files(renderer, directory, detection)
    warnings: list[str] = []
    container = check_spec(text, directory, spec, request.render, renderer, warnings, drafted)
    files = [text] + list(drafted) + schema_file(directory, request.schema_ref) + (container or [])
    try:
        written = _write(directory, files, request.force)
    except DockgenError as error:  # the plan's warnings are still worth showing
        return InitResult(warnings=tuple(warnings), error=error)
    warnings.extend(spec.notes)
    if container is None:
        fields = " and ".join(spec.missing)
        message = (f"{spec_path}: {fields} could not be guessed; fill in the commented-out line(s) marked TODO, "
                   f"then run `dockgen render {spec_path}`")
        if request.render:
            return InitResult(written, tuple(warnings), error=UsageError(message + " (nothing rendered)"))
        warnings.append(message)
        return InitResult(written, tuple(warnings))
    next_step = None if request.render else f"check the comments in {spec_path}, then run `dockgen render {spec_path}`"
    return InitResult(written, tuple(warnings), next_step)


def _value(guess: Optional[Guess], fallback: object) -> object:
    return guess.value if guess is not None else fallback


def _new(request: InitRequest, prompt: Optional[Prompt]) -> InitResult:
    name, language, version, port = request.new, request.language, request.version, request.port
    if sanitize_name(name) != name:
        raise UsageError(f"--new {name!r}: a name is lower-case letters, digits and single '.', '_' or '-' (e.g. {sanitize_name(name)})")
    if language is None:
        if prompt is None:
            raise UsageError(f"--new needs --language {'|'.join(languages.NAMES)}")
        language = ask_language(prompt, None)
    target = request.directory if request.directory is not None else Path(name)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a directory")
    renderer = make_renderer(request.template)
    flags = {**flag_answers(version, port, request.cmd, None), "name": Guess(name, "--new")}
    chosen = merge_answers(flags, {}, None, language, new=True)
    app_files = new_repo_files(renderer, name, language, str(_value(chosen.get("version"), "")), int(_value(chosen.get("port"), 0)),
                               kubernetes=request.kubernetes)
    with tempfile.TemporaryDirectory(prefix="dockgen-new-") as scratch:
        write(app_files, Path(scratch))
        detection = detect(scratch, language)
    detection = dataclasses.replace(detection, directory=target)
    own_spec = [f for f in app_files if f.name == SPEC_NAME]  # a template directory may bring its own spec
    spec = None
    if own_spec:
        text = own_spec[0]
        app_files = [f for f in app_files if f.name != SPEC_NAME]
    else:
        spec = draft(detection, merge_answers(flags, {}, detection, language), new=True, kubernetes=request.kubernetes)
        text = spec_file(renderer, spec, request.schema_ref, origin="new")
    warnings: list[str] = []
    container = check_spec(text, target, spec, True, renderer, warnings)
    if container is None:
        raise UsageError(f"the {language} template's spec needs {' and '.join(spec.missing)}: give --cmd")
    files = [text] + schema_file(target, request.schema_ref) + app_files + container
    try:
        written = _write(target, files, request.force)
    except DockgenError as error:  # the plan's warnings are still worth showing
        return InitResult(warnings=tuple(warnings), error=error)
    warnings.extend(spec.notes if spec else ())
    return InitResult(written, tuple(warnings), f"cd {target} && git init && docker compose up --build")
