"""The ``dockgen`` command line (Typer): parses arguments, calls the stations, prints errors.

YAML file → loader → plan → render → files. No logic lives here beyond wiring and
messages. Exit codes: 0 ok, 1 a check failed, 2 bad input or usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import DockgenError

app = typer.Typer(
    name="dockgen",
    help="Turn a short YAML spec of an application into a best-practice Dockerfile, "
    ".dockerignore, run.sh and a locked-down compose.yaml.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

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

    Example: dockgen render specs/flask-notes.yaml -o build/
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


@app.command()
def render(
    spec: SpecArgument,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Directory to write into; it is the build context. Default: the spec's directory.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that differ.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 listing the files that differ from what the spec renders.")] = False,
    annotate: Annotated[bool, typer.Option("--annotate", help="Write each Dockerfile instruction's spec field and rule IDs as comments (R21).")] = False,
    print_run: Annotated[bool, typer.Option("--print-run", help="Print the equivalent `docker run` line instead of writing files.")] = False,
) -> None:
    """Render the container files for SPEC.

    Writes Dockerfile, .dockerignore, compose.yaml, run.sh (when the image has a shell)
    and supervisord.conf (with processes). Never overwrites a differing file without --force.

    Example: dockgen render specs/flask-notes.yaml -o build/
    """
    from .render import Renderer, check as check_files, write

    try:
        loaded, plan = _plan(spec)
        renderer = Renderer()
        if print_run:
            typer.echo(renderer.run_command(plan), nl=False)
            return
        files = renderer.files(plan, annotate=annotate)
        directory = output if output is not None else loaded.context
        if check:
            check_files(files, directory)
            typer.echo(f"{directory}: up to date", err=True)
            return
        written = write(files, directory, force=force)
    except DockgenError as error:
        raise _fail(error) from None
    for name in written:
        typer.echo(str(directory / name))
    if not written:
        typer.echo(f"{directory}: up to date", err=True)


@app.command()
def validate(spec: SpecArgument) -> None:
    """Check SPEC without writing anything; exit 2 with every problem found.

    Example: dockgen validate specs/flask-notes.yaml
    """
    try:
        _plan(spec)
    except DockgenError as error:
        raise _fail(error) from None
    typer.echo(f"{spec}: valid", err=True)


def run() -> None:
    """Console entry point: run the Typer app (``dockgen`` script)."""
    app(prog_name="dockgen")


if __name__ == "__main__":  # pragma: no cover
    run()
    sys.exit(0)
