"""The ``dockgen`` command line (Typer): parses arguments, calls the stations, prints errors.

YAML file → loader → plan → render → files. No logic lives here beyond wiring and
messages. Exit codes: 0 ok, 1 a check failed, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import CheckFailed, DockgenError, UsageError

app = typer.Typer(
    name="dockgen",
    help="Turn a short YAML spec of an application into a best-practice Dockerfile, "
    ".dockerignore, run.sh and a locked-down compose.yaml.\n\n"
    "Example: dockgen init . --yes --render",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

class Language(str, Enum):
    """The languages a spec can name (``language:``)."""

    python = "python"
    node = "node"
    ruby = "ruby"
    php = "php"
    go = "go"
    none = "none"


SpecArgument = Annotated[Path, typer.Argument(help="The spec file (YAML). Its directory is the build context.", show_default=False)]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dockgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """dockgen: container files that are right by construction.

    Example: dockgen render specs/python-notes/dockgen.yaml -o build/
    """


def _fail(error: DockgenError) -> typer.Exit:
    typer.echo(str(error) if str(error).startswith("error:") else f"error: {error}", err=True)
    return typer.Exit(error.exit_code)


def _warn(messages: list[str] | tuple[str, ...]) -> None:
    for message in messages:
        typer.echo(f"warning: {message}", err=True)


def _plan(spec: Path):
    from .loader import load_spec
    from .plan import make_plan

    loaded = load_spec(spec)
    plan = make_plan(loaded)
    missing = [name for name in plan.context_files if not (loaded.context / name).exists()]
    if missing:
        _warn([f"{spec}: dependencies: {', '.join(missing)} not found in the build context {loaded.context}; "
               "the image build will need them"])
    _warn(plan.warnings)
    return loaded, plan


TemplateOption = Annotated[Optional[Path], typer.Option(
    "--template", metavar="DIR", file_okay=False, dir_okay=True,
    help="A directory of your own templates, searched before dockgen's: a file there with the same "
    "relative name (Dockerfile.j2, init/dockgen.yaml.j2, ...) replaces dockgen's (see README, Templates).",
)]


def _renderer(template: Optional[Path]):
    from .render import Renderer

    if template is not None and not template.is_dir():
        raise UsageError(f"--template {template}: not a directory")
    return Renderer([template] if template is not None else None)


@app.command()
def render(
    specs: Annotated[list[Path], typer.Argument(metavar="SPEC...", help="The spec file(s) (YAML). Each spec's directory is its build context.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Directory to write into; it is the build context. Default: the spec's directory.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that differ.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 listing the files that differ from what the spec renders.")] = False,
    annotate: Annotated[bool, typer.Option("--annotate", help="Write each Dockerfile instruction's spec field and rule IDs as comments (R21).")] = False,
    print_run: Annotated[bool, typer.Option("--print-run", help="Print the equivalent `docker run` line instead of writing files.")] = False,
    template: TemplateOption = None,
) -> None:
    """Render the container files for SPEC.

    Writes Dockerfile, .dockerignore, compose.yaml, run.sh (when the image has a shell)
    and supervisord.conf (with processes). Never overwrites a differing file without --force.
    Several specs render (or --check) one after the other, each into its own directory
    (that is how the pre-commit hook `dockgen-check` calls it).

    Example: dockgen render specs/python-notes/dockgen.yaml -o build/
    """
    from .render import check as check_files, write

    try:
        if len(specs) > 1 and (output is not None or print_run):
            raise UsageError("--output and --print-run take a single SPEC")
        renderer = _renderer(template)
        failed: list[DockgenError] = []
        for spec in specs:
            loaded, plan = _plan(spec)
            if print_run:
                typer.echo(renderer.run_command(plan), nl=False)
                return
            files = renderer.files(plan, annotate=annotate)
            directory = output if output is not None else loaded.context
            if check:
                try:
                    check_files(files, directory)
                except CheckFailed as error:
                    failed.append(error)
                    continue
                typer.echo(f"{directory}: up to date", err=True)
                continue
            written = write(files, directory, force=force)
            for name in written:
                typer.echo(str(directory / name))
            if not written:
                typer.echo(f"{directory}: up to date", err=True)
        if failed:
            for error in failed[:-1]:
                typer.echo(str(error) if str(error).startswith("error:") else f"error: {error}", err=True)
            raise failed[-1]
    except DockgenError as error:
        raise _fail(error) from None


@app.command()
def validate(spec: SpecArgument) -> None:
    """Check SPEC without writing anything; exit 2 with every problem found.

    Example: dockgen validate specs/python-notes/dockgen.yaml
    """
    try:
        _plan(spec)
    except DockgenError as error:
        raise _fail(error) from None
    typer.echo(f"{spec}: valid", err=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec (from the spec model), for editors and validators.

    Save it next to your spec; `dockgen init` points the spec's first line
    (`# yaml-language-server: $schema=dockgen.schema.json`) at it, so editors with the
    YAML language server complete and check every field.

    Example: dockgen schema > dockgen.schema.json
    """
    typer.echo(_schema_text(), nl=False)


def _schema_text() -> str:
    """The spec's JSON Schema (draft 2020-12) from ``Spec.model_json_schema(by_alias=True)``, as text."""
    import json

    from .spec import Spec

    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dockgen spec",
        **{k: v for k, v in Spec.model_json_schema(by_alias=True).items() if k != "title"},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@app.command()
def explain(
    spec: SpecArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {stage, instruction, field, rules} instead of a table.")] = False,
    template: TemplateOption = None,
) -> None:
    """Show every Dockerfile instruction SPEC produces, with the spec field and rule IDs behind it (R21).

    `dockgen render --annotate` writes the same as comments into the Dockerfile.

    Example: dockgen explain specs/python-notes/dockgen.yaml
    """
    try:
        _, plan = _plan(spec)
        rows = _renderer(template).explain(plan)
    except DockgenError as error:
        raise _fail(error) from None
    if as_json:
        import json

        typer.echo(json.dumps([{"stage": stage or "final", "instruction": _instruction(text), "field": field, "rules": list(rules)}
                               for stage, text, field, rules in rows], indent=2, ensure_ascii=False))
        return
    table = [("STAGE", "SPEC FIELD", "RULES", "INSTRUCTION")]
    table += [(stage or "final", field, " ".join(rules) or "-", _instruction(text)) for stage, text, field, rules in rows]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    indent = " " * (sum(widths) + 6)
    for row in table:
        head = "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
        first, *rest = row[3].split("\n")
        typer.echo(f"{head}  {first}".rstrip())
        for line in rest:
            typer.echo(f"{indent}{line.rstrip()}")


def _instruction(text: str) -> str:
    """An instruction's text without dockgen's own comment lines (``# hadolint ignore=...``)."""
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("#"))


@app.command()
def init(
    directory: Annotated[Optional[Path], typer.Argument(
        help="The project directory (default: the current one). With --new: the new repository's directory (default: ./NAME).",
        show_default=False)] = None,
    new: Annotated[Optional[str], typer.Option("--new", metavar="NAME", help="Create a new repository NAME: the spec, a minimal app, the container files, .gitignore and a CI workflow (R20).")] = None,
    language: Annotated[Optional[Language], typer.Option("--language", "-l", help="The language (default: guessed from the project's files).", show_default=False)] = None,
    version: Annotated[Optional[str], typer.Option("--version", help="The language version, e.g. 3.12 (default: from .python-version, .nvmrc, go.mod, ...).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", min=1, max=65535, help="The port the application listens on (default: guessed).")] = None,
    cmd: Annotated[Optional[str], typer.Option("--cmd", metavar="COMMAND", help="The start command, e.g. 'gunicorn app:app'; its first word becomes entrypoint, the rest cmd (R12).")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="The application's name (default: from pyproject.toml, package.json, go.mod, ... or the directory).")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Take every guess without asking (also the case when stdin is not a terminal).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing dockgen.yaml (and, with --render, container files).")] = False,
    render_files: Annotated[bool, typer.Option("--render", help="Also render the container files (always done with --new).")] = False,
    template: TemplateOption = None,
    schema_ref: Annotated[str, typer.Option("--schema", metavar="PATH|URL", help="Where the spec's `$schema` line points; dockgen writes dockgen.schema.json there when it is the default and absent.")] = "dockgen.schema.json",
) -> None:
    """Write dockgen.yaml for an existing project, guessed from its own files, or create a new repository.

    Every guessed value is written with a comment saying where it came from; what cannot be
    guessed is a commented-out placeholder. Asks for each value (the guess is the default)
    when stdin is a terminal; with --yes or without a terminal it asks nothing. Never
    replaces an existing spec or container file without --force (exit 2). When the start
    command cannot be guessed, the spec is still written, with a warning (exit 0), and
    --render exits 2 until it is filled in.

    Example: dockgen init . --yes --render

    Example: dockgen init --new hello --language python
    """
    language = language.value if language is not None else None
    try:
        if new is not None:
            _init_new(new, directory, language, version, port, cmd, yes, force, template, schema_ref)
        else:
            _init_existing(directory or Path("."), language, version, port, cmd, name, yes, force, render_files, template, schema_ref)
    except DockgenError as error:
        raise _fail(error) from None


def _ask_language(default: Optional[str]) -> str:
    """Prompt until the answer is one of the languages dockgen knows."""
    choices = [member.value for member in Language]
    while True:
        answer = typer.prompt(f"Language ({', '.join(choices)})", default=default).strip()
        if answer in choices:
            return answer
        typer.echo(f"error: {answer!r} is not one of {', '.join(choices)}", err=True)


def _interactive(yes: bool) -> bool:
    return not yes and sys.stdin is not None and sys.stdin.isatty()


def _flag_answers(version, port, cmd, name) -> dict:
    """Flags as answers for scaffold.draft: each a Guess whose source names the flag."""
    import shlex

    from .detect import Guess, sanitize_name

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


def _prompt(detection, answers: dict, language_given: bool):
    """Ask for language, version, port and start command, each with the guess as default."""
    import shlex

    from .detect import Guess, detect

    if not language_given:
        guessed = str(detection.language.value) if detection.language else None
        chosen = _ask_language(guessed)
        if chosen != guessed:
            detection = detect(detection.directory, chosen)
    language = str(detection.language.value)
    if language != "none" and "version" not in answers:
        guess = detection.version
        value = typer.prompt(f"{language} version", default=str(guess.value) if guess else "")
        if value and (guess is None or value != str(guess.value)):
            answers["version"] = Guess(value, "answered at the prompt")
    if "port" not in answers:
        guess = detection.port
        value = typer.prompt("Port the application listens on (a number, or none)", default=str(guess.value) if guess else "none").strip()
        if value.lower() == "none":
            answers["port"] = None
        elif guess is None or value != str(guess.value):
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise UsageError(f"port {value!r}: expected a number from 1 to 65535, or none")
            answers["port"] = Guess(int(value), "answered at the prompt")
    if "command" not in answers:
        guess = detection.command.argv if detection.command and detection.command.argv else None
        value = typer.prompt("Start command (or none)", default=shlex.join(guess) if guess else "none").strip()
        if value.lower() == "none":
            answers["command"] = None
        elif guess is None or shlex.split(value) != list(guess):
            answers["command"] = Guess(tuple(shlex.split(value)), "answered at the prompt")
    return detection, answers


def _no_language(directory: Path) -> UsageError:
    from .detect import EVIDENCE

    looked = sorted({p for markers in EVIDENCE.values() for p, _ in markers if "*" not in p and "/" not in p})
    return UsageError(f"{directory}: no recognisable language (looked for {', '.join(looked)} and source files); "
                      "pass --language python|node|ruby|php|go|none")


def _refuse_existing(directory: Path, files, force: bool) -> None:
    """Exit 2, writing nothing, when any of ``files`` exists in ``directory`` with other content."""
    from .render import differing

    clashes = [f.name for f in files if f.name in differing([f], directory) and (directory / f.name).exists()]
    if clashes and not force:
        raise UsageError("refusing to overwrite existing files (use --force to replace them):\n"
                         + "\n".join(f"  {directory / name}" for name in clashes))


def _write_tree(directory: Path, files, force: bool) -> list[str]:
    """Write ``files`` (names may hold subdirectories) with render.write, one directory at a time."""
    from .render import OutputFile, write

    groups: dict[str, list] = {}
    for f in files:
        parent, _, base = f.name.rpartition("/")
        groups.setdefault(parent, []).append(OutputFile(base, f.content, f.mode))
    written = []
    for parent, group in groups.items():
        for base in write(group, directory / parent if parent else directory, force=force):
            written.append(f"{parent}/{base}" if parent else base)
    return written


def _schema_file(directory: Path, schema_ref: str):
    """dockgen.schema.json for the spec's `$schema` line, when that is the default path and the file is absent."""
    from .render import OutputFile
    from .scaffold import SCHEMA_NAME

    if schema_ref != SCHEMA_NAME or (directory / SCHEMA_NAME).exists():
        return []
    return [OutputFile(SCHEMA_NAME, _schema_text().encode())]


def _check_spec(spec_file, directory: Path, draft, render_files: bool, renderer):
    """Load the written spec with dockgen's own loader; return the container files (or [])."""
    from .errors import SpecError
    from .loader import load_text
    from .plan import make_plan
    from .scaffold import SPEC_NAME

    try:
        loaded = load_text(spec_file.content.decode(), str(directory / SPEC_NAME), directory)
        plan = make_plan(loaded)
    except SpecError as error:
        if draft is not None and draft.missing:
            return None  # placeholders the user fills in: reported by the caller
        raise
    _warn(list(plan.warnings))
    return renderer.files(plan) if render_files else []


def _init_existing(directory, language, version, port, cmd, name, yes, force, render_files, template, schema_ref) -> None:
    from .detect import detect
    from .scaffold import SPEC_NAME, draft, spec_file

    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory")
    spec_path = directory / SPEC_NAME
    if spec_path.exists() and not force:
        raise UsageError(f"{spec_path} exists; edit it, or use --force to replace it")
    renderer = _renderer(template)
    answers = _flag_answers(version, port, cmd, name)
    detection = detect(directory, language)
    interactive = _interactive(yes)
    if detection.language is None and not interactive:
        raise _no_language(directory)
    if interactive:
        detection, answers = _prompt(detection, answers, language is not None)
    spec = draft(detection, answers)
    text = spec_file(renderer, spec, schema_ref)
    container = _check_spec(text, directory, spec, render_files, renderer)
    files = [text] + _schema_file(directory, schema_ref) + (container or [])
    _refuse_existing(directory, files, force)
    for written in _write_tree(directory, files, force=True):
        typer.echo(str(directory / written))
    _warn(list(spec.notes))
    if container is None:
        fields = " and ".join(spec.missing)
        message = (f"{spec_path}: {fields} could not be guessed; fill in the commented-out line(s) marked TODO, "
                   f"then run `dockgen render {spec_path}`")
        if render_files:
            raise UsageError(message + " (nothing rendered)")
        _warn([message])
    elif not render_files:
        typer.echo(f"next: check the comments in {spec_path}, then run `dockgen render {spec_path}`", err=True)


def _init_new(name, directory, language, version, port, cmd, yes, force, template, schema_ref) -> None:
    import dataclasses
    import tempfile

    from .detect import Guess, detect, sanitize_name
    from .render import OutputFile
    from .scaffold import SPEC_NAME, draft, new_repo_files, spec_file

    if sanitize_name(name) != name:
        raise UsageError(f"--new {name!r}: a name is lower-case letters, digits and single '.', '_' or '-' (e.g. {sanitize_name(name)})")
    if language is None:
        if not _interactive(yes):
            raise UsageError("--new needs --language python|node|ruby|php|go|none")
        language = _ask_language(None)
    target = directory if directory is not None else Path(name)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a directory")
    renderer = _renderer(template)
    app_files = new_repo_files(renderer, name, language, version, port)
    answers = _flag_answers(version, port, cmd, None)
    answers["name"] = Guess(name, "--new")
    with tempfile.TemporaryDirectory(prefix="dockgen-new-") as scratch:
        _write_tree(Path(scratch), app_files, force=False)
        detection = detect(scratch, language)
    detection = dataclasses.replace(detection, directory=target)
    own_spec = [f for f in app_files if f.name == SPEC_NAME]  # a template directory may bring its own spec
    spec = None
    if own_spec:
        text = own_spec[0]
        app_files = [f for f in app_files if f.name != SPEC_NAME]
    else:
        spec = draft(detection, answers)
        text = spec_file(renderer, spec, schema_ref, origin="new")
    container = _check_spec(text, target, spec, True, renderer)
    if container is None:
        raise UsageError(f"the {language} template's spec needs {' and '.join(spec.missing)}: give --cmd")
    files = [text] + _schema_file(target, schema_ref) + app_files + container
    if target.is_dir():
        _refuse_existing(target, files, force)
    for written in _write_tree(target, files, force=True):
        typer.echo(str(target / written))
    _warn(list(spec.notes) if spec else [])
    typer.echo(f"next: cd {target} && git init && docker compose up --build", err=True)


def run() -> None:
    """Console entry point: run the Typer app (``dockgen`` script)."""
    app(prog_name="dockgen")


if __name__ == "__main__":  # pragma: no cover
    run()
    sys.exit(0)
