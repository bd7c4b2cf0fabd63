"""The ``dockgen`` command line (Typer): parses arguments, calls the stations, prints errors.

YAML file → loader → plan → render → files. No logic lives here beyond wiring and
messages. Exit codes: 0 ok, 1 a check failed, 2 bad input or usage.

Every station is imported inside the command that needs it, so ``dockgen render`` loads
nothing that only ``init``, ``schema`` or ``explain`` use. No ``from __future__ import
annotations`` here: Typer would then evaluate every annotation string on each run (about
3 ms of a render).
"""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import CheckFailed, DockgenError, UsageError
from .languages import NAMES as LANGUAGES

app = typer.Typer(
    name="dockgen",
    help="Turn a short YAML spec of an application into a best-practice Dockerfile, "
    ".dockerignore, run.sh and a locked-down compose.yaml.\n\n"
    "Example: dockgen init . --yes --render",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# The languages a spec can name (``language:``), from the registry.
Language = Enum("Language", {name: name for name in LANGUAGES}, type=str)


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


def _report(error: DockgenError) -> None:
    typer.echo(str(error) if str(error).startswith("error:") else f"error: {error}", err=True)


def _fail(error: DockgenError) -> typer.Exit:
    _report(error)
    return typer.Exit(error.exit_code)


def _warn(messages: list[str] | tuple[str, ...]) -> None:
    for message in messages:
        typer.echo(f"warning: {message}", err=True)


def _wrote(path: Path) -> None:
    """Report one file written (render, lock, init): ``wrote PATH`` on stdout, the one wording."""
    typer.echo(f"wrote {path}")


def _plan(spec: Path, kubernetes: bool = False, output: Optional[Path] = None):
    """Load and plan ``spec``, printing the warnings; ``(LoadedSpec, Plan)``. k8s/ is planned
    with ``--kubernetes``, or when an earlier render wrote it where the files go (so it is
    never left stale). Raises DockgenError on bad input."""
    from .context import check_context
    from .files import has_kubernetes
    from .loader import load_spec
    from .plan import make_plan

    loaded = load_spec(spec)
    kubernetes = kubernetes or has_kubernetes(output if output is not None else loaded.context)
    plan = make_plan(loaded, kubernetes=kubernetes)
    _warn(check_context(loaded, plan.context_files))  # issue 10, item 7: symlinks out, misspelt manifests
    _warn(plan.warnings)
    return loaded, plan


TemplateOption = Annotated[Optional[Path], typer.Option(
    "--template", metavar="DIR", file_okay=False, dir_okay=True,
    help="A directory of your own templates, searched before dockgen's: a file there with the same "
    "relative name (Dockerfile.j2, init/dockgen.yaml.j2, ...) replaces dockgen's (see README, Templates).",
)]


@app.command()
def render(
    specs: Annotated[list[Path], typer.Argument(metavar="SPEC...", help="The spec file(s) (YAML). Each spec's directory is its build context.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="DIR", help=(
        "Directory to write into. Default: the spec's directory, which is the build context: the Dockerfile "
        "COPYs the application from there. With a DIR elsewhere the files are for review and diffs, unless "
        "the application is in DIR too (a warning names what DIR lacks)."))] = None,
    force: Annotated[bool, typer.Option("--force", help=(
        "Also overwrite files dockgen did not write or that were edited since (files dockgen wrote, "
        "with their checksum intact, are updated without it)."))] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 listing each file that is missing or differs from what the spec renders.")] = False,
    annotate: Annotated[bool, typer.Option("--annotate", help="Write each Dockerfile instruction's spec field and rule IDs as comments (R21).")] = False,
    print_run: Annotated[bool, typer.Option("--print-run", help="Print the equivalent `docker run` line instead of writing files.")] = False,
    kubernetes: Annotated[bool, typer.Option("--kubernetes", help=(
        "Also write k8s/: a Deployment, a Service, a claim per volume and kustomization.yaml (a spec's "
        "`kubernetes:` block asks for them always)."))] = False,
    template: TemplateOption = None,
) -> None:
    """Render the container files for SPEC.

    Writes Dockerfile, .dockerignore, compose.yaml and run.sh (when the image has a
    shell; with processes, run.sh also sets up s6 at start). Each carries a checksum of
    its content in its header comment, so a file dockgen wrote is updated when the spec
    changes; a file of your own, or one edited by hand, is never overwritten without
    --force, and a supervisord.conf an earlier dockgen wrote is removed.
    Several specs render (or --check) one after the other, each into its own directory
    (that is how the pre-commit hook `dockgen-check` calls it).

    Example: dockgen render specs/python-notes/dockgen.yaml -o build/
    """
    from .render import make_renderer

    try:
        if len(specs) > 1 and (output is not None or print_run):
            raise UsageError("--output and --print-run take a single SPEC")
        renderer = make_renderer(template)
        failed: list[DockgenError] = []
        for spec in specs:
            loaded, plan = _plan(spec, kubernetes, output)
            if print_run:
                typer.echo(renderer.run_command(plan), nl=False)
                return
            error = _render_one(renderer.files(plan, annotate=annotate), loaded.context, output, plan, force, check)
            if error is not None:
                failed.append(error)
        if failed:
            for error in failed[:-1]:
                _report(error)
            raise failed[-1]
    except DockgenError as error:
        raise _fail(error) from None


def _render_one(files, context: Path, output: Optional[Path], plan, force: bool, check: bool) -> Optional[CheckFailed]:
    """Write (or with ``check``, compare) one spec's ``files`` and print what happened.

    Returns the :class:`CheckFailed` of ``--check`` for the caller to report, else None.
    Raises DockgenError: the files cannot be written (see :func:`dockgen.files.update`).
    """
    from .files import OBSOLETE, check as check_files, context_warning, shown, update

    directory = output if output is not None else context
    if output is not None:
        _warn([warning] if (warning := context_warning(context, directory, plan, files)) else [])
    if check:
        try:
            check_files(files, directory)
        except CheckFailed as error:
            return error
        typer.echo(f"{shown(directory)}: up to date", err=True)
        return None
    done = update(files, directory, force=force)
    for name in done.written:
        _wrote(directory / name)
    for name in done.removed:
        typer.echo(f"removed {directory / name}: {OBSOLETE[name]}")
    _warn(done.warnings)
    if not done.written and not done.removed:
        typer.echo(f"{shown(directory)}: up to date", err=True)
    return None


@app.command()
def lock(
    spec: SpecArgument,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 listing each image whose digest is missing from the lock, has moved at the registry, or is no longer used.")] = False,
    mirror: Annotated[Optional[str], typer.Option("--mirror", metavar="URL", help="Ask this registry for Docker Hub's images (a pull-through mirror, e.g. https://mirror.gcr.io); http:// only on this machine.")] = None,
) -> None:
    """Resolve every image SPEC's Dockerfile pulls to its digest and record them beside SPEC.

    Writes SPEC's lock (dockgen.lock.yaml for dockgen.yaml); `dockgen render` then writes
    each FROM as image:tag@sha256:... without asking any registry. Multi-arch images are
    locked by their index digest. Credentials come from the Docker config (~/.docker/config.json
    or $DOCKER_CONFIG); Docker Hub is asked anonymously otherwise. An unknown image, an
    unreachable registry or refused credentials exit 2 and change no file.

    Example: dockgen lock specs/python-notes/dockgen.yaml && dockgen render specs/python-notes/dockgen.yaml
    """
    from dataclasses import replace

    from .files import OutputFile, write
    from .lockfile import Lock, check_lock, lock_path
    from .loader import load_spec
    from .plan import make_plan
    from .plan.pins import images_used
    from .registry import Client, resolve
    from .render import make_renderer

    try:
        loaded = load_spec(spec, with_lock=check)  # a malformed lock is rewritten, not refused
        images = images_used(make_plan(replace(loaded, lock=None)).stages)
        client = Client(mirror)
        try:
            current = resolve(images, client)
        finally:
            client.close()
        path = lock_path(spec)
        if check:
            check_lock(loaded.lock, current, path, spec)
            typer.echo(f"{path}: up to date", err=True)
            return
        entries = Lock(path, current).entries()
        shown_name = "".join(c if c.isprintable() else "?" for c in spec.name)  # a comment line stays one line
        text = make_renderer().text("dockgen.lock.yaml.j2", spec=shown_name, entries=entries)
        if write([OutputFile(path.name, text.encode())], path.parent, force=True):
            _wrote(path)
            typer.echo(f"next: dockgen render {spec} (writes the digests into the Dockerfile)", err=True)
        else:
            typer.echo(f"{path}: up to date", err=True)
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
    from .schema import json_schema_text

    typer.echo(json_schema_text(), nl=False)


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
    from .render import make_renderer

    try:
        _, plan = _plan(spec)
        rows = make_renderer(template).explain(plan)
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
    kubernetes: Annotated[bool, typer.Option("--kubernetes", help=(
        "Add a `kubernetes:` block to the spec, so render writes k8s/ too; with --new the CI workflow "
        "validates the manifests."))] = False,
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
    from .init import InitRequest, run as run_init

    request = InitRequest(directory=directory, new=new, language=language.value if language is not None else None,
                          version=version, port=port, cmd=cmd, name=name, force=force, render=render_files,
                          template=template, schema_ref=schema_ref, kubernetes=kubernetes)
    try:
        result = run_init(request, _prompt if _interactive(yes) else None)
        for path in result.written:
            _wrote(path)
        _warn(result.warnings)
        if result.next_step is not None:
            typer.echo(f"next: {result.next_step}", err=True)
        if result.error is not None:
            raise result.error
    except DockgenError as error:
        raise _fail(error) from None


def _interactive(yes: bool) -> bool:
    """Whether ``init`` may ask: not ``--yes``, and stdin is a terminal."""
    return not yes and sys.stdin is not None and sys.stdin.isatty()


def _prompt(question: str, default: Optional[str], retry: Optional[str] = None) -> str:
    """``init``'s prompt (:class:`dockgen.init.Prompt`): ``retry`` as an error line, then ``typer.prompt``."""
    if retry is not None:
        typer.echo(f"error: {retry}", err=True)
    return typer.prompt(question, default=default)


def run() -> None:
    """Console entry point: run the Typer app (``dockgen`` script)."""
    app(prog_name="dockgen")


if __name__ == "__main__":  # pragma: no cover
    run()
    sys.exit(0)
