"""Plan → file contents through Jinja2 templates; atomic writes and ``--check``.

One Jinja ``Environment`` (StrictUndefined, no autoescape, trim_blocks) renders every
file. Every spec value passes through the filter made for its file's syntax (DESIGN.md,
"Quoting is a design decision"):

- ``json``: Dockerfile exec-form arrays (ENTRYPOINT, CMD, HEALTHCHECK), backslashes as ``\\u005c``;
- ``dq``: Dockerfile ENV/LABEL/ARG values, double-quoted with ``"`` and ``$`` escaped and each
  backslash escaped outside the quotes, so the builder expands nothing and no line continues;
- ``sh``: POSIX shell words, single-quoted where needed (``shlex.quote``);
- ``yaml``: YAML scalars and flow collections, emitted by PyYAML;
- ``compose``: the same for compose.yaml values that may hold ``$`` (doubled: compose's escape);
- ``supervisor``: supervisord ``command=`` lines (shlex-split by supervisord, ``%`` escaped).
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from .errors import CheckFailed, UsageError
from .plan import Plan

_PACKAGE_TEMPLATES = Path(__file__).parent / "templates"  # in an installed wheel
_SOURCE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # in a source checkout
TEMPLATES = _PACKAGE_TEMPLATES if _PACKAGE_TEMPLATES.is_dir() else _SOURCE_TEMPLATES


def dockerfile_quote(value: str) -> str:
    """Quote ``value`` for a Dockerfile ENV/LABEL/ARG value: one word, taken literally.

    The text between backslashes is double-quoted with ``"`` and ``$`` escaped (what
    BuildKit's word lexer un-escapes inside double quotes, so nothing is expanded); each
    backslash is written as ``\\\\`` *between* the quoted parts (``x\\`` becomes
    ``"x"\\\\""``). Docker reads ``"a\\\\b"`` the same way, but hadolint's parser takes the
    ``\\"`` of ``"x\\\\"`` for an escaped quote and fails (DL1000), so no backslash is
    written inside the quotes. Newlines are refused by the spec model.
    """
    if "\n" in value or "\r" in value:
        raise ValueError("a Dockerfile value cannot hold a newline")
    return "\\\\".join('"' + part.replace('"', '\\"').replace("$", "\\$") + '"' for part in value.split("\\"))


def dockerfile_json(argv: object) -> str:
    """An argv as a Dockerfile exec-form JSON array (ENTRYPOINT, CMD, HEALTHCHECK; R02, R12).

    Backslashes are written as ``\\u005c``: plain JSON to Docker, while hadolint's parser
    takes the ``\\"`` of ``"x\\\\"`` for an escaped quote, sees no JSON array and reports
    DL3025 (shell form). Other characters are kept as they are (no ASCII escaping).
    """
    return json.dumps(list(argv), ensure_ascii=False).replace("\\\\", "\\u005c")


def yaml_value(value: object) -> str:
    """``value`` as one line of YAML (a scalar or a flow collection), emitted by PyYAML."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=2**31, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...")


def compose_value(value: object) -> str:
    """``value`` as YAML for compose.yaml, every ``$`` doubled in its strings.

    Compose interpolates ``$VAR``/``${VAR}`` in every string of the file; ``$$`` is its
    escape for a literal ``$``, so a command reaches the container exactly as written.
    """
    def escape(item: object) -> object:
        if isinstance(item, str):
            return item.replace("$", "$$")
        if isinstance(item, (list, tuple)):
            return [escape(i) for i in item]
        return item

    return yaml_value(escape(value))


def supervisor_command(argv: tuple[str, ...]) -> str:
    """An argv as a supervisord ``command=`` value: shell-quoted, ``%`` doubled."""
    return shlex.join(argv).replace("%", "%%")


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's compiled-template cache under ``$XDG_CACHE_HOME/dockgen`` (keyed by template
    source checksum, so an edited template is recompiled); None when it cannot be created."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    directory = base / "dockgen" / f"jinja-{jinja2.__version__}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def _environment(template_dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        json=dockerfile_json,
        dq=dockerfile_quote,
        sh=lambda v: shlex.quote(str(v)),
        yaml=yaml_value,
        compose=compose_value,
        supervisor=supervisor_command,
    )
    return env


@dataclass(frozen=True)
class OutputFile:
    """A generated file: its name in the output directory, content (bytes) and mode."""

    name: str
    content: bytes
    mode: int = 0o644


class Renderer:
    """Renders a :class:`~dockgen.plan.Plan` with dockgen's templates.

    Args:
        template_dirs: directories searched before dockgen's own templates (a user's
            ``--template DIR`` overrides any template of the same name).
    """

    def __init__(self, template_dirs: list[Path] | None = None):
        self.env = _environment([*(template_dirs or []), TEMPLATES])

    def text(self, template: str, **context: object) -> str:
        """Render one template by name with ``context``; raises jinja2 errors on a bug."""
        return self.env.get_template(template).render(**context)

    def files(self, plan: Plan, annotate: bool = False) -> list[OutputFile]:
        """All files for ``plan``: Dockerfile, .dockerignore, compose.yaml, run.sh, supervisord.conf.

        Args:
            plan: the build plan.
            annotate: write each instruction's spec field and rule IDs as comments (R21).
        Returns:
            the files in a fixed order; byte-identical for the same plan.
        """
        out = [
            OutputFile("Dockerfile", self.text("Dockerfile.j2", plan=plan, annotate=annotate).encode()),
            OutputFile(".dockerignore", self.text("dockerignore.j2", plan=plan).encode()),
            OutputFile("compose.yaml", self.text("compose.yaml.j2", plan=plan, run=plan.runtime).encode()),
        ]
        if plan.startup is not None:
            out.append(OutputFile("run.sh", self.text("run.sh.j2", plan=plan, startup=plan.startup).encode(), 0o755))
        if plan.supervisor is not None:
            out.append(OutputFile("supervisord.conf", self.text("supervisord.conf.j2", plan=plan, supervisor=plan.supervisor).encode()))
        return out

    def run_command(self, plan: Plan) -> str:
        """The ``docker run`` line equivalent to compose.yaml (R13, R14)."""
        return self.text("docker-run.j2", plan=plan, run=plan.runtime)

    def explain(self, plan: Plan) -> list[tuple[str | None, str, str, tuple[str, ...]]]:
        """Each Dockerfile instruction with its cause (R21).

        Returns:
            (stage name or None for the final stage, instruction text, spec field, rule IDs) tuples.
        """
        steps = self.env.get_template("steps.j2").module
        return [
            (stage.name, getattr(steps, step.kind)(step).strip(), step.field, step.rules)
            for stage in plan.stages
            for step in stage.steps
        ]


def make_renderer(template: Path | None = None) -> Renderer:
    """A :class:`Renderer` searching ``template`` (the ``--template DIR`` option) before dockgen's templates.

    Raises:
        UsageError: ``template`` is given but is not a directory.
    """
    if template is not None and not template.is_dir():
        raise UsageError(f"--template {template}: not a directory")
    return Renderer([template] if template is not None else None)


def differing(files: list[OutputFile], directory: Path) -> list[str]:
    """Names of ``files`` whose content or mode on disk in ``directory`` differs (or is missing).

    A name may hold subdirectories (``.github/workflows/ci.yml``), read relative to ``directory``.
    """
    changed = []
    for f in files:
        path = directory / f.name
        try:
            same = path.read_bytes() == f.content and (path.stat().st_mode & 0o777) == f.mode
        except OSError:
            same = False
        if not same:
            changed.append(f.name)
    return changed


def check(files: list[OutputFile], directory: Path) -> None:
    """``render --check``: raise :class:`CheckFailed` (exit 1) listing files that differ; writes nothing."""
    changed = differing(files, directory)
    if changed:
        raise CheckFailed("these files differ from what the spec renders (run `dockgen render` to update):\n"
                          + "\n".join(f"  {directory / name}" for name in changed))


REFUSAL = ("refusing to overwrite files that differ from what the spec renders "
           "(use --force to replace them, or --check to list them):")


def write(files: list[OutputFile], directory: Path, force: bool = False, *, refusal: str = REFUSAL) -> list[str]:
    """Write ``files`` into ``directory`` atomically (temp file + rename), all or nothing.

    Args:
        files: what to write. A name may hold subdirectories (``.github/workflows/ci.yml``,
            ``/``-separated, relative, no ``..``); missing ones are created.
        directory: created if missing.
        force: overwrite files that exist with other content.
        refusal: the first line of the refusal message (the caller's wording); the paths
            that would be overwritten follow, one a line.
    Returns:
        the names written, in the order of ``files`` (files already identical are left untouched).
    Raises:
        UsageError: a file exists with other content and ``force`` is False (nothing is
            written), or the directory cannot be written.
        ValueError: a name is absolute or climbs out of ``directory`` (a bug in the caller).
    """
    for f in files:
        if f.name.startswith("/") or ".." in f.name.split("/"):
            raise ValueError(f"output file name {f.name!r} is not inside the output directory")
    changed = differing(files, directory)
    existing = [name for name in changed if (directory / name).exists()]
    if existing and not force:
        raise UsageError(refusal + "\n" + "\n".join(f"  {directory / name}" for name in existing))
    where = directory
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for f in files:
            if f.name not in changed:
                continue
            path = directory / f.name
            where = path.parent
            if where != directory:
                where.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=where)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(f.content)
                os.chmod(tmp, f.mode)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
    except OSError as exc:
        raise UsageError(f"cannot write to {where}: {exc.strerror or exc}") from None
    return changed
