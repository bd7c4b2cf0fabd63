"""Plan → file contents through Jinja2 templates; atomic writes and ``--check``.

One Jinja ``Environment`` (StrictUndefined, no autoescape, trim_blocks) renders every
file. Every spec value passes through the filter made for its file's syntax (DESIGN.md,
"Quoting is a design decision"):

- ``json``: Dockerfile exec-form arrays (ENTRYPOINT, CMD, HEALTHCHECK), backslashes as ``\\u005c``;
- ``dq``: Dockerfile ENV/LABEL/ARG values, double-quoted with ``"`` and ``$`` escaped and each
  backslash escaped outside the quotes, so the builder expands nothing and no line continues;
- ``sh``: POSIX shell words, single-quoted where needed (``shlex.quote``);
- ``sh_word``: a word of a command argv: ``sh``, except dockgen's own :class:`~dockgen.ospkg.Glob`
  words, written as they are so the shell expands them (``/var/lib/apt/lists/*``);
- ``yaml``: YAML scalars and flow collections, emitted by PyYAML;
- ``compose``: the same for compose.yaml values that may hold ``$`` (doubled: compose's escape);
- ``shargv``: an argv as one POSIX shell command line (``shlex.join``).

Every generated file carries a checksum of its own content in its header comment
(``dockgen-checksum: <16 hex>``, the template's ``{{ checksum }}``): :func:`write` replaces a
file whose checksum is intact (dockgen wrote it and nobody edited it) without ``--force``,
and refuses any other file that is in the way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from .errors import CheckFailed, UsageError
from .ospkg import Glob
from .outputs import OUTPUTS
from .plan import Copy, Plan

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


def shell_word(word: object) -> str:
    """One word of a command for a POSIX shell: quoted with ``shlex.quote``, unless it is a
    :class:`~dockgen.ospkg.Glob` (dockgen's own constant, never a spec value), written as is."""
    return str(word) if isinstance(word, Glob) else shlex.quote(str(word))


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
        sh_word=shell_word,
        yaml=yaml_value,
        compose=compose_value,
        shargv=shlex.join,
    )
    return env


CHECKSUM_PLACEHOLDER = "-" * 16
"""What ``{{ checksum }}`` renders as before sealing; the checksum is computed with it in place."""
_CHECKSUM_LABEL = "dockgen-checksum: "
_CHECKSUM = re.compile(re.escape(_CHECKSUM_LABEL.encode()) + rb"([0-9a-f]{16})")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def seal(text: str) -> bytes:
    """``text`` (rendered with ``checksum`` = :data:`CHECKSUM_PLACEHOLDER`) as UTF-8 bytes with
    the first ``dockgen-checksum: <placeholder>`` replaced by the first 16 hex digits of the
    SHA-256 of the placeholder version. Text without the placeholder (a ``--template`` of the
    user's own without ``{{ checksum }}``) is returned unchanged. Deterministic.
    """
    data = text.encode()
    marker = (_CHECKSUM_LABEL + CHECKSUM_PLACEHOLDER).encode()
    if marker not in data:
        return data
    return data.replace(marker, (_CHECKSUM_LABEL + _digest(data)).encode(), 1)


def intact(data: bytes) -> bool:
    """Whether ``data`` carries a ``dockgen-checksum`` that matches its content (see :func:`seal`):
    True for a file dockgen wrote and nobody edited since; False for any other file."""
    found = _CHECKSUM.search(data)
    if found is None:
        return False
    unsealed = data[:found.start(1)] + CHECKSUM_PLACEHOLDER.encode() + data[found.end(1):]
    return _digest(unsealed) == found.group(1).decode()


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
        """All files for ``plan``, one per entry of :data:`dockgen.outputs.OUTPUTS` it has.

        Args:
            plan: the build plan.
            annotate: write each instruction's spec field and rule IDs as comments (R21).
        Returns:
            the files in OUTPUTS' order; byte-identical for the same plan. Each carries its
            checksum in its header comment (:func:`seal`; templates get ``checksum``).
        """
        return [
            OutputFile(out.name, seal(self.text(out.template, plan=plan, checksum=CHECKSUM_PLACEHOLDER,
                                                **({"annotate": annotate} if out.annotated else {}),
                                                **out.context(plan))), out.mode)
            for out in OUTPUTS if out.when(plan)
        ]

    def run_command(self, plan: Plan) -> str:
        """The ``docker run`` line equivalent to compose.yaml (R13, R14)."""
        return self.text("docker-run.j2", plan=plan, run=plan.policy)

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
            info = path.stat()
            # only a regular file of the right size is read: a FIFO would block, /dev/zero never ends
            same = (stat.S_ISREG(info.st_mode) and info.st_size == len(f.content)
                    and (info.st_mode & 0o777) == f.mode and path.read_bytes() == f.content)
        except OSError:
            same = False
        if not same:
            changed.append(f.name)
    return changed


def _exists(path: Path) -> bool:
    """Whether any directory entry is at ``path``: a file, a directory, or a symlink, dangling or not."""
    return os.path.lexists(path)


def shown(directory: Path) -> str:
    """``directory`` as the user gave it, for messages; ``.`` is written ``./`` so it reads as a place."""
    return "./" if str(directory) == "." else str(directory)


# Files an earlier dockgen wrote that this one no longer writes, and why.
OBSOLETE = {"supervisord.conf": "`processes` run under s6 now, which run.sh sets up at start"}


def obsolete(directory: Path) -> list[str]:
    """Names of OBSOLETE files in ``directory`` that dockgen wrote (their header says so;
    edited or not). A file of the same name without that header is not dockgen's."""
    found = []
    for name in OBSOLETE:
        try:
            with open(directory / name, "rb") as handle:
                head = handle.read(200)
        except OSError:
            continue
        if b"Generated by dockgen" in head:
            found.append(name)
    return found


def check(files: list[OutputFile], directory: Path) -> None:
    """``render --check``: raise :class:`CheckFailed` (exit 1) listing each file that is
    ``missing``, ``differs`` (content or mode) from what the spec renders, or is an
    ``obsolete`` file an earlier dockgen wrote; writes nothing."""
    changed = differing(files, directory)
    old = obsolete(directory)
    if changed or old:
        raise CheckFailed("these files are not what the spec renders (run `dockgen render` to update them):\n"
                          + "\n".join([*(f"  {'differs' if _exists(directory / name) else 'missing'}: {directory / name}"
                                          for name in changed),
                                        *(f"  obsolete: {directory / name} ({OBSOLETE[name]})" for name in old)]))


def remove_obsolete(directory: Path, force: bool = False) -> tuple[list[str], list[str]]:
    """Remove the :func:`obsolete` files in ``directory`` whose checksum is intact (or all of
    them with ``force``), as :func:`write` would replace them.

    Returns:
        (names removed, names left because they were edited since dockgen wrote them).
    Raises:
        UsageError: a file cannot be removed.
    """
    removed, left = [], []
    for name in obsolete(directory):
        if not force and not _regenerable(directory / name):
            left.append(name)
            continue
        try:
            (directory / name).unlink()
        except OSError as exc:
            raise UsageError(f"cannot remove {directory / name}: {exc.strerror or exc}") from None
        removed.append(name)
    return removed, left


REFUSAL = ("refusing to overwrite files that dockgen did not write or that were edited since "
           "(use --force to replace them, or --check to list them):")


def _regenerable(path: Path) -> bool:
    """Whether ``path`` is a regular file (not a symlink) whose dockgen checksum is intact."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        return intact(path.read_bytes())
    except OSError:
        return False


def write(files: list[OutputFile], directory: Path, force: bool = False, *, refusal: str = REFUSAL) -> list[str]:
    """Write ``files`` into ``directory``, each atomically (temp file + rename). Every file is
    complete on disk before the first rename, so an error while writing (a full disk, a
    read-only directory) changes nothing; only a failing rename could leave some files new.

    A file that is in the way (any directory entry, a dangling symlink too) is replaced
    without ``force`` only when it is a regular file whose ``dockgen-checksum`` is intact
    (dockgen wrote it and nobody edited it, :func:`intact`); anything else needs ``force``.

    Args:
        files: what to write. A name may hold subdirectories (``.github/workflows/ci.yml``,
            ``/``-separated, relative, no ``..``); missing ones are created.
        directory: created if missing.
        force: also overwrite files without an intact checksum (a person's own or edited files).
        refusal: the first line of the refusal message (the caller's wording); the paths
            that would be overwritten follow, one a line.
    Returns:
        the names written, in the order of ``files`` (files already identical are left untouched).
    Raises:
        UsageError: a file in the way has no intact checksum and ``force`` is False, or a
            directory is where a file goes (even with ``force``), or the directory cannot be
            written; in each case nothing is written.
        ValueError: a name is absolute or climbs out of ``directory`` (a bug in the caller).
    """
    for f in files:
        if f.name.startswith("/") or ".." in f.name.split("/"):
            raise ValueError(f"output file name {f.name!r} is not inside the output directory")
    changed = differing(files, directory)
    existing = [name for name in changed if _exists(directory / name)]
    folders = [name for name in existing if (directory / name).is_dir() and not (directory / name).is_symlink()]
    if folders:
        raise UsageError("a directory is where dockgen writes a file; move or remove it:\n"
                         + "\n".join(f"  {directory / name}/" for name in folders))
    protected = [name for name in existing if not _regenerable(directory / name)]
    if protected and not force:
        raise UsageError(refusal + "\n" + "\n".join(f"  {directory / name}" for name in protected))
    where = directory
    staged: list[tuple[str, Path]] = []  # (temporary file, its final path): every file is
    try:                                 # complete on disk before the first one is renamed
        directory.mkdir(parents=True, exist_ok=True)
        for f in files:
            if f.name not in changed:
                continue
            path = directory / f.name
            where = path.parent
            if where != directory:
                where.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=where)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(f.content)
            os.chmod(tmp, f.mode)
        for tmp, path in staged:
            where = path.parent
            os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write to {where}: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in staged:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    return changed


def copied_from_context(plan: Plan, generated: list[OutputFile]) -> tuple[str, ...]:
    """What the final Dockerfile COPYs from the build context, other than the files dockgen
    generates (run.sh): sources of ``COPY`` without ``--from``, as written
    (``.`` for the whole context)."""
    names = {f.name for f in generated}
    sources: list[str] = []
    for stage in plan.stages:
        for step in stage.steps:
            if isinstance(step, Copy) and step.stage is None:
                sources += [s for s in step.sources if s not in names and s not in sources]
    return tuple(sources)
