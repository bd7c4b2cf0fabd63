"""RunPolicy: how the container runs, said once and target-neutral (R02, R11-R15, R18).

compose.yaml (``templates/compose.yaml.j2``) and the ``docker run`` line
(``templates/docker-run.j2``) render from it, and so will Kubernetes manifests: it holds
values (numbers, paths, names), never the syntax of one target. Durations are whole
seconds, the unit every target reads (Kubernetes probes take integers only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..spec import Spec, cpu_millis, duration_seconds, memory_bytes
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
        name: the volume's name (``app-uploads``), None for a tmpfs.
        mode: a tmpfs's permission bits (TMPFS_MODE), None for a volume.
    """

    path: str
    type: Literal["tmpfs", "volume"]
    uid: int
    gid: int
    name: str | None = None
    mode: int | None = None


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
class Probe:
    """The health check (R12): an exec-form command and whole-second timings.

    Attributes:
        command: the argv run inside the container; healthy when it exits 0.
        interval, timeout: seconds, at least 1; start_period: seconds, at least 0;
        retries: failures in a row before the container is unhealthy.
    """

    command: tuple[str, ...]
    interval: int
    timeout: int
    start_period: int
    retries: int


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
    """A Go duration (``1m30s``, ``1500ms``) as whole seconds, rounded to the nearest
    (half to even), at least ``minimum``: ``1m30s`` -> 90, ``500ms`` -> 1."""
    return max(minimum, round(duration_seconds(duration)))


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
        stop_signal=spec.stop_signal,
        grace_seconds=whole_seconds(spec.stop_grace_period),
        init=spec.init,
        limits=_limits(spec),
    )


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
    """The ``paths`` that lie inside another of them (``/run/dockgen`` in ``/run``).

    The image must not hold such a tmpfs mount point: Podman copies the image's content into
    a new tmpfs (``tmpcopyup``), with runc 1.1 under the umask, so the copied directory loses
    its world-write bit and the inner tmpfs, given that directory's mode, is not writable.
    The engine makes a missing mount point itself, and the mount's ``mode=`` then applies."""
    return {path for path in paths if any(path.startswith(other.rstrip("/") + "/") for other in paths)}


def _mounts(spec: Spec, runtime_dir: bool) -> tuple[Mount, ...]:
    uid, gid = spec.user.uid, spec.user.gid
    return (*(Mount(path, "tmpfs", uid, gid, mode=TMPFS_MODE) for path in tmpfs_paths(spec, runtime_dir)),
            *(Mount(path, "volume", uid, gid, name) for name, path in zip(volume_names(spec.volumes), spec.volumes)))


def _probe(spec: Spec) -> Probe | None:
    h = spec.healthcheck
    if h is None:
        return None
    return Probe(tuple(h.command), whole_seconds(h.interval), whole_seconds(h.timeout),
                 whole_seconds(h.start_period, minimum=0), h.retries)


def volume_names(paths: list[str]) -> list[str]:
    """Volume names for ``paths``: ``/app/uploads`` -> ``app-uploads``, unique. A name starts
    with a letter or digit (compose reads ``.x`` or ``..`` as a host path to bind)."""
    return unique_names([re.sub(r"^[^A-Za-z0-9]+", "", path.strip("/").replace("/", "-")) or "data" for path in paths])
