"""The contract every language module fulfils, and the Toolchain it hands to the planner.

A language is one module in this package, named as the spec's ``language:`` value
(``python.py`` is ``language: python``). The registry (:mod:`dockgen.languages`) lists the
module names once; everything else (the spec's allowed values, the CLI choices, init's
prompt, detection's tie-break, the JSON Schema enum) is derived from that list and from
the attributes below. Like repo2docker's buildpack hooks, each member says when it is
used and what it may read or touch.

Data (module-level constants, read at import; importing a language module must stay
cheap, since ``dockgen render`` imports the spec's language on every run):

- ``VERSIONS``: tuple of str, the versions with official images, newest first (``()``
  for a language without a runtime). A version range in a project file picks the newest
  of these that satisfies it.
- ``DEFAULT_VERSION``: str or None, what ``init`` writes when the project states none.
- ``DEFAULT_MANIFESTS``: tuple of str, the files installed from when the spec gives no
  ``dependencies`` (R07).
- ``SCAFFOLD``: str, the folder under ``templates/init/new/`` of ``init --new``'s app.
- ``NEW_PORT``: int, the port that app listens on unless ``--port`` says otherwise.
- ``NEW_HEALTH_PATH``: str, the HTTP path that app answers health checks on.
- ``EVIDENCE``: tuple of (file name or glob relative to the project root, weight) pairs;
  ``init`` scores each language by the weights of the patterns present.
- ``TIE_BREAK``: int, lower wins when two languages score the same (the language with
  the more specific manifest comes first).
- ``COMPILED``: bool, the builder's artifacts are the application (Go, Rust, Java): the
  spec needs no ``entrypoint`` (the toolchain gives one), the final stage copies nothing
  from the build context unless the spec lists ``copy``, and ``init`` drafts no start
  command.
- ``BINARY``: bool, the entrypoint's first word is a native binary's path, written by a
  COPY line where no quoting is possible (Go, Rust): the spec checks it against
  :data:`BINARY_PATH`, and :func:`binary_path` says where the binary lands.
- ``HEALTH_ROUTES``: tuple of ``(files, pattern)`` or ``(files, pattern, path)`` entries:
  where the app declares its health route the usual ways of the language's frameworks
  (``@app.get("/health")``, ``HandleFunc("/healthz"``), read by one shared reader
  (:func:`dockgen.languages._read.health_route`, which says what each part means); the
  check ``init`` offers asks that path. ``()``: nothing to look for.
- ``RESOURCES``: dict, the ``resources`` block ``init`` proposes (issue 13): what a small
  service of this runtime needs with room to spare, a starting point to measure and adjust
  (``requests`` is what a scheduler reserves, ``limits`` what the kernel enforces, ``pids``
  the most processes and threads).

Hooks (functions):

- ``toolchain(spec) -> Toolchain``: called by the planner once per render, after the
  spec is validated. Reads only the :class:`~dockgen.spec.Spec`; touches no file.
- ``detect(root, notes) -> Found``: called by ``dockgen init`` (never by render) with the
  project directory; may read files under ``root`` (through :mod:`dockgen.languages._read`,
  imported inside the hook so that render never loads it), never writes or runs
  anything; appends what the user should check to ``notes`` (one line each).
- ``healthcheck(port, path, base) -> argv or None``: called by ``dockgen init`` when the
  spec it drafts has ports and no health check. Returns a check that uses only what the
  final image has (the runtime's own HTTP client, never curl), or None when the image
  has nothing to run one with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # the spec model imports the registry; the registry needs Spec only for types
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

Argv = tuple[str, ...]

# Directories a build or an install writes (Vite's dist/, CRA's build/, Next's .next/, out/,
# node_modules/): what is in them says nothing of the project's language, so init's
# evidence scan (detect.evidence) leaves them out.
BUILD_OUTPUT = ("dist", "build", ".next", "out", "node_modules")
# A BINARY language's first entrypoint word: a name or an absolute path a COPY line can write.
BINARY_PATH = re.compile(r"/?[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


@dataclass(frozen=True)
class Toolchain:
    """What a language needs built, and what the final image keeps of it.

    Attributes:
        final_image: base image of the final stage (R05, R06).
        builder_image: base image of the builder stage, or None when nothing is built.
        manifests: dependency manifests copied before the install (R07).
        install: commands run in the builder once the manifests are there (R04, R07).
        caches: BuildKit cache mount targets for those commands (R04).
        builder_env: ENV of the builder stage, (name, value) pairs.
        build: commands run in the builder after the code is copied (compiled languages).
        artifacts: (path in builder, path in final image) pairs copied across (R04).
        final_env: ENV the runtime needs, (name, value) pairs.
        entrypoint: the default ENTRYPOINT when the spec gives none (e.g. a Go binary).
        ignore: .dockerignore patterns for the language's caches and local envs (R19).
        pin_rule: the hadolint rule that flags an unpinned language package (DL3013, ...).
        unpinned: the spec's language packages that carry no version.
        stages: extra named stages the builder copies from, (image, alias) pairs.
        builder_workdir: WORKDIR of the builder stage; None means the spec's workdir.
        builder_packages: OS packages the builder always needs (dockgen's, not the spec's).
        warnings: things the user should know about this language's build (e.g. no lock file).
        prune: commands that remove the development dependencies again after the spec's
            ``build`` ran (``install`` then included them); ``()`` without a build (issue 11).
        build_caches: BuildKit cache mount targets of the spec's ``build`` commands besides
            ``caches``: frameworks' build caches (``.next/cache``), never in a layer (R04).
        builder_only: manifests that reach the builder stage only (``.npmrc``: it may hold
            a registry token): the .dockerignore lets them in, the builder removes them
            before the final image takes the app from it, never from the build context.
        cross_env: how the builder cross-compiles (issue 14): (variable, platform ARG)
            pairs, e.g. ``(("GOOS", "TARGETOS"), ("GOARCH", "TARGETARCH"))``. Non-empty
            means the builder runs on the build platform (``FROM --platform=$BUILDPLATFORM``)
            and compiles for the target one, the variables set from BuildKit's automatic
            platform ARGs before the ``build`` commands; empty means the builder runs per
            target platform (emulated when it is not the build machine's).
        cross_install: the ``install`` compiles for the target platform too (Rust's
            dependency build), so the platform ARGs come before it; False (Go's module
            download is the same for every platform) puts them after it (R07).
        build_env: ENV set after the install, for the spec's ``build`` commands only (the
            virtual environment on PATH for ``manage.py collectstatic``), (name, value) pairs.
    """

    final_image: str
    builder_image: str | None = None
    manifests: tuple[str, ...] = ()
    install: tuple[Argv, ...] = ()
    caches: tuple[str, ...] = ()
    builder_env: tuple[tuple[str, str], ...] = ()
    build: tuple[Argv, ...] = ()
    artifacts: tuple[tuple[str, str], ...] = ()
    final_env: tuple[tuple[str, str], ...] = ()
    entrypoint: Argv = ()
    ignore: tuple[str, ...] = ()
    pin_rule: str = ""
    unpinned: tuple[str, ...] = ()
    stages: tuple[tuple[str, str], ...] = ()
    builder_workdir: str | None = None
    builder_packages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    prune: tuple[Argv, ...] = ()
    build_caches: tuple[str, ...] = ()
    builder_only: tuple[str, ...] = ()
    cross_env: tuple[tuple[str, str], ...] = ()
    cross_install: bool = False
    build_env: tuple[tuple[str, str], ...] = ()

    @property
    def cross(self) -> bool:
        """True when the builder cross-compiles on the build platform (see ``cross_env``)."""
        return bool(self.cross_env)


@runtime_checkable
class Language(Protocol):
    """A language module, as the registry and ``init`` use it (see the module docstring)."""

    VERSIONS: tuple[str, ...]
    DEFAULT_VERSION: str | None
    DEFAULT_MANIFESTS: tuple[str, ...]
    SCAFFOLD: str
    NEW_PORT: int
    NEW_HEALTH_PATH: str
    EVIDENCE: tuple[tuple[str, int], ...]
    TIE_BREAK: int
    COMPILED: bool
    BINARY: bool
    HEALTH_ROUTES: tuple[tuple, ...]
    RESOURCES: dict

    def toolchain(self, spec: Spec) -> Toolchain: ...

    def detect(self, root: Path, notes: list[str]) -> Found: ...

    def healthcheck(self, port: int, path: str, base: str | None) -> Argv | None: ...


def manifests_for(spec: Spec, default: tuple[str, ...]) -> tuple[str, ...]:
    """The dependency manifests to copy before the install (R07).

    ``dependencies`` when the spec gives it; otherwise the language's standard manifests,
    unless the spec lists ``packages`` (then those are the dependencies and no manifest
    is assumed).
    """
    if spec.dependencies is not None:
        return tuple(spec.dependencies)
    return () if spec.packages else default


def in_workdir(spec: Spec, relative: str) -> str:
    """``relative`` under the spec's workdir, as an absolute path."""
    return spec.workdir.rstrip("/") + "/" + relative


def binary_path(spec: Spec) -> str:
    """Where a BINARY language's binary goes in the final image: the spec's entrypoint, or
    /usr/local/bin/<name> (an absolute path, str)."""
    first = spec.entrypoint[0] if spec.entrypoint else spec.name
    return first if first.startswith("/") else f"/usr/local/bin/{first}"
