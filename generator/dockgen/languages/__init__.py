"""One small module per language: base images, manifests, install commands, artifacts.

Languages differ only in the data they hand to the planner (the idea of repo2docker's
buildpack hooks, without its class hierarchy). Each module has one function,
``toolchain(spec) -> Toolchain``. Commands are argv lists; the renderer quotes every
word for the shell, so no spec value is ever pasted into a command line.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..spec import Spec

Argv = tuple[str, ...]


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


LANGUAGES = ("python", "node", "ruby", "php", "go", "none")


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


def toolchain(spec: Spec) -> Toolchain:
    """The :class:`Toolchain` of ``spec.language`` (imports only that language's module)."""
    module = importlib.import_module(f"{__name__}.{spec.language}")
    return module.toolchain(spec)
