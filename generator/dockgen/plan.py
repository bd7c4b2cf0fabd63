"""Spec + language → an ordered, typed build plan; every step names its cause (R21).

The plan is the one object every template reads. It holds no text of the generated
files: stages and steps say *what* goes where (which image, which packages, which argv),
and each step carries the spec field and the rule IDs that produced it, which is what
``dockgen explain`` prints and ``render --annotate`` writes as comments.

Refusals that depend on the chosen base image (no shell for run.sh, no package manager
for packages) are made here and reported against the spec field that asked for them.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import ClassVar

from . import languages
from .errors import Problem, SpecError
from .images import DEBIAN, Family, family_of
from .loader import LoadedSpec
from .placeholders import TemplateSyntaxError, scan
from .spec import S6_STOP_SIGNALS, STOP_MARGIN, Spec, duration_seconds  # noqa: F401 (S6_STOP_SIGNALS: re-exported)

RUN_SH = "/usr/local/bin/run.sh"  # R17: where the startup script lives in the image
RUNTIME_DIR = "/run/dockgen"  # written at start: rendered config files, the s6 scan directory
SCAN_DIR = f"{RUNTIME_DIR}/s6"  # s6-svscan's scan directory: one service directory per program (R01)
TINI_STATIC = "/usr/bin/tini-static"  # Debian's tini package; copied into images without one (R02)
# Directories every base image already has with the right permissions; never chown them.
SYSTEM_DIRS = {"/tmp", "/var/tmp", "/run", "/var/run", "/dev/shm"}
PIN_RULES = {"apt": "DL3008", "apk": "DL3018"}


# --- steps: one Dockerfile instruction each ------------------------------------------


@dataclass(frozen=True)
class Step:
    """One Dockerfile instruction and why it is there (R21).

    Attributes:
        field: the spec field (or fields) that caused it, e.g. ``system_packages``.
        rules: rule IDs it implements, e.g. ``("R04", "R08")``.
        kind: the name of the macro in ``templates/steps.j2`` that writes it.
    """

    field: str
    rules: tuple[str, ...]
    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class From(Step):
    """``FROM image [AS alias]`` (R05, R06)."""

    image: str
    alias: str | None = None
    kind: ClassVar[str] = "from_"


@dataclass(frozen=True)
class Arg(Step):
    """``ARG name=default`` for build-time label values (R16); never a secret (R18)."""

    names: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "arg"


@dataclass(frozen=True)
class Label(Step):
    """``LABEL``: ``from_args`` take their value from an ARG, ``items`` are literal (R16)."""

    from_args: tuple[tuple[str, str], ...]
    items: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "label"


@dataclass(frozen=True)
class Env(Step):
    """``ENV name=value ...``; values are literal (``$`` is never expanded)."""

    items: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "env"


@dataclass(frozen=True)
class Workdir(Step):
    """``WORKDIR path``."""

    path: str
    kind: ClassVar[str] = "workdir"


@dataclass(frozen=True)
class System(Step):
    """One RUN that installs OS packages and sets up the user and directories (R03, R04, R08, R10, R15).

    Attributes:
        manager: ``apt``, ``apk`` or None (no packages to install).
        packages: sorted package names (R03).
        ignore: hadolint rules to silence on this RUN (dockgen's own unpinned packages only).
        user: the user to create, or None; users: ``useradd`` or ``adduser``.
        dirs: directories to create and hand to the user (declared writable, R13/R15).
        links: (link, target) symlinks, e.g. config targets pointing into RUNTIME_DIR.
    """

    manager: str | None
    packages: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    user: object = None
    users: str | None = None
    dirs: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    kind: ClassVar[str] = "system"

    @property
    def make_dirs(self) -> tuple[str, ...]:
        """Directories to create: the owned ``dirs`` and the parents of ``links``."""
        return tuple(sorted(set(self.dirs) | {posixpath.dirname(link) for link, _ in self.links}))


@dataclass(frozen=True)
class Run(Step):
    """``RUN`` of several argv commands joined with ``&&`` (R03), with BuildKit cache mounts (R04)."""

    commands: tuple[tuple[str, ...], ...]
    caches: tuple[str, ...] = ()
    kind: ClassVar[str] = "run"


@dataclass(frozen=True)
class Copy(Step):
    """``COPY [--from=stage] sources... dest``."""

    sources: tuple[str, ...]
    dest: str
    stage: str | None = None
    kind: ClassVar[str] = "copy"


@dataclass(frozen=True)
class SetUser(Step):
    """``USER uid:gid``, numeric (R15)."""

    uid: int
    gid: int
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
    """``STOPSIGNAL`` when it is not SIGTERM (R11)."""

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


# --- the other generated files ------------------------------------------------------


@dataclass(frozen=True)
class ConfigOutput:
    """A config file run.sh writes at start (R17).

    Attributes:
        source: template path in the build context; text: its content (ends with a newline).
        target: where the application reads it; path: where run.sh writes it (the target
            itself when its directory is writable, else a file in RUNTIME_DIR that the
            target links to).
        mode: octal file mode; delimiter: a here-document word that is no line of ``text``.
    """

    source: str
    text: str
    target: str
    path: str
    mode: str
    delimiter: str


@dataclass(frozen=True)
class Program:
    """One program of the application, an s6 service (R01, R11).

    Attributes:
        name: the service directory's name (the spec's key under ``processes``).
        command: the argv the service's run script execs.
        stop_signal: its s6 ``down-signal``, e.g. ``SIGQUIT``.
    """

    name: str
    command: tuple[str, ...]
    stop_signal: str


@dataclass(frozen=True)
class Supervision:
    """The s6 scan directory run.sh writes before it execs ``s6-svscan`` (R01, R02, R11).

    Attributes:
        programs: one s6 service each.
        scan_dir: where run.sh writes the service directories (under RUNTIME_DIR, a tmpfs).
        script: run.sh's path in the image: every service's run and finish link to it.
        workdir: the directory every program starts in (the image's WORKDIR).
        kill_after_ms: s6's ``timeout-kill`` in milliseconds: a program still running this
            long after its stop signal gets SIGKILL (grace period - STOP_MARGIN).
    """

    programs: tuple[Program, ...]
    scan_dir: str
    script: str
    workdir: str
    kill_after_ms: int


@dataclass(frozen=True)
class Startup:
    """What run.sh does before it execs the application (R17, R18), and the s6 services
    it writes when the spec has ``processes`` (R01)."""

    secrets: tuple[str, ...]
    configs: tuple[ConfigOutput, ...]
    supervision: Supervision | None = None


@dataclass(frozen=True)
class Runtime:
    """The locked-down run configuration: compose.yaml and the ``docker run`` line (R13, R14).

    Attributes:
        service: service and container name; image: the local tag it builds.
        user: ``uid:gid``; caps: capabilities added back after dropping ALL.
        tmpfs: writable paths on the read-only root filesystem; volumes: (name, path) pairs.
        secrets: (NAME, file name) pairs, mounted at /run/secrets/<file name>.
        ports, healthcheck (a Healthcheck step or None), stop_signal, stop_grace_period,
        init: as the spec chose (tini inside the image when True, R02).
    """

    service: str
    image: str
    user: str
    caps: tuple[str, ...]
    tmpfs: tuple[str, ...]
    volumes: tuple[tuple[str, str], ...]
    secrets: tuple[tuple[str, str], ...]
    ports: tuple[int, ...]
    healthcheck: Healthcheck | None
    stop_signal: str
    stop_grace_period: str
    grace_seconds: int
    init: bool


@dataclass(frozen=True)
class Plan:
    """Everything the templates need, in build order.

    Attributes:
        spec: the validated spec; source: the spec file name (for headers).
        family: traits of the final base image.
        stages: build stages, final stage last.
        startup: run.sh content, or None when the final image has no shell.
        runtime: compose.yaml / docker run content.
        ignore: .dockerignore patterns (R19).
        warnings: things the user should know (unpinned packages, ...).
        context_files: files the build needs from the build context (manifests).
    """

    spec: Spec
    source: str
    family: Family
    stages: tuple[Stage, ...]
    startup: Startup | None
    runtime: Runtime
    ignore: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())
    context_files: tuple[str, ...] = field(default=())


# --- planning -------------------------------------------------------------------------

COMMON_IGNORE = (
    ".git", ".gitignore", ".gitattributes", ".dockerignore", "Dockerfile", "*.Dockerfile",
    "compose.yaml", "docker-compose*.yml", ".github/", ".gitlab-ci.yml", ".idea/", ".vscode/",
    "*.swp", ".DS_Store",
)
SECRET_IGNORE = (".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx", "id_rsa*", "id_ed25519*", "secrets/", ".npmrc", ".pypirc", ".netrc")


def in_seconds(duration: str) -> str:
    """A Go duration as plain seconds: ``1m30s`` -> ``90s``, ``500ms`` -> ``0.5s``.

    Docker reads any Go duration, but hadolint's parser reads only one number and one unit
    of s/m/h, so HEALTHCHECK durations are written in the one form both accept (R12).
    """
    return format(duration_seconds(duration).normalize(), "f") + "s"


def _unique_names(bases: list[str], taken: tuple[str, ...] = ()) -> list[str]:
    """``bases`` made unique in order: a repeated ``x`` (or one in ``taken``) becomes ``x-2``,
    ``x-3``, ... (never a name that is itself among ``bases`` or ``taken``)."""
    names: list[str] = []
    for base in bases:
        name, n = base, 1
        while name in names or name in taken or (n > 1 and name in bases):
            n += 1
            stem, dot, ext = base.partition(".") if not base.startswith(".") else (base, "", "")
            name = f"{stem}-{n}{dot}{ext}"
        names.append(name)
    return names


def _volume_names(paths: list[str]) -> list[str]:
    """Compose volume names for ``paths``: ``/app/uploads`` -> ``app-uploads``. A volume name
    starts with a letter or digit (compose reads ``.x`` or ``..`` as a host path to bind)."""
    return _unique_names([re.sub(r"^[^A-Za-z0-9]+", "", path.strip("/").replace("/", "-")) or "data" for path in paths])


def _below(directory: str, paths: set[str]) -> list[str]:
    """``paths`` under ``directory``, relative to it, sorted."""
    prefix = directory.rstrip("/") + "/"
    return sorted(p[len(prefix):] for p in paths if p.startswith(prefix))


def _context_path(source: str, relative: str) -> str:
    """Where ``relative`` (a path below the workdir) comes from in the build context when
    ``source`` is copied into the workdir (``.`` -> ``relative``, ``public/`` -> ``public/relative``)."""
    return posixpath.normpath(posixpath.join(source, relative))


DANGEROUS_CAPS = {"SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO", "DAC_OVERRIDE",
                  "SETUID", "SETGID", "SYS_BOOT", "MAC_ADMIN", "BPF", "PERFMON"}


def _refuse(loaded: LoadedSpec, path: tuple, message: str, rule: str | None = None) -> SpecError:
    return SpecError([loaded.problem(path, message, rule)])


def _check_family(loaded: LoadedSpec, family: Family, image: str) -> None:
    spec = loaded.spec
    if not family.shell:
        for name in ("secrets", "config", "processes"):
            if getattr(spec, name):
                raise _refuse(loaded, (name,), f"needs run.sh, but the final image {image} has no shell (/bin/sh); "
                              "use a base with a shell (variant: alpine, or base: alpine/busybox) or drop it", "R17")
    if family.manager is None:
        for name in ("system_packages", "processes"):
            if getattr(spec, name):
                what = "installs OS packages" if name == "system_packages" else "needs s6 from OS packages"
                raise _refuse(loaded, (name,), f"{what}, but the final image {image} has no package manager; "
                              "choose a Debian or Alpine base")


def _pinned(package: str) -> bool:
    return "=" in package or "~" in package


def _system_step(stage_field: str, rules: tuple[str, ...], family: Family, own: list[str], wanted: list[str],
                 warnings: list[str], **extra) -> System:
    """A System step for ``wanted`` (spec field ``stage_field.split(",")[0]``) + ``own`` (dockgen's) packages."""
    packages = tuple(sorted(set(own) | set(wanted)))
    rule = PIN_RULES.get(family.manager or "", "")
    ignore: tuple[str, ...] = ()
    unpinned = [p for p in wanted if not _pinned(p)]
    if unpinned and rule:
        warnings.append(f"{stage_field.split(',')[0]}: {', '.join(unpinned)} not pinned to a version; builds may differ over time (hadolint {rule})")
    elif own and rule and not unpinned:
        ignore = (rule,)  # dockgen's own packages (tini, s6) follow the base image's release
    return System(field=stage_field, rules=rules, manager=family.manager if packages else None,
                  packages=packages, ignore=ignore, **extra)


def _delimiter(text: str) -> str:
    lines = set(text.split("\n"))
    word, n = "DOCKGEN_TEMPLATE", 0
    while word in lines:
        n += 1
        word = f"DOCKGEN_TEMPLATE_{n}"
    return word


def _configs(loaded: LoadedSpec, writable: set[str]) -> tuple[ConfigOutput, ...]:
    spec = loaded.spec
    known = set(spec.env) | set(spec.secrets)
    problems: list[Problem] = []
    outputs = []
    names = _unique_names([posixpath.basename(c.target) for c in spec.config], taken=(posixpath.basename(SCAN_DIR),))
    for index, config in enumerate(spec.config):
        text = loaded.templates[config.source]
        file = str(loaded.context / config.source)
        placeholders = []
        try:
            placeholders = scan(text)
            for placeholder in placeholders:
                if placeholder.op == "" and placeholder.name not in known:
                    problems.append(Problem(file, f"config[{index}].source",
                                            f"unknown placeholder ${{{placeholder.name}}}: it is not in `env` or `secrets`; "
                                            f"add it there or give a default, ${{{placeholder.name}:-value}}",
                                            placeholder.line, placeholder.column, rule="R17"))
        except TemplateSyntaxError as exc:
            problems.append(Problem(file, f"config[{index}].source", str(exc), exc.line, exc.column, rule="R17"))
        if not text.endswith("\n"):
            text += "\n"
        directory = posixpath.dirname(config.target)
        in_writable = directory in writable
        # A writable path starts empty at run time (tmpfs, fresh volume, R13): a directory below
        # it would not exist when run.sh writes the file, and a link from the image is hidden.
        for w in sorted(w for w in writable if directory.startswith(w.rstrip("/") + "/")):
            problems.append(loaded.problem(("config", index, "target"),
                                           f"{config.target} is below the writable path {w}, which starts empty at run "
                                           f"time, so {directory} will not exist; put the file directly in {w}, or "
                                           "outside the writable paths (run.sh then writes it to /run/dockgen and the "
                                           "image links it there)", "R17"))
        path = config.target if in_writable else f"{RUNTIME_DIR}/{names[index]}"
        if config.mode is not None:
            mode = config.mode if len(config.mode) == 4 else "0" + config.mode
        else:  # R18: a file that holds a secret is readable by the app user alone
            mode = "0600" if any(p.name in spec.secrets for p in placeholders) else "0644"
        outputs.append(ConfigOutput(config.source, text, config.target, path, mode, _delimiter(text)))
    if problems:
        raise SpecError(problems)
    return tuple(outputs)


def make_plan(loaded: LoadedSpec) -> Plan:
    """Turn a loaded spec into a :class:`Plan`.

    Args:
        loaded: the validated spec and its config templates (see ``loader.load_spec``).
    Returns:
        the plan for every generated file.
    Raises:
        SpecError: the spec asks for something its final image cannot do (run.sh without a
            shell, packages without a package manager) or a config template has an unknown
            or malformed placeholder (R17).
    """
    spec = loaded.spec
    tool = languages.toolchain(spec)
    family = family_of(tool.final_image)
    _check_family(loaded, family, tool.final_image)
    warnings: list[str] = []
    if tool.unpinned:
        warnings.append(f"packages: {', '.join(tool.unpinned)} not pinned to a version (hadolint {tool.pin_rule})")
    if spec.build_packages and not tool.builder_image:
        warnings.append(f"build_packages: {', '.join(spec.build_packages)} ignored: nothing is built for this spec "
                        "(no builder stage)")
    risky = sorted(set(spec.caps) & DANGEROUS_CAPS)
    if risky:
        warnings.append(f"caps: {', '.join(risky)} gives the container powers close to root's; make sure the app needs it (R14)")
    warnings.extend(tool.warnings)

    writable = set(spec.writable) | set(spec.volumes)
    configs = _configs(loaded, writable)
    links = tuple((c.target, c.path) for c in configs if c.path != c.target)
    needs_runtime_dir = bool(spec.processes) or any(c.path.startswith(RUNTIME_DIR + "/") for c in configs)
    stages: list[Stage] = []

    # R02: tini from the image's own packages, or from a Debian stage when it has none.
    tini = family.tini
    if spec.init and not tini:
        tini = "/sbin/tini"
        stages.append(Stage("init", "provides tini-static for an image without a package manager (R02)", (
            From("init", ("R02", "R06"), image=DEBIAN, alias="init"),
            _system_step("init", ("R02", "R04", "R08"), family_of(DEBIAN), ["tini"], [], warnings),
        )))

    for image, alias in tool.stages:
        stages.append(Stage(alias, f"provides {alias}", (From("language", ("R05", "R06"), image=image, alias=alias),)))

    # Builder stage: build-only packages and dependency installs stay here (R04, R07).
    if tool.builder_image:
        builder_family = family_of(tool.builder_image)
        steps: list[Step] = [From("language, version, variant", ("R05", "R06"), image=tool.builder_image, alias="builder")]
        if spec.build_packages or tool.builder_packages:
            steps.append(_system_step("build_packages", ("R03", "R04", "R08", "R10"), builder_family,
                                      list(tool.builder_packages), list(spec.build_packages), warnings))
        for image, alias in tool.stages:
            steps.append(Copy("language", ("R04",), sources=(f"/usr/bin/{alias}",), dest=f"/usr/bin/{alias}", stage=alias))
        if tool.builder_env:
            steps.append(Env("language", ("R04",), items=tool.builder_env))
        steps.append(Workdir("workdir", (), path=tool.builder_workdir or spec.workdir))
        if tool.manifests:
            steps.append(Copy("dependencies", ("R07",), sources=tool.manifests, dest="./"))
        if tool.install:
            steps.append(Run("dependencies, packages", ("R03", "R04", "R07"), commands=tool.install, caches=tool.caches))
        if tool.build:
            steps.append(Copy("copy", ("R07",), sources=(".",), dest="./"))
            steps.append(Run("language", ("R04",), commands=tool.build, caches=tool.caches))
        stages.append(Stage("builder", "builds dependencies; nothing else of it reaches the final image (R04)", tuple(steps)))

    # Final stage.
    steps = [
        From("base" if spec.base else "language, version, variant", ("R05", "R06"), image=tool.final_image),
        Arg("labels", ("R16",), names=(("VERSION", "dev"), ("REVISION", "unknown"), ("CREATED", "unknown"))),
    ]
    literal = {"org.opencontainers.image.title": spec.name}
    if spec.description:
        literal["org.opencontainers.image.description"] = spec.description
    literal.update(spec.labels)
    from_args = tuple((f"org.opencontainers.image.{key}", arg) for key, arg in (("version", "VERSION"), ("revision", "REVISION"), ("created", "CREATED"))
                      if f"org.opencontainers.image.{key}" not in literal)
    steps.append(Label("name, description, labels", ("R16",), from_args=from_args, items=tuple(sorted(literal.items()))))

    own = (["tini"] if spec.init and family.tini else []) + (["s6"] if spec.processes else [])
    dirs = sorted((writable - SYSTEM_DIRS) | ({RUNTIME_DIR} if needs_runtime_dir else set()))
    if family.shell:
        steps.append(_system_step("system_packages, user, writable", ("R03", "R04", "R08", "R10", "R15"), family,
                                  own if family.manager else [], list(spec.system_packages), warnings,
                                  user=spec.user, users=family.adds_users_with, dirs=tuple(dirs), links=links))
    if spec.init and not family.tini:
        steps.append(Copy("init", ("R02",), sources=(TINI_STATIC,), dest=tini, stage="init"))

    env = dict(tool.final_env)
    env.update(spec.env)
    if env:
        steps.append(Env("env", (), items=tuple(env.items())))
    steps.append(Workdir("workdir", (), path=spec.workdir))
    for source, dest in tool.artifacts:
        steps.append(Copy("language", ("R04", "R07"), sources=(source,), dest=dest, stage="builder"))
    if family.shell:
        steps.append(Copy("secrets, config", ("R17", "R18"), sources=("run.sh",), dest=RUN_SH))
    if spec.language != "go" or "copy" in spec.model_fields_set:
        steps.append(Copy("copy", ("R07", "R15"), sources=tuple(spec.copy), dest="./"))
    steps.append(SetUser("user", ("R15",), uid=spec.user.uid, gid=spec.user.gid))
    if spec.ports:
        steps.append(Expose("ports", (), ports=tuple(spec.ports)))
    health = None
    if spec.healthcheck:
        h = spec.healthcheck
        health = Healthcheck("healthcheck", ("R12",), command=tuple(h.command), interval=in_seconds(h.interval),
                             timeout=in_seconds(h.timeout), start_period=in_seconds(h.start_period), retries=h.retries)
        steps.append(health)
    if spec.stop_signal != "SIGTERM":
        steps.append(StopSignal("stop_signal", ("R11",), signal=spec.stop_signal))
    prefix = ((tini, "--") if spec.init else ()) + ((RUN_SH,) if family.shell else ())
    if spec.processes:
        steps.append(Entrypoint("processes, init", ("R01", "R02", "R12"), argv=prefix + ("s6-svscan", SCAN_DIR)))
    else:
        argv = prefix + tuple(spec.entrypoint or tool.entrypoint)
        if argv:
            steps.append(Entrypoint("entrypoint, init", ("R02", "R12"), argv=argv))
        if spec.cmd:
            steps.append(Cmd("cmd", ("R12",), argv=tuple(spec.cmd)))
    stages.append(Stage(None, "the image that runs", tuple(steps)))

    grace_exact = duration_seconds(spec.stop_grace_period)  # Decimal seconds
    grace = max(1, round(grace_exact))
    supervision = None
    if spec.processes:
        grace_ms = int(grace_exact * 1000)  # at least 2 s: the spec model checked it (R11)
        supervision = Supervision(
            programs=tuple(Program(name, tuple(p.command), p.stop_signal) for name, p in spec.processes.items()),
            scan_dir=SCAN_DIR,
            script=RUN_SH,
            workdir=spec.workdir,
            kill_after_ms=grace_ms - STOP_MARGIN * 1000,
        )
    volumes = tuple(zip(_volume_names(spec.volumes), spec.volumes))
    tmpfs = tuple(sorted((set(spec.writable) - set(spec.volumes)) | ({RUNTIME_DIR} if needs_runtime_dir else set())))
    runtime = Runtime(
        service=spec.name,
        image=f"{spec.name}:dev",
        user=f"{spec.user.uid}:{spec.user.gid}",
        caps=tuple(spec.caps),
        tmpfs=tmpfs,
        volumes=volumes,
        secrets=tuple((name, name.lower()) for name in spec.secrets),
        ports=tuple(spec.ports),
        healthcheck=health,
        stop_signal=spec.stop_signal,
        stop_grace_period=spec.stop_grace_period,
        grace_seconds=grace,
        init=spec.init,
    )
    # R19: the spec and its templates are not application files; runtime data in the build
    # context (a writable or volume path below the workdir) stays out, so the directory the
    # image hands to the app user is not replaced by a root-owned copy (R15).
    spec_file = (loaded.path.name,) if re.fullmatch(r"[A-Za-z0-9._@+-]+", loaded.path.name) else ()
    own = (*spec_file, "dockgen.schema.json", *(c.source for c in spec.config))
    runtime_data = tuple(f"{_context_path(source, rel)}/" for source in spec.copy for rel in _below(spec.workdir, writable))
    ignore = COMMON_IGNORE + SECRET_IGNORE + tool.ignore + own + runtime_data
    return Plan(
        spec=spec,
        source="".join(c if c.isprintable() else "?" for c in loaded.path.name),
        family=family,
        stages=tuple(stages),
        startup=Startup(tuple(spec.secrets), configs, supervision) if family.shell else None,
        runtime=runtime,
        ignore=tuple(dict.fromkeys(ignore)),
        warnings=tuple(warnings),
        context_files=tool.manifests,
    )

