"""The static web server (issue 11, ``static:``): the final image is nginx serving the
built files as the non-root user.

Why nginx, and from its official image (``nginx:<version>``, Debian, or ``-alpine-slim`` for
the alpine variant, R05; the slim Alpine image is nginx without the njs, xslt, image-filter
and geoip modules of the ``-alpine`` one, which this configuration does not use): it
answers deep links with ``index.html`` (``try_files``, for an SPA), sends cache and compression headers, runs unprivileged when its configuration says so,
and is a Docker Official Image in both families. BusyBox httpd has no SPA fallback;
nginxinc's ``nginx-unprivileged`` is not an official image. The configuration is a file
dockgen writes (``nginx.conf``, copied over the image's own), so nothing of the image's
entrypoint scripts runs: nginx listens on the spec's one unprivileged port, writes its
pid and temporary files in RUNTIME_DIR (a tmpfs, R13) and logs to stdout and stderr.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..languages import Toolchain
from ..spec import STOP_MARGIN, Spec
from ..values import cpu_millis
from .startup import RUNTIME_DIR
from .steps import Copy, Step
from ..rules import Rule

if TYPE_CHECKING:
    from .image import Build

IMAGES = {"slim": "nginx:1.28", "alpine": "nginx:1.28-alpine-slim"}  # official images, pinned to the stable line (R06)
# The `resources` block init proposes for a spec with `static` (issue 13), in place of the
# build language's: the image that runs is nginx, not the language's runtime. nginx's master
# and each worker (single-threaded, `worker_processes auto`: one per CPU it sees) hold a few
# MiB each (1024 connection slots, gzip's deflate state per compressed response in flight),
# so a few workers fit 32Mi with room; 64Mi also covers the page cache of the served files
# that the kernel charges to the container. Serving files is cheap: 500m CPU at most, 50m
# reserved. pids 128: one process per worker, and `auto` counts the host's CPUs, not the
# container's CPU limit.
RESOURCES = {"limits": {"memory": "64Mi", "cpu": "500m"}, "requests": {"memory": "32Mi", "cpu": "50m"}, "pids": 128}
CONF = "/etc/nginx/nginx.conf"
CONF_FILE = "nginx.conf"  # the generated file in the build context (outputs.py)
# -e stderr: nginx opens its error log before it reads the configuration; the image's
# default path is on the read-only root.
ENTRYPOINT = ("nginx", "-e", "stderr", "-c", CONF)
# R11: nginx's graceful stop (nginx.org/en/docs/control.html: QUIT "graceful shutdown", the
# workers finish the requests in flight; TERM and INT are its "fast shutdown", which drops
# them); the official image's STOPSIGNAL too. The run policy takes it unless the spec sets
# `stop_signal` (policy.stop_signal).
STOP_SIGNAL = "SIGQUIT"


@dataclass(frozen=True)
class Server:
    """What ``templates/nginx.conf.j2`` needs.

    Attributes:
        port: the one port it listens on (unprivileged, the spec checked it).
        root: where the files are in the image (the spec's workdir).
        spa: unknown paths answer ``index.html`` (client-side routing).
        shutdown_seconds: whole seconds a graceful stop (SIGQUIT) waits for open requests
            before nginx closes them (``worker_shutdown_timeout``): STOP_MARGIN under the grace
            period, so a slow client never makes the stop end in SIGKILL (R11); at least 1 s
            (nginx's least), so a grace period of 1 s leaves no margin.
        workers: ``worker_processes``: the spec's CPU limit in whole CPUs (at least 1), else
            ``auto``. nginx's ``auto`` counts the host's CPUs, not the container's share, so
            on a large host it would start dozens of workers into a memory limit sized for a few.
        runtime_dir: where nginx writes its pid and temporary files (a tmpfs, R13).
    """

    port: int
    root: str
    spa: bool
    shutdown_seconds: int
    workers: str = "auto"
    runtime_dir: str = RUNTIME_DIR


def server(spec: Spec, grace_seconds: int) -> Server:
    """The server configuration of a spec with ``static``; ``grace_seconds``: the run policy's
    whole seconds between the stop signal and SIGKILL."""
    assert spec.static is not None
    cpu = spec.resources.limits.cpu if spec.resources else None
    workers = str(max(1, cpu_millis(cpu) // 1000)) if cpu else "auto"
    return Server(port=spec.ports[0], root=spec.workdir, spa=spec.static.spa,
                  shutdown_seconds=max(1, grace_seconds - STOP_MARGIN), workers=workers)


def serve(spec: Spec, tool: Toolchain) -> Toolchain:
    """``tool`` with nginx's image as the final image: no language runtime, artifact or
    environment of the language reaches it; the builder stays when there is a build, and
    needs no prune (the final image takes only the built files)."""
    return replace(tool, final_image=IMAGES[spec.variant], final_env=(), artifacts=(), entrypoint=ENTRYPOINT,
                   builder_image=tool.builder_image if spec.build else None, prune=())


def config_steps(build: Build) -> list[Step]:
    """The generated nginx.conf over the image's own."""
    return [Copy("static", (Rule.R13, Rule.R15), sources=(CONF_FILE,), dest=CONF)]


def root_steps(build: Build) -> list[Step]:
    """The files nginx serves: ``static.root`` from the builder after the build, else from
    the build context, into the workdir (root-owned, read-only to the user, R15)."""
    spec = build.spec
    assert spec.static is not None
    if spec.build:
        from .buildstep import _join, builder_workdir

        return [Copy("static, build", (Rule.R04, Rule.R07), sources=(_join(builder_workdir(build), spec.static.root),),
                     dest=spec.workdir, stage="builder")]
    return [Copy("static", (Rule.R07,), sources=(spec.static.root,), dest=spec.workdir)]
