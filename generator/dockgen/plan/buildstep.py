"""The build step (issue 11, section 1): the spec's ``build`` commands in the builder, and
what the final image takes from the builder afterwards.

With a ``build``, the language installs its development dependencies too (its
toolchain's ``install``), the code is copied (R07: after the install, so a code change
keeps the install cached), each ``build`` line runs as its own ``RUN`` in shell form
(a command line needs a shell; R12's exec form is for ENTRYPOINT, CMD and HEALTHCHECK),
then the toolchain's ``prune`` removes the development dependencies again. The final
image takes the builder's working directory (the app with production dependencies
only), or only the spec's ``artifacts``; nothing else of the builder, its toolchain or
its caches reaches it (R04). Frameworks' build caches are BuildKit cache mounts of the
build commands (the toolchain's ``build_caches``).

``build_secrets`` reach the install, build and prune commands as BuildKit secret mounts
(``RUN --mount=type=secret,id=NAME``, read into that command's environment: R18, never an
ENV, ARG or layer), passed by ``docker build --secret id=NAME,env=NAME`` or compose's
``build.secrets``; BuildKit and Buildah mount them the same way, at ``/run/secrets/NAME``.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import languages
from ..languages import Toolchain
from ..ospkg import Command
from ..spec import Spec
from .steps import Copy, Env, Run, Shell, Step
from ..rules import Rule

if TYPE_CHECKING:
    from .image import Build


def builder_toolchain(spec: Spec, tool: Toolchain) -> Toolchain:
    """``tool`` with a builder stage when the spec has a ``build`` and the language had none
    to make (nothing to install): the build runs on the language's own image."""
    if spec.build and not tool.builder_image:
        return replace(tool, builder_image=tool.final_image)
    return tool


def builder_workdir(build: Build) -> str:
    """The builder stage's working directory (where the code is copied and built)."""
    return build.tool.builder_workdir or build.spec.workdir


def build_steps(build: Build) -> list[Step]:
    """The code, then the spec's build commands, the language's own build (compiled
    languages) and the prune of the development dependencies. ``[]`` when nothing is built."""
    tool, spec = build.tool, build.spec
    if not (tool.build or spec.build or tool.builder_only):
        return []
    secrets = tuple(spec.build_secrets)
    if compiled(spec):  # a compiled language builds the whole module (its own build, or the spec's)
        steps: list[Step] = [Copy("copy", (Rule.R07,), sources=(".",), dest="./")]
    else:  # the app laid out as the final image takes it: each entry at its own path (issue 10, item 3)
        steps = [Copy("copy", (Rule.R07,), sources=(source,), dest=dest) for source, dest in spec.copies]
    caches = tuple(dict.fromkeys(tool.caches + tool.build_caches))
    field, rules = ("build, build_secrets", (Rule.R04, Rule.R18)) if secrets else ("build", (Rule.R04,))
    if spec.build and tool.build_env:  # after the code COPY: the install's layers stay cached (R07)
        steps.append(Env("build", (Rule.R04,), items=tool.build_env))
    steps += [Shell(field, rules, line=line, caches=caches, secrets=secrets) for line in spec.build]
    if tool.build:
        steps.append(Run("language", (Rule.R04,), commands=tuple(Command(argv) for argv in tool.build),
                         caches=tool.caches, secrets=secrets))
    # what reaches the builder only (.npmrc) goes before the final image takes the app (R18)
    remove = (("rm", "-f", *tool.builder_only),) if tool.builder_only else ()
    if tool.prune or remove:
        field, rules = ("build, dependencies", (Rule.R04, Rule.R18)) if remove else ("build", (Rule.R04,))
        steps.append(Run(field, rules, commands=tuple(Command(a) for a in tool.prune + remove),
                         caches=tool.caches if tool.prune else (), secrets=secrets if tool.prune else ()))
    return steps


def compiled(spec: Spec) -> bool:
    """The spec's language is COMPILED: its artifacts are the app (the language contract)."""
    return languages.module(spec.language).COMPILED


def takes_app(build: Build) -> bool:
    """The final image takes the app from the builder rather than the build context: an
    interpreted language's code was built there, or the build context holds a file for the
    builder only (.npmrc); a compiled language's app is its artifacts."""
    return bool(build.spec.build or build.tool.builder_only) and not compiled(build.spec)


def language_artifacts(build: Build) -> list[tuple[str, str]]:
    """The toolchain's (builder path, final path) artifacts the final image copies. When the
    app comes from the builder, those inside its working directory (node_modules) come with
    it, or, with ``artifacts``, only when listed there."""
    if not takes_app(build):
        return list(build.tool.artifacts)
    inside = builder_workdir(build).rstrip("/") + "/"
    return [(source, dest) for source, dest in build.tool.artifacts if not source.startswith(inside)]


def app_steps(build: Build) -> list[Step] | None:
    """What the final image takes from the builder in place of the code from the build
    context: the spec's ``artifacts`` (``PATH`` or ``PATH:DEST``, relative to the working
    directories), else the whole working directory. None when the code comes from the build
    context (no build, or a compiled language without ``artifacts``)."""
    spec = build.spec
    if not (takes_app(build) or (spec.build and spec.artifacts)):
        return None
    pairs = [_pair(entry) for entry in spec.artifacts] or [(".", ".")]
    here = builder_workdir(build)
    return [Copy("build, artifacts", (Rule.R04, Rule.R07), sources=(_join(here, source),), dest=_join(spec.workdir, dest),
                 stage="builder") for source, dest in pairs]


def _pair(entry: str) -> tuple[str, str]:
    source, _, dest = entry.partition(":")
    return source, dest or source


def _join(directory: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(directory, relative))
