"""The spec model: field names, defaults, validation and rule refusals.

A spec describes one application (R01) in YAML; :class:`Spec` is its pydantic v2 model.
Field names are the stable public interface (issues 2 and 3). The value types and their
checks live in :mod:`dockgen.values`; this module holds the models and the refusals that
need more than one value: R01 (one application), R12 (exec form), R13 (writable paths),
R15 (not root), R18 (secrets are names, never values), R11 (the s6 stop). The JSON Schema
is :mod:`dockgen.schema`.

Cross-field refusals raise :class:`Refusal`, which pydantic lets through unchanged so
that the loader can point at the field that caused it.
"""

# No `from __future__ import annotations`: pydantic would then eval every field's annotation
# text when the models are built, at import (about 1 ms of each `dockgen render`).
import posixpath
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from .languages import NAMES as LANGUAGES
from .languages import module as _language
from .languages.base import BINARY_PATH
from .packagers import NAMES as PACKAGE_MANAGERS
from .packagers import fits as _fits_language
from .rules import Rule
from .values import (  # noqa: F401  (re-exported: other modules import them from here)
    AbsPath, Argument, Argv, Artifact, BaseImage, BuildCommand, Capability, Cpu, DEFAULT_FRONTEND, Duration, EnvName,
    FrontendSetting,
    ImagePath, LanguagePackage, Memory, Name, OneLine, OsPackage, Port, RelPath, Signal, cpu_millis,
    below, duration_seconds, env_name, env_value, host_address, matcher, memory_bytes, no_bool, not_root_id,
    no_shell_metacharacters, secret_name, secret_names, unique, version_text,
)


class Refusal(Exception):
    """A spec that asks for what a rule forbids (cross-field check).

    Attributes:
        field: tuple path of the field to blame, e.g. ``("secrets",)``.
        message: what is refused and why.
        rule: the rule ID (``R13``) or None.
    """

    def __init__(self, field: tuple, message: str, rule: str | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.rule = rule


# --- models --------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Static(_Model):
    """The final image is a static web server (nginx, unprivileged) serving ``root`` (issue 11)."""

    root: RelPath
    spa: bool = False

class User(_Model):
    """The non-root user the application runs as (R15)."""

    name: Annotated[str, AfterValidator(no_shell_metacharacters("user name")), AfterValidator(matcher(r"[a-z_][a-z0-9_-]{0,31}", "user name"))] = "app"
    # 0 is refused with R15's reason before the range (from 1) is checked: see values.not_root_id
    uid: Annotated[int, BeforeValidator(no_bool), BeforeValidator(not_root_id("uid", "root"))] = Field(10001, ge=1, le=2**31 - 2)
    gid: Annotated[int, BeforeValidator(no_bool), BeforeValidator(not_root_id("gid", "root's group"))] = Field(10001, ge=1, le=2**31 - 2)

    @model_validator(mode="after")
    def _not_root(self) -> "User":
        if self.name == "root":
            raise Refusal(("user", "name"), "root is refused; the application runs as a non-root user (R15)", Rule.R15)
        return self


class Healthcheck(_Model):
    """A HEALTHCHECK in exec form (R12); durations in Docker's Go format."""

    command: Argv
    interval: Duration = "30s"
    timeout: Duration = "5s"
    start_period: Duration = "10s"
    retries: int = Field(3, ge=1, le=100)


class ConfigFile(_Model):
    """A file written by run.sh at container start from a template (R17)."""

    source: RelPath
    target: AbsPath
    # None: 0600 when the template uses a secret (R18), else 0644
    mode: Annotated[str, AfterValidator(matcher(r"0?[0-7]{3}", "file mode (octal, e.g. \"0640\")"))] | None = None


class CopyEntry(_Model):
    """A ``copy`` entry in mapping form: ``source`` (a file or directory of the build
    context) lands at ``target``; a directory's contents go into ``target`` (R07)."""

    source: RelPath
    target: ImagePath


# A `copy` entry: a path, or a mapping; told apart by its YAML type, so an error names only
# the form written (the loader drops the "[path]"/"[mapping]" tags from error locations).
CopyItem = Annotated[Annotated[RelPath, Tag("[path]")] | Annotated[CopyEntry, Tag("[mapping]")],
                     Discriminator(lambda value: "[mapping]" if isinstance(value, (dict, CopyEntry)) else "[path]")]


class Process(_Model):
    """One program of the application, run as an s6 service (R01)."""

    command: Annotated[list[Argument], Field(min_length=1)]
    stop_signal: Signal = "SIGTERM"


class Amounts(_Model):
    """Memory and CPU, each optional (issue 13, "Resources")."""

    memory: Memory | None = None
    cpu: Cpu | None = None


class Resources(_Model):
    """What the container may use: ``limits`` (enforced), ``requests`` (reserved; at most the
    limits) and ``pids``, the most processes and threads it may run at once."""

    limits: Amounts = Amounts()
    requests: Amounts = Amounts()
    pids: Annotated[int, BeforeValidator(no_bool), Field(ge=1, le=4194304)] | None = None

    @model_validator(mode="after")
    def _requests_within_limits(self) -> "Resources":
        for name, amount in (("memory", memory_bytes), ("cpu", cpu_millis)):
            request, limit = getattr(self.requests, name), getattr(self.limits, name)
            if request and limit and amount(request) > amount(limit):
                raise Refusal(("resources", "requests", name), f"{request} is more than the limit {limit}; "
                              "a request is what the container is sure to get, at most its limit")
        return self


class Kubernetes(_Model):
    """How the ``k8s/`` manifests deploy the app (issue 13); the block's presence makes
    ``dockgen render`` write them, as ``--kubernetes`` does."""

    replicas: Annotated[int, BeforeValidator(no_bool), Field(ge=0, le=1000)] = 1
    namespace: Annotated[str, AfterValidator(matcher(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", "namespace (a DNS label: "
                                                     "lower-case letters, digits, '-', at most 63)"))] | None = None
    service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    # the image the cluster pulls (kustomization's `images`); default: the local tag NAME:dev
    image: BaseImage | None = None
    volume_size: Memory = "1Gi"  # each PersistentVolumeClaim's request
    storage_class: Annotated[str, AfterValidator(matcher(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?", "storage class name"))] | None = None


class Spec(_Model):
    """A validated dockgen spec: one application (R01) and how to build and run it.

    Input: the mapping read from the spec YAML (see ``loader.load_spec``).
    Raises ``pydantic.ValidationError`` for field errors and :class:`Refusal` for
    cross-field rule refusals.
    """

    name: Name
    description: OneLine | None = None
    language: Literal[LANGUAGES]  # the registry's names: the schema enum derives from them
    version: Annotated[str, BeforeValidator(version_text, json_schema_input_type=str), AfterValidator(matcher(r"[0-9][0-9A-Za-z.-]*", "version (e.g. \"3.12\")"))] | None = None
    variant: Literal["slim", "alpine"] = "slim"
    jlink: bool = False  # issue 12: java only; the final image carries a jlink runtime instead of the JRE image
    base: BaseImage | None = None
    system_packages: list[OsPackage] = []
    build_packages: list[OsPackage] = []
    dependencies: list[RelPath] | None = None
    package_manager: Annotated[Literal[PACKAGE_MANAGERS] | None, AfterValidator(_fits_language)] = None  # the registry's names
    packages: list[LanguagePackage] = []
    workdir: AbsPath = "/app"
    copy_: list[CopyItem] = Field(default=["."], alias="copy")
    user: User = User()
    ports: Annotated[list[Port], AfterValidator(unique("port"))] = []
    host_ip: dict[Port, Annotated[str, AfterValidator(host_address)]] = {}
    resources: Resources | None = None
    kubernetes: Kubernetes | None = None  # issue 13: the k8s/ manifests
    env: dict[Annotated[EnvName, AfterValidator(env_name)], Annotated[OneLine, AfterValidator(env_value)]] = {}
    secrets: Annotated[list[Annotated[EnvName, AfterValidator(secret_name)]], BeforeValidator(secret_names),
                       AfterValidator(unique("secret", str.upper))] = []
    entrypoint: Argv | None = None
    cmd: Argv | None = None
    labels: dict[Annotated[str, AfterValidator(no_shell_metacharacters("label key")), AfterValidator(matcher(r"[A-Za-z0-9][A-Za-z0-9._/-]*", "label key"))], OneLine] = {}
    caps: Annotated[list[Capability], AfterValidator(unique("capability"))] = []
    healthcheck: Healthcheck | None = None
    stop_signal: Signal = "SIGTERM"
    config: list[ConfigFile] = []
    processes: dict[Annotated[str, AfterValidator(matcher(r"[A-Za-z0-9][A-Za-z0-9_.-]*", "process name"))], Process] = {}
    init: bool = True
    writable: Annotated[list[AbsPath], AfterValidator(unique("path"))] = []
    volumes: Annotated[list[AbsPath], AfterValidator(unique("path"))] = []
    stop_grace_period: Duration = "10s"
    # the build step (issue 11): builder-only commands, what the final image takes, a static server, build secrets
    build: list[BuildCommand] = []
    artifacts: Annotated[list[Artifact], AfterValidator(unique("artifact"))] = []
    static: Static | None = None
    build_secrets: Annotated[list[Annotated[EnvName, AfterValidator(secret_name)]],
                             AfterValidator(unique("secret", str.upper))] = []
    # issue 14: the Dockerfile frontend of the `# syntax=` line (pinned, R06), or false for none
    syntax: FrontendSetting = DEFAULT_FRONTEND

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def copy(self) -> list[str | CopyEntry]:  # noqa: D401 - the public name of the field
        """What goes into the image (``copy`` in YAML; ``copy_`` avoids BaseModel.copy)."""
        return self.copy_

    @property
    def copies(self) -> tuple[tuple[str, str], ...]:
        """Each ``copy`` entry as (source in the build context, destination in the image).

        Issue 10, item 3: a path entry lands at its own relative path under the workdir
        (``src/app`` -> ``./src/app``; ``.`` -> ``./``), so nothing is flattened; a mapping
        entry lands at its ``target`` (absolute, or relative to the workdir).
        """
        def landing(source: str) -> str:
            path = posixpath.normpath(source)
            return "./" if path == "." else "./" + path

        return tuple((entry.source, entry.target) if isinstance(entry, CopyEntry) else (entry, landing(entry))
                     for entry in self.copy_)

    @property
    def runs_init(self) -> bool:
        """R02: whether tini is PID 1. ``init`` as the spec sets it; unset, True, except for
        ``static``: nginx is made to be PID 1 (its master handles SIGTERM and SIGQUIT and
        reaps its workers, as the official image runs it), so tini would add a layer and
        nothing else."""
        return self.init if "init" in self.model_fields_set or self.static is None else False

    @model_validator(mode="after")
    def _cross_field(self) -> "Spec":
        if self.language != "none" and not self.version:
            raise Refusal(("language",), f"{self.language} needs `version`, the runtime's version (e.g. version: \"3.12\")")
        if self.language == "none" and not self.base:
            raise Refusal(("language",), "language none needs an explicit `base` (e.g. base: alpine:3.20, busybox:1.36.1 or scratch)")
        if self.processes and (self.entrypoint or self.cmd):
            raise Refusal(("processes",), "use either `processes` (several programs under s6) or `entrypoint`/`cmd`, not both (R01)", Rule.R01)
        if not (self.processes or self.entrypoint or self.cmd or _language(self.language).COMPILED or self.static):
            raise Refusal(("entrypoint",), "nothing to run: give `entrypoint` (and `cmd`), or `processes`")
        for name in self.env:
            if name in self.secrets:
                raise Refusal(("env", name), f"{name} is a secret and is given a value here; secrets come at run time via {name}_FILE, never from the spec (R18)", Rule.R18)
        for field in ("writable", "volumes"):
            for i, path in enumerate(getattr(self, field)):
                if path == "/" or self.workdir == path or below(self.workdir, path):
                    raise Refusal((field, i), f"{path} would hide the application in {self.workdir} (or the whole "
                                  "filesystem) behind an empty mount; declare only the directories the app writes to", Rule.R13)
                if path == RUNTIME_DIR or below(path, RUNTIME_DIR):
                    raise Refusal((field, i), f"{path} is {'' if path == RUNTIME_DIR else 'inside '}dockgen's runtime directory (run.sh's config files, s6's "
                                  f"scan directory, a tmpfs of its own): give the app a directory outside {RUNTIME_DIR}", Rule.R13)
        writable = set(self.writable) | set(self.volumes)
        for i, config in enumerate(self.config):
            if config.target in writable:
                raise Refusal(("config", i, "target"), f"{config.target} is a writable directory; the target must be a file path")
            if below(config.target, SCAN_DIR):
                raise Refusal(("config", i, "target"), f"{config.target} is in s6's scan directory, which run.sh makes "
                              f"anew at start; put the file directly in {RUNTIME_DIR} or elsewhere", Rule.R17)
        return self

    @model_validator(mode="after")
    def _jlink_is_java(self) -> "Spec":
        """Issue 12: ``jlink`` links a Java runtime from the JDK; no other language has one to link."""
        if self.jlink and self.language != "java":
            raise Refusal(("jlink",), f"only language java links a runtime with jlink; {self.language} has no JDK to "
                          "link one from: drop `jlink: true`")
        return self

    @model_validator(mode="after")
    def _program_word(self) -> "Spec":
        """R12: the exec form runs the first entrypoint word as the program's name, so it is a
        name or path: not empty, and not a command line with spaces (``node --inspect``)."""
        program = self.entrypoint[0] if self.entrypoint else None
        if _language(self.language).BINARY:
            return self  # the binary's path has its own, stricter check (_binary)
        if program is not None and not program.strip():
            raise Refusal(("entrypoint", 0), "is empty: the first word is the program to run, e.g. entrypoint: [node]", Rule.R12)
        if program is not None and len(program.split()) > 1:
            words = ", ".join(program.split())
            raise Refusal(("entrypoint", 0), f"{program!r} is one word with spaces: the exec form would look for a program of "
                          f"that whole name; give one word per item, e.g. entrypoint: [{words}] (R12)", Rule.R12)
        return self

    @model_validator(mode="after")
    def _binary(self) -> "Spec":
        """A BINARY language's first entrypoint word is the binary's path: a COPY line writes
        it, where no quoting is possible."""
        if _language(self.language).BINARY and self.entrypoint and not BINARY_PATH.fullmatch(self.entrypoint[0]):
            raise Refusal(("entrypoint", 0), f"{self.entrypoint[0]!r}: for a {self.language} service the first word is the "
                          "binary's name or absolute path (letters, digits, '.', '_', '-', '/'), e.g. /pinger")
        return self

    @model_validator(mode="after")
    def _s6_can_stop(self) -> "Spec":
        """``processes`` run under s6-svscan: the stop signal must stop it, and the grace period
        must leave s6 time to stop every program before docker's SIGKILL (R11)."""
        if not self.processes:
            return self
        if duration_seconds(self.stop_grace_period) < STOP_MARGIN + 1:
            raise Refusal(("stop_grace_period",), f"{self.stop_grace_period} is too short for s6 to stop "
                          f"every program before docker's SIGKILL; give at least {STOP_MARGIN + 1}s", Rule.R11)
        if self.stop_signal not in S6_STOP_SIGNALS:
            raise Refusal(("stop_signal",), f"{self.stop_signal} does not stop s6-svscan, which runs the "
                          f"`processes`: use one of {', '.join(S6_STOP_SIGNALS)} (each program keeps its own "
                          "stop_signal)", Rule.R11)
        return self

    @model_validator(mode="after")
    def _env_path_and_config_targets(self) -> "Spec":
        """Issue 10, item 7: ``env: {PATH: ...}`` and two config files with one target."""
        if "PATH" in self.env:
            raise Refusal(("env", "PATH"), "replaces the image's whole PATH: run.sh would no longer find rm or awk, "
                          "and the directories the base image and the language add (Python's virtual environment, "
                          "/usr/local/bin) would be gone; start a program outside PATH by its absolute path "
                          "(entrypoint: [/app/bin/server]) or install it into /usr/local/bin, which is on PATH", Rule.R17)
        targets: dict[str, int] = {}
        for i, config in enumerate(self.config):
            target = posixpath.normpath(config.target)
            if target in targets:
                raise Refusal(("config", i, "target"), f"{config.target} is also the target of config[{targets[target]}]; "
                              "run.sh would write one over the other: give each config file its own target, or "
                              "merge the two templates into one", Rule.R17)
            targets[target] = i
        return self

    @model_validator(mode="after")
    def _secret_file_names(self) -> "Spec":
        """R18: a secret arrives as NAME or NAME_FILE, so a secret named like another's
        ``_FILE`` variable (A and A_FILE) makes run.sh see both and refuse to start."""
        names = {name.upper(): i for i, name in enumerate(self.secrets)}
        for i, name in enumerate(self.secrets):
            if name.upper().endswith("_FILE") and name.upper()[:-5] in names:
                other = self.secrets[names[name.upper()[:-5]]]
                raise Refusal(("secrets", i), f"{name} is the variable that delivers the secret {other} as a file "
                              f"({other}_FILE): run.sh would see both and refuse to start; give this secret "
                              "another name", Rule.R18)
        return self

    @model_validator(mode="after")
    def _host_ip_of_ports(self) -> "Spec":
        """Issue 10, item 12: ``host_ip`` names only ports that ``ports`` publishes."""
        for port in self.host_ip:
            if port not in self.ports:
                raise Refusal(("host_ip", port), f"{port} is not in `ports` ({', '.join(map(str, self.ports)) or 'none'}); "
                              "host_ip says where a published port listens: list the port in `ports` too")
        return self


    @model_validator(mode="after")
    def _build_step(self) -> "Spec":
        """Issue 11: what the build step, its artifacts, the static server and build secrets
        need from the rest of the spec."""
        if self.language == "none" and (self.build or self.build_secrets):
            field = "build" if self.build else "build_secrets"
            raise Refusal((field,), "language none has no builder stage to run it in; choose the language "
                          "whose tools the build needs (e.g. language: node)")
        if self.artifacts and not self.build:
            raise Refusal(("artifacts",), "names what the final image takes from the build, but there is no "
                          "`build`; add the build commands, or drop artifacts")
        if self.static is None:
            return self
        for field in ("entrypoint", "cmd", "processes", "artifacts"):
            if getattr(self, field):
                raise Refusal((field,), f"static: the final image runs the web server, which serves "
                              f"{self.static.root}; drop {field}")
        if len(self.ports) != 1 or self.ports[0] < 1024:
            raise Refusal(("ports",), "static: give the one unprivileged port the web server listens on "
                          "(1024 or higher, e.g. ports: [8080]); the server runs as the non-root user (R15)", Rule.R15)
        return self

# Written at start: rendered config files, the s6 scan directory, the static server's pid and
# temporary files. Not under /run: Podman's --read-only mounts its own tmpfs on /run (and /tmp,
# /var/tmp, /dev/shm: policy.ENGINE_TMPFS), copying the image's directory into it under the
# umask, and a tmpfs mounted there then takes that directory's mode, 1755: not writable.
RUNTIME_DIR = "/var/lib/dockgen"
SCAN_DIR = f"{RUNTIME_DIR}/s6"  # s6-svscan's scan directory: one service directory per program (R01)
# s6 sends each program its stop signal at once and SIGKILLs one still running after the
# grace period minus this margin (seconds): the whole stop ends inside docker's grace period (R11).
STOP_MARGIN = 1
# The signals on which s6-svscan stops every program and exits (s6-svscan's documentation).
S6_STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT")


_ENV_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?][^}]*)?\}")


def env_warnings(spec: Spec) -> list[str]:
    """Warnings about ``env`` values that hold ``${VAR}``: the image's ENV is literal, so the
    app gets the text ``${VAR}`` itself (issue 10, item 7). One line each, naming the field."""
    warnings = []
    for name, value in spec.env.items():
        found = _ENV_PLACEHOLDER.search(value)
        if found:
            warnings.append(f"env.{name}: {found[0]} reaches the app as the literal text {found[0]}: env values are "
                            "not expanded, at build or at run time; run-time interpolation happens in config "
                            "templates (config:, R17), or set the whole value at run time (docker run -e)")
    return warnings
