"""Step dataclasses: one Dockerfile instruction each, tagged with its cause (R21).

Every step names the spec field (or fields) and the rule IDs that produced it, which is
what ``dockgen explain`` prints and ``render --annotate`` writes as comments. A step holds
data only (images, paths, argv); ``templates/steps.j2`` has one macro per ``kind`` that
prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..ospkg import Command


@dataclass(frozen=True)
class Step:
    """One Dockerfile instruction and why it is there (R21).

    Attributes:
        field: the spec field (or fields) that caused it, e.g. ``system_packages``.
        rules: rule IDs it implements, e.g. ``(Rule.R04, Rule.R08)``.
        kind: the name of the macro in ``templates/steps.j2`` that writes it.
    """

    field: str
    rules: tuple[str, ...]
    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class From(Step):
    """``FROM [--platform=$ARG] image [AS alias]`` (R05, R06).

    ``platform``: the name of the automatic platform ARG the stage runs on
    (``BUILDPLATFORM`` for a cross-compiling builder, issue 14), or None for the target's.
    """

    image: str
    alias: str | None = None
    platform: str | None = None
    kind: ClassVar[str] = "from_"


@dataclass(frozen=True)
class Arg(Step):
    """``ARG name=default`` for build-time label values (R16); never a secret (R18)."""

    names: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "arg"


@dataclass(frozen=True)
class TargetPlatform(Step):
    """``ARG`` of BuildKit's automatic target-platform ARGs and the ``ENV`` that hands them
    to a cross compiler (issue 14).

    Attributes:
        env: (variable, ARG name) pairs, e.g. ``("GOARCH", "TARGETARCH")``; each ARG is
            declared once, in order, and the variable's value is ``${ARG}``.
    """

    env: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "target_platform"

    @property
    def args(self) -> tuple[str, ...]:
        """The platform ARG names, each once, in order of first use."""
        return tuple(dict.fromkeys(arg for _, arg in self.env))


@dataclass(frozen=True)
class Label(Step):
    """``LABEL``: ``from_args`` take their value from an ARG, ``items`` are literal (R16)."""

    from_args: tuple[tuple[str, str], ...]
    items: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "label"


@dataclass(frozen=True)
class Env(Step):
    """``ENV name=value ...``; values are literal (``$`` is never expanded).

    Attributes:
        items: (name, value) pairs, in order.
        ignore: hadolint rules to silence on this ENV (DL3064 for names dockgen has already
            found not to be secrets, R18).
    """

    items: tuple[tuple[str, str], ...]
    ignore: tuple[str, ...] = ()
    kind: ClassVar[str] = "env"


@dataclass(frozen=True)
class Workdir(Step):
    """``WORKDIR path``."""

    path: str
    kind: ClassVar[str] = "workdir"


@dataclass(frozen=True)
class System(Step):
    """One ``RUN`` that installs OS packages and sets up the user and directories
    (R03, R04, R08, R10, R15).

    Attributes:
        commands: the commands, joined with ``&&`` (install and cleanup from the image's
            OS package manager, user creation, mkdir, chown, links).
        ignore: hadolint rules to silence on this RUN (dockgen's own unpinned packages only).
    """

    commands: tuple[Command, ...]
    ignore: tuple[str, ...] = ()
    kind: ClassVar[str] = "system"


@dataclass(frozen=True)
class Run(Step):
    """``RUN`` of several commands joined with ``&&`` (R03), with BuildKit cache mounts (R04)
    and build secrets (R18: ``--mount=type=secret``, read into the command's environment only)."""

    commands: tuple[Command, ...]
    caches: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    kind: ClassVar[str] = "run"


@dataclass(frozen=True)
class Shell(Step):
    """``RUN`` in shell form of one of the spec's ``build`` command lines, as written (issue 11),
    with the same cache and secret mounts as :class:`Run`. The spec model refused what would
    break the line (newline, heredoc, trailing backslash, a leading ``[``)."""

    line: str
    caches: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    kind: ClassVar[str] = "shell"


@dataclass(frozen=True)
class Copy(Step):
    """``COPY [--from=stage] sources... dest``."""

    sources: tuple[str, ...]
    dest: str
    stage: str | None = None
    kind: ClassVar[str] = "copy"


@dataclass(frozen=True)
class SetUser(Step):
    """``USER uid:gid``, numeric (R15); ``ignore``: hadolint rules to silence on it (DL3002
    for the builder's switch to root, a stage that never runs)."""

    uid: int
    gid: int
    ignore: tuple[str, ...] = ()
    kind: ClassVar[str] = "user"


@dataclass(frozen=True)
class Expose(Step):
    """``EXPOSE port ...``."""

    ports: tuple[int, ...]
    kind: ClassVar[str] = "expose"


@dataclass(frozen=True)
class Healthcheck(Step):
    """``HEALTHCHECK ... CMD [...]`` in exec form (R12); durations in Docker's format."""

    command: tuple[str, ...]
    interval: str
    timeout: str
    start_period: str
    retries: int
    kind: ClassVar[str] = "healthcheck"


@dataclass(frozen=True)
class StopSignal(Step):
    """``STOPSIGNAL``: the run policy's stop signal, always written, SIGTERM too, so the base
    image's own never applies (R11)."""

    signal: str
    kind: ClassVar[str] = "stopsignal"


@dataclass(frozen=True)
class Entrypoint(Step):
    """``ENTRYPOINT [...]`` in exec form (R02, R12)."""

    argv: tuple[str, ...]
    kind: ClassVar[str] = "entrypoint"


@dataclass(frozen=True)
class Cmd(Step):
    """``CMD [...]`` in exec form: the default arguments (R12)."""

    argv: tuple[str, ...]
    kind: ClassVar[str] = "cmd"


@dataclass(frozen=True)
class Stage:
    """A build stage: its name (None for the final stage), purpose and steps."""

    name: str | None
    purpose: str
    steps: tuple[Step, ...]
