"""Plan → file contents through Jinja2 templates.

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
- ``yaml_document``: a whole block-style YAML document (the Kubernetes manifests), emitted by PyYAML;
- ``shargv``: an argv as one POSIX shell command line (``shlex.join``).

Every generated file carries a checksum of its own content in its header comment
(``dockgen-checksum: <16 hex>``, the template's ``{{ checksum }}``, sealed by
:func:`dockgen.files.seal`); writing files and deciding what may be replaced is
:mod:`dockgen.files`'s job.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import jinja2
import yaml

from .errors import UsageError
from .files import CHECKSUM_PLACEHOLDER, OutputFile, seal, write  # noqa: F401  (OutputFile, write: for init.py, scaffold.py)
from .ospkg import Glob
from .outputs import OUTPUTS
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


def shell_word(word: object) -> str:
    """One word of a command for a POSIX shell: quoted with ``shlex.quote``, unless it is a
    :class:`~dockgen.ospkg.Glob` (dockgen's own constant, never a spec value), written as is."""
    return str(word) if isinstance(word, Glob) else shlex.quote(str(word))


def yaml_value(value: object) -> str:
    """``value`` as one line of YAML (a scalar or a flow collection), emitted by PyYAML."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=2**31, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...")


def yaml_document(value: object) -> str:
    """``value`` as one block-style YAML document, emitted by PyYAML in the order of its keys
    (the Kubernetes manifests, issue 13); strings that look like other types are quoted."""
    return yaml.safe_dump(value, default_flow_style=False, allow_unicode=True, sort_keys=False, width=2**31)


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
        yaml_document=yaml_document,
        shargv=shlex.join,
    )
    return env


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
