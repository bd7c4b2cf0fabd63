"""RunPolicy: how the container runs, said once and target-neutral (R02, R11-R15, R18).

compose.yaml (``templates/compose.yaml.j2``), the ``docker run`` line
(``templates/docker-run.j2``), the Kubernetes manifests and the Dockerfile's STOPSIGNAL
(R11) render from it: it holds
values (numbers, paths, names), never the syntax of one target. Durations are whole
seconds, the unit every target reads (Kubernetes probes take integers only).
"""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass
from typing import Literal

from .. import languages
from ..spec import Spec, below, cpu_millis, duration_seconds, memory_bytes
from . import static
from .names import unique_names
from .startup import RUNTIME_DIR, Startup

SECRETS_DIR = "/run/secrets"  # where Docker, compose and Kubernetes mount secret files (R18)
# A tmpfs's permission bits (R13): every user may create files, only a file's owner may remove
# or replace it (sticky, like /tmp). Docker and Podman both take `mode=`; the owner options
# are not common to both (Docker's `uid=`/`gid=` are refused by Podman 4, Podman's `U` by
# Docker), and the container runs as one user, so a sticky world-writable tmpfs gives that
# user what an owned one would.
#
# The mount option is not enough on its own: runc, the runtime under Docker and Podman, gives a
# tmpfs the mode of the image directory it covers, so the image's mount points carry this mode
# too (plan/image.py chmods them).
TMPFS_MODE = 0o1777
# The directories Podman mounts a tmpfs on for --read-only (containers.conf read_only_tmpfs,
# true by default; Docker mounts none): a writable path inside one is not in the image.
ENGINE_TMPFS = ("/dev/shm", "/run", "/tmp", "/var/run", "/var/tmp")
# Where a published port listens unless the spec's host_ip says otherwise: this machine only
# (issue 10, item 12; Docker's published ports bypass a host firewall such as ufw).
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Mount:
    """A writable path on the read-only root filesystem (R13).

    Attributes:
        path: the absolute path in the container.
        type: ``tmpfs`` (empty at every start) or ``volume`` (persistent, named ``name``).
        uid, gid: the user that writes there: the application's user (R15). A volume takes
            it as owner from the image's directory; a tmpfs is writable to it through ``mode``.
        name: the volume's name (``app-uploads``), None for a tmpfs; compose.yaml's key, which
            compose scopes to its project itself (``<project>_app-uploads``).
        mode: a tmpfs's permission bits (TMPFS_MODE), None for a volume.
        app: the application's name (the spec's ``name``), None for a tmpfs.
    """

    path: str
    type: Literal["tmpfs", "volume"]
    uid: int
    gid: int
    name: str | None = None
    mode: int | None = None
    app: str | None = None

    @property
    def engine_name(self) -> str | None:
        """The volume's name for ``docker run`` (``notes-api-app-uploads``), None for a tmpfs.

        A ``docker run`` volume is engine-wide, so the name carries the app's: two apps that
        both keep ``/app/data`` would otherwise share one. Both parts match ``[a-z0-9]`` at the
        start and Docker's volume name charset ``[a-zA-Z0-9][a-zA-Z0-9_.-]*`` after it.
        """
        return f"{self.app}-{self.name}" if self.name else None


@dataclass(frozen=True)
class PublishedPort:
    """A container port published on the same port of the host.

    Attributes:
        port: the port the app listens on in the container (and on the host).
        host_ip: the host address it listens on: LOOPBACK unless the spec's ``host_ip`` names
            another (``0.0.0.0`` or ``::`` for every interface), an IPv4 or IPv6 address.
    """

    port: int
    host_ip: str


@dataclass(frozen=True)
class SecretFile:
    """A secret delivered as a file (R18): run.sh reads ``env`` (``NAME_FILE``) = ``path``.

    Attributes:
        name: the secret's name (``DB_PASSWORD``); file: the file's name (``db_password``);
        path: where it is mounted (``/run/secrets/db_password``); env: ``NAME_FILE``.
    """

    name: str
    file: str
    path: str
    env: str


@dataclass(frozen=True)
class HttpGet:
    """A health check that is a plain HTTP GET of the app's own port (issue 13: a target that
    can make the request itself, such as the kubelet's ``httpGet`` probe, needs no program in
    the image for it).

    Attributes:
        port: one of the spec's ``ports``; path: the request path with its query (``/health``).
    """

    port: int
    path: str


@dataclass(frozen=True)
class Probe:
    """The health check (R12): an exec-form command and whole-second timings.

    Attributes:
        command: the argv run inside the container; healthy when it exits 0.
        interval, timeout: seconds, at least 1; start_period: seconds, at least 0;
        retries: failures in a row before the container is unhealthy.
        http: the same check as a plain HTTP GET, when the command is nothing more (see
            :func:`plain_http_get`); None otherwise.
    """

    command: tuple[str, ...]
    interval: int
    timeout: int
    start_period: int
    retries: int
    http: HttpGet | None = None


@dataclass(frozen=True)
class Limits:
    """What the container may use (issue 13, "Resources"); None where the spec sets nothing.

    Attributes:
        memory_limit, memory_request: bytes; the limit is enforced (the kernel's OOM killer
            stops the app above it), the request is reserved.
        cpu_limit, cpu_request: thousandths of a CPU (millicores): 500 is half a CPU.
        pids_limit: the most processes and threads at once.
    """

    memory_limit: int | None
    memory_request: int | None
    cpu_limit: int | None
    cpu_request: int | None
    pids_limit: int | None


@dataclass(frozen=True)
class RunPolicy:
    """The locked-down way the container runs, for every run target.

    Attributes:
        name: the service (and container) name; image: the local tag it builds.
        uid, gid: the numeric user and group it runs as (R15).
        read_only_root: the root filesystem is read-only (R13); mounts: the writable paths,
            tmpfs first (sorted by path), then volumes (in the spec's order).
        cap_drop: capabilities dropped (``ALL``); cap_add: those added back (R14).
        no_new_privileges: setuid binaries gain nothing (R14).
        secrets: the secrets as files (R18).
        ports: the published ports, in the spec's order, each with its host address.
        probe: the health check, or None.
        stop_signal: what a stop sends first; grace_seconds: whole seconds before SIGKILL (R11).
        init: tini is PID 1 inside the image (R02): a target adds no init of its own.
        limits: memory, CPU and process limits, or None: the container is unbounded.
    """

    name: str
    image: str
    uid: int
    gid: int
    mounts: tuple[Mount, ...]
    cap_add: tuple[str, ...]
    secrets: tuple[SecretFile, ...]
    ports: tuple[PublishedPort, ...]
    probe: Probe | None
    stop_signal: str
    grace_seconds: int
    init: bool
    limits: Limits | None = None
    read_only_root: bool = True
    cap_drop: tuple[str, ...] = ("ALL",)
    no_new_privileges: bool = True

    @property
    def tmpfs(self) -> tuple[Mount, ...]:
        """The tmpfs mounts, sorted by path."""
        return tuple(m for m in self.mounts if m.type == "tmpfs")

    @property
    def volumes(self) -> tuple[Mount, ...]:
        """The volume mounts, in the spec's order."""
        return tuple(m for m in self.mounts if m.type == "volume")


def whole_seconds(duration: str, minimum: int = 1) -> int:
    """A Go duration (``1m30s``, ``2500ms``) as whole seconds, rounded up (never shorter
    than the spec asks: a grace period cut to 2 s would SIGKILL sooner), at least
    ``minimum``: ``1m30s`` -> 90, ``2500ms`` -> 3, ``0s`` -> ``minimum``."""
    return max(minimum, math.ceil(duration_seconds(duration)))


def run_policy(spec: Spec, startup: Startup) -> RunPolicy:
    """The run policy of ``spec``; ``startup`` tells whether run.sh writes to RUNTIME_DIR
    (then it is a tmpfs, R13)."""
    return RunPolicy(
        name=spec.name,
        image=f"{spec.name}:dev",
        uid=spec.user.uid,
        gid=spec.user.gid,
        mounts=_mounts(spec, startup.needs_runtime_dir),
        cap_add=tuple(spec.caps),
        secrets=tuple(SecretFile(name, name.lower(), f"{SECRETS_DIR}/{name.lower()}", f"{name}_FILE")
                      for name in spec.secrets),
        ports=tuple(PublishedPort(port, spec.host_ip.get(port, LOOPBACK)) for port in spec.ports),
        probe=_probe(spec),
        stop_signal=stop_signal(spec),
        grace_seconds=whole_seconds(spec.stop_grace_period),
        init=spec.runs_init,
        limits=_limits(spec),
    )


def stop_signal(spec: Spec) -> str:
    """R11: the signal a stop sends first, the one fact the Dockerfile's STOPSIGNAL, compose,
    ``docker run`` and Kubernetes all state (so the base image's own, e.g. php-fpm's and
    nginx's SIGQUIT, never leaks into an image whose run targets say otherwise): the spec's
    ``stop_signal`` when it sets one; else the static server's graceful stop
    (:data:`.static.STOP_SIGNAL`) when nginx is the program; else SIGTERM (``docker stop``'s)."""
    return static.STOP_SIGNAL if stop_signal_field(spec) == "static" else spec.stop_signal


def stop_signal_field(spec: Spec) -> str:
    """The spec field :func:`stop_signal` comes from (R21): ``stop_signal`` when the spec sets
    it or there is no static server, else ``static``."""
    return "stop_signal" if "stop_signal" in spec.model_fields_set or spec.static is None else "static"


def _limits(spec: Spec) -> Limits | None:
    r = spec.resources
    if r is None:
        return None
    memory = [None if v is None else memory_bytes(v) for v in (r.limits.memory, r.requests.memory)]
    cpu = [None if v is None else cpu_millis(v) for v in (r.limits.cpu, r.requests.cpu)]
    return Limits(*memory, *cpu, r.pids)


def tmpfs_paths(spec: Spec, runtime_dir: bool) -> list[str]:
    """The paths mounted as a tmpfs, sorted (R13): the ``writable`` paths that are not
    ``volumes``, and RUNTIME_DIR when ``runtime_dir`` (run.sh writes there)."""
    return sorted((set(spec.writable) - set(spec.volumes)) | ({RUNTIME_DIR} if runtime_dir else set()))


def inside_another(paths: list[str]) -> set[str]:
    """The ``paths`` that lie inside another of them or inside one of ENGINE_TMPFS
    (``/var/lib/dockgen/cache`` in ``/var/lib/dockgen``, ``/tmp/cache`` in ``/tmp``).

    The image must not hold such a tmpfs mount point: Podman copies the image's content into
    a new tmpfs (``tmpcopyup``), with runc 1.1 under the umask, so the copied directory loses
    its world-write bit and the inner tmpfs, given that directory's mode, is not writable.
    The engine makes a missing mount point itself, and the mount's ``mode=`` then applies."""
    parents = (*paths, *ENGINE_TMPFS)
    return {path for path in paths if any(below(path, other) for other in parents)}


def _mounts(spec: Spec, runtime_dir: bool) -> tuple[Mount, ...]:
    uid, gid = spec.user.uid, spec.user.gid
    return (*(Mount(path, "tmpfs", uid, gid, mode=TMPFS_MODE) for path in tmpfs_paths(spec, runtime_dir)),
            *(Mount(path, "volume", uid, gid, name, app=spec.name) for name, path in zip(volume_names(spec.volumes), spec.volumes)))


def _probe(spec: Spec) -> Probe | None:
    h = spec.healthcheck
    if h is None:
        return None
    return Probe(tuple(h.command), whole_seconds(h.interval), whole_seconds(h.timeout),
                 whole_seconds(h.start_period, minimum=0), h.retries, plain_http_get(spec, tuple(h.command)))


_URL = re.compile(r"http://(?:127\.0\.0\.1|localhost):(?P<port>[0-9]{1,5})(?P<path>/[A-Za-z0-9._~!$&()*+,;=:@%/?-]*)?")
# curl fails on an HTTP error status only with -f; these options change nothing else
_CURL_OPTIONS = {"-f", "--fail", "-s", "--silent", "-S", "--show-error", "-fs", "-sf", "-fsS", "-fSs", "-sSf", "-sfS",
                 "-Ssf", "-Sfs", "-o/dev/null"}
_WGET_OPTIONS = {"-q", "--quiet", "--spider", "-O-", "-qO-", "-O/dev/null", "-qO/dev/null"}
# Python's urllib in one line: urlopen raises (exit 1) on an error status or no answer
_URLOPEN = re.compile(r"import urllib\.request(?: as (?P<alias>\w+))?; ?(?:urllib\.request|(?P=alias))\.urlopen\("
                      r"(?P<q>['\"])(?P<url>[^'\"]+)(?P=q)(?:, ?timeout=[0-9]+)?\)")


def plain_http_get(spec: Spec, command: tuple[str, ...]) -> HttpGet | None:
    """The health check ``command`` as an HTTP GET, when it is one and nothing more; else None.

    Plain means: a GET of ``http://127.0.0.1:PORT/PATH`` (or localhost) on one of the spec's
    ``ports`` that fails on an error status, written as the language's own check that dockgen
    proposes (``languages.<name>.healthcheck``), as ``curl -f URL`` (with -s, -S, -o /dev/null),
    as ``wget -q [--spider | -O-] URL`` or as Python's ``urllib.request.urlopen(URL)``
    one-liner. Anything else (a status compared in code, a header, a TCP connect) stays a command.
    """
    urls = [m for word in command for m in _URL.finditer(word)]
    if len(urls) != 1 or int(urls[0]["port"]) not in spec.ports:
        return None
    found = HttpGet(int(urls[0]["port"]), urls[0]["path"] or "/")
    url = urls[0][0]
    own = languages.module(spec.language).healthcheck(found.port, found.path, spec.base)
    program, rest = posixpath.basename(command[0]), " ".join(command[1:]).replace("-o /dev/null", "-o/dev/null")
    rest = rest.replace("-O /dev/null", "-O/dev/null").replace("-qO /dev/null", "-qO/dev/null")
    options = [word for word in rest.split(" ") if word != url]
    plain = (tuple(own or ()) == command
             or (program == "curl" and set(options) <= _CURL_OPTIONS and any("f" in o and not o.startswith("--s") for o in options))
             or (program == "wget" and set(options) <= _WGET_OPTIONS)
             or (program.startswith("python") and command[1:2] == ("-c",) and len(command) == 3
                 and (m := _URLOPEN.fullmatch(command[2].strip())) is not None and m["url"] == url))
    return found if plain else None


def volume_names(paths: list[str]) -> list[str]:
    """Volume names for ``paths``: ``/app/uploads`` -> ``app-uploads``, unique. A name starts
    with a letter or digit (compose reads ``.x`` or ``..`` as a host path to bind)."""
    return unique_names([re.sub(r"^[^A-Za-z0-9]+", "", path.strip("/").replace("/", "-")) or "data" for path in paths])
