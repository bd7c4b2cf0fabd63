"""run.sh's contract: the secrets it reads, the config files it writes, the s6 services.

run.sh (``templates/run.sh.j2``) runs as the application's user at every container start,
before the application: it reads each secret from ``NAME_FILE`` or ``NAME`` (R18), writes
each config file from its template (R17), unsets the secrets, and either execs the
application or writes the s6 scan directory and execs ``s6-svscan`` (R01). It may write
only to the writable paths and to RUNTIME_DIR (a tmpfs, R13).

Config templates are checked here (placeholders known, targets writable at run time);
the s6 checks that need only the spec live in the spec model (R11).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..errors import Problem, SpecError
from ..loader import LoadedSpec
from ..placeholders import Placeholder, TemplateSyntaxError, scan
from ..spec import RUNTIME_DIR, SCAN_DIR, STOP_MARGIN, ConfigFile, Spec, below, duration_seconds
from .names import unique_names
from ..rules import Rule

RUN_SH = "/usr/local/bin/run.sh"  # R17: where the startup script lives in the image


@dataclass(frozen=True)
class ConfigOutput:
    """A config file run.sh writes at start (R17).

    Attributes:
        source: template path in the build context; text: its content, exactly as in the
            file (CRLF and a missing final newline kept).
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

    @property
    def final_newline(self) -> bool:
        """Whether ``text`` ends with a newline; run.sh writes one at the end only then."""
        return self.text.endswith("\n")

    @property
    def heredoc(self) -> str:
        """``text`` as the body of run.sh's here-document, which must end with a newline
        before its delimiter line: ``text`` itself, or ``text`` plus the newline run.sh drops."""
        return self.text if self.final_newline else self.text + "\n"


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
        argc: how many arguments the ENTRYPOINT gives run.sh (tini ``--`` when ``init``,
            then ``s6-svscan`` and the scan directory); any other count is refused.
    """

    programs: tuple[Program, ...]
    scan_dir: str
    script: str
    workdir: str
    kill_after_ms: int
    argc: int = 2


@dataclass(frozen=True)
class Startup:
    """What run.sh does before it execs the application (R17, R18), and the s6 services
    it writes when the spec has ``processes`` (R01)."""

    secrets: tuple[str, ...]
    configs: tuple[ConfigOutput, ...]
    supervision: Supervision | None = None
    server: bool = False  # a static web server writes its pid and temporary files in RUNTIME_DIR (issue 11)

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """(target, path) of each config file written in RUNTIME_DIR: the image links the
        target there."""
        return tuple((c.target, c.path) for c in self.configs if c.path != c.target)

    @property
    def needs_runtime_dir(self) -> bool:
        """Whether run.sh writes to RUNTIME_DIR (s6's scan directory or a config file), which
        then must be a writable mount (R13)."""
        return self.server or self.supervision is not None or any(c.path.startswith(RUNTIME_DIR + "/") for c in self.configs)


def plan_startup(loaded: LoadedSpec) -> Startup:
    """The startup phase: run.sh's secrets, config files and s6 services.

    Raises:
        SpecError: a config template has an unknown or malformed placeholder, or a target
            below a writable path (R17).
    """
    spec = loaded.spec
    return Startup(tuple(spec.secrets), _configs(loaded), _supervision(spec), server=spec.static is not None)


def _supervision(spec: Spec) -> Supervision | None:
    if not spec.processes:
        return None
    grace_ms = int(duration_seconds(spec.stop_grace_period) * 1000)  # at least 2 s: the spec checked it (R11)
    return Supervision(
        programs=tuple(Program(name, tuple(p.command), p.stop_signal) for name, p in spec.processes.items()),
        scan_dir=SCAN_DIR,
        script=RUN_SH,
        workdir=spec.workdir,
        kill_after_ms=grace_ms - STOP_MARGIN * 1000,
        argc=(4 if spec.runs_init else 2),  # what run.sh receives: [tini --] s6-svscan SCAN_DIR (image.how_it_runs)
    )


def _configs(loaded: LoadedSpec) -> tuple[ConfigOutput, ...]:
    spec = loaded.spec
    writable = set(spec.writable) | set(spec.volumes)
    names = unique_names([posixpath.basename(c.target) for c in spec.config], taken=(posixpath.basename(SCAN_DIR),))
    problems: list[Problem] = []
    outputs = []
    for index, config in enumerate(spec.config):
        text = loaded.templates[config.source]
        placeholders = _placeholders(loaded, index, text, problems)
        problems += _below_writable(loaded, index, config, writable)
        in_writable = posixpath.dirname(config.target) in writable
        path = config.target if in_writable else f"{RUNTIME_DIR}/{names[index]}"
        mode = _mode(spec, config, placeholders)
        outputs.append(ConfigOutput(config.source, text, config.target, path, mode, _delimiter(text)))
    if problems:
        raise SpecError(problems)
    return tuple(outputs)


def _placeholders(loaded: LoadedSpec, index: int, text: str, problems: list[Problem]) -> list[Placeholder]:
    """The placeholders of config ``index``'s template; appends a Problem for each unknown one
    or for a syntax error (R17)."""
    spec = loaded.spec
    known = set(spec.env) | set(spec.secrets)
    file = str(loaded.context / spec.config[index].source)
    try:
        placeholders = scan(text)
    except TemplateSyntaxError as exc:
        problems.append(Problem(file, f"config[{index}].source", str(exc), exc.line, exc.column, rule=Rule.R17))
        return []
    for placeholder in placeholders:
        if placeholder.op == "" and placeholder.name not in known:
            problems.append(Problem(file, f"config[{index}].source",
                                    f"unknown placeholder ${{{placeholder.name}}}: it is not in `env` or `secrets`; "
                                    f"add it there or give a default, ${{{placeholder.name}:-value}}",
                                    placeholder.line, placeholder.column, rule=Rule.R17))
    return placeholders


def _below_writable(loaded: LoadedSpec, index: int, config: ConfigFile, writable: set[str]) -> list[Problem]:
    """A writable path starts empty at run time (tmpfs, fresh volume, R13): a directory below
    it would not exist when run.sh writes the file, and a link from the image is hidden."""
    directory = posixpath.dirname(config.target)
    return [loaded.problem(("config", index, "target"),
                           f"{config.target} is below the writable path {w}, which starts empty at run "
                           f"time, so {directory} will not exist; put the file directly in {w}, or "
                           f"outside the writable paths (run.sh then writes it to {RUNTIME_DIR} and the "
                           "image links it there)", Rule.R17)
            for w in sorted(w for w in writable if below(directory, w))]


def _mode(spec: Spec, config: ConfigFile, placeholders: list[Placeholder]) -> str:
    """The file's octal mode: the spec's, else 0600 when it holds a secret (R18), else 0644."""
    if config.mode is not None:
        return config.mode if len(config.mode) == 4 else "0" + config.mode
    return "0600" if any(p.name in spec.secrets for p in placeholders) else "0644"


def _delimiter(text: str) -> str:
    """A here-document word that is no line of ``text``."""
    lines = set(text.split("\n"))
    word, n = "DOCKGEN_TEMPLATE", 0
    while word in lines:
        n += 1
        word = f"DOCKGEN_TEMPLATE_{n}"
    return word
