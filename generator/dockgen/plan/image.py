"""The image's stages, phase by phase: base -> system packages -> dependencies -> build ->
artifacts -> final image (R04, R07: what changes least comes first).

Each phase is one function that returns steps (or stages); :func:`image_stages` calls
them in order. Refusals that need the base image's family (no shell for run.sh, no
package manager for packages) are made by :func:`check_family`; the checks that need the
spec alone live in the spec model.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from ..errors import SpecError
from ..images import DEBIAN, Family, accounts_of, family_of, image_users
from .. import languages
from ..languages import Toolchain
from ..loader import LoadedSpec
from ..ospkg import TINI_STATIC, Command
from ..spec import Spec, duration_seconds
from . import buildstep, static
from .advice import linter_secret_names
from .policy import ENGINE_TMPFS, TMPFS_MODE, RunPolicy, inside_another, stop_signal_field, tmpfs_paths
from .startup import RUN_SH, RUNTIME_DIR, SCAN_DIR, Startup
from .steps import (Arg, Cmd, Copy, Entrypoint, Env, Expose, From, Healthcheck, Label, Run, SetUser, Stage, Step,
                    StopSignal, System, TargetPlatform, Workdir)
from ..rules import Rule

TINI = "/sbin/tini"  # where tini is copied in an image whose family has no tini package (R02)


@dataclass
class Build:
    """What every phase reads: the spec, its toolchain, the final image's family, run.sh's
    plan, the run policy (the image states its stop signal, R11), and the warnings the phases
    add to (in phase order)."""

    spec: Spec
    tool: Toolchain
    family: Family
    startup: Startup
    policy: RunPolicy
    warnings: list[str] = field(default_factory=list)


def check_family(loaded: LoadedSpec, family: Family, image: str) -> None:
    """Refuse what the final image ``image`` cannot do: a user named as one of its own
    accounts (R15), run.sh without a shell (R17), OS packages or s6 without a package
    manager. Raises SpecError at the field that asks."""
    spec = loaded.spec
    if family.users and spec.user.name in accounts_of(image) and not has_user(spec, image):
        # issue 10, item 10: only the names this base really has (proxy is Debian's, not Alpine's)
        ids = image_users(image).get(spec.user.name)
        offer = (f"run as it with user: {{name: {spec.user.name}, uid: {ids[0]}, gid: {ids[1]}}}, or choose another "
                 "name for the app's own account" if ids else "choose the app's own name (e.g. app)")
        raise _refuse(loaded, ("user", "name"), f"{spec.user.name!r} is an account the base image {image} already "
                      f"has{f' (uid {ids[0]}, gid {ids[1]})' if ids else ''}; {offer}", Rule.R15 if ids else None)
    if not family.shell:
        for name in ("secrets", "config", "processes"):
            if getattr(spec, name):
                raise _refuse(loaded, (name,), f"needs run.sh, but the final image {image} has no shell (/bin/sh); "
                              "use a base with a shell (variant: alpine, or base: alpine/busybox) or drop it", Rule.R17)
    if family.manager is None:
        for name in ("system_packages", "processes"):
            if getattr(spec, name):
                what = "installs OS packages" if name == "system_packages" else "needs s6 from OS packages"
                raise _refuse(loaded, (name,), f"{what}, but the final image {image} has no package manager; "
                              "choose a Debian or Alpine base")


def has_user(spec: Spec, image: str) -> bool:
    """True when ``image`` already has the spec's user with its uid and gid (``app`` 1654 in
    Microsoft's .NET images): the image's own account is used, not created again (R15)."""
    return image_users(image).get(spec.user.name) == (spec.user.uid, spec.user.gid)


def _refuse(loaded: LoadedSpec, path: tuple, message: str, rule: str | None = None) -> SpecError:
    return SpecError([loaded.problem(path, message, rule)])


def image_stages(build: Build) -> tuple[Stage, ...]:
    """Every stage of the Dockerfile, the final stage last."""
    return (*base_stages(build), *builder_stage(build), final_stage(build))


# --- phase 1: base --------------------------------------------------------------------


def base_stages(build: Build) -> list[Stage]:
    """Stages the others copy from: tini-static from Debian for an image without tini's
    package (R02), and the toolchain's helper images (e.g. uv)."""
    stages = []
    if build.spec.runs_init and not build.family.tini:
        stages.append(Stage("init", "provides tini-static for an image without a package manager (R02)", (
            From("init", (Rule.R02, Rule.R06), image=DEBIAN, alias="init"),
            system_step(build, "init", (Rule.R02, Rule.R04, Rule.R08), family_of(DEBIAN), ["tini"], []),
        )))
    for image, alias in build.tool.stages:
        stages.append(Stage(alias, f"provides {alias}", (From("language", (Rule.R05, Rule.R06), image=image, alias=alias),)))
    return stages


# --- phase 2: system packages ---------------------------------------------------------


def system_step(build: Build, cause: str, rules: tuple[str, ...], family: Family, own: list[str], wanted: list[str],
                user: bool = False, dirs: tuple[str, ...] = (), links: tuple[tuple[str, str], ...] = (),
                tmpfs: tuple[str, ...] = ()) -> System:
    """One RUN: ``wanted`` (the spec's, field ``cause``'s first word) and ``own`` (dockgen's)
    packages from ``family``'s package manager, then the user (R15), ``dirs`` owned by it,
    the ``tmpfs`` mount points (R13) and ``links`` (link, target) (R03, R04, R08, R10).
    Warns of unpinned packages."""
    manager = family.manager
    packages = tuple(sorted(set(own) | set(wanted)))
    commands: list[Command] = list(manager.install(packages)) if manager and packages else []
    ignore: tuple[str, ...] = ()
    unpinned = [p for p in wanted if manager and not manager.pinned(p)]
    if unpinned:
        build.warnings.append(f"{cause.split(',')[0]}: {', '.join(unpinned)} not pinned to a version; builds may "
                              f"differ over time (hadolint {manager.pin_rule})")
    elif own and manager:
        ignore = (manager.pin_rule,)  # dockgen's own packages (tini, s6) follow the base image's release
    if user and family.users and not has_user(build.spec, build.tool.final_image):
        u = build.spec.user
        commands += family.users.create(u.name, u.uid, u.gid)
    commands += _directories(build, dirs, links, tmpfs)
    return System(field=cause, rules=rules, commands=tuple(commands), ignore=ignore)


def _directories(build: Build, dirs: tuple[str, ...], links: tuple[tuple[str, str], ...],
                 tmpfs: tuple[str, ...]) -> list[Command]:
    """mkdir the owned ``dirs``, the ``tmpfs`` mount points and the links' parents, chown
    ``dirs`` to the user, chmod the mount points to TMPFS_MODE (runc gives a tmpfs the mode
    of the directory it covers, R13), then ``ln -sf target link`` for each of ``links``."""
    made = sorted(set(dirs) | set(tmpfs) | {posixpath.dirname(link) for link, _ in links})
    u = build.spec.user
    commands = [Command(("mkdir", "-p", *made))] if made else []
    if dirs:
        commands.append(Command(("chown", f"{u.uid}:{u.gid}", *dirs)))
    if tmpfs:
        commands.append(Command(("chmod", f"{TMPFS_MODE:o}", *tmpfs)))
    return commands + [Command(("ln", "-sf", target, link)) for link, target in links]


# --- phases 3-5: dependencies, build, artifacts (the builder stage) -------------------


def builder_stage(build: Build) -> list[Stage]:
    """The builder: build-only packages, dependency install and the build, so nothing but
    the artifacts reaches the final image (R04, R07). None when nothing is built."""
    tool, spec = build.tool, build.spec
    if not tool.builder_image:
        return []
    platform = "BUILDPLATFORM" if tool.cross else None  # issue 14: compile on the build machine
    steps: list[Step] = [From("language, version, variant", (Rule.R05, Rule.R06), image=tool.builder_image, alias="builder",
                              platform=platform),
                         *as_root(spec, tool.builder_image, builder=True)]
    if spec.build_packages or tool.builder_packages:
        steps.append(system_step(build, "build_packages", (Rule.R03, Rule.R04, Rule.R08, Rule.R10), family_of(tool.builder_image),
                                 list(tool.builder_packages), list(spec.build_packages)))
    for _, alias in tool.stages:
        steps.append(Copy("language", (Rule.R04,), sources=(f"/usr/bin/{alias}",), dest=f"/usr/bin/{alias}", stage=alias))
    if tool.builder_env:
        steps.append(Env("language", (Rule.R04,), items=tool.builder_env))
    steps.append(Workdir("workdir", (), path=tool.builder_workdir or spec.workdir))
    # after the install, so its layer is shared by every target platform (R07), unless the
    # install compiles for the target (Rust's dependencies)
    target = [TargetPlatform("language", (Rule.R07,), env=tool.cross_env)] if tool.cross else []
    steps += target if tool.cross_install else []
    steps += dependency_steps(tool, tuple(spec.build_secrets))
    steps += [] if tool.cross_install else target
    steps += buildstep.build_steps(build)
    purpose = "builds dependencies" + (" and the app" if spec.build else "") + "; nothing else of it reaches the final image (R04)"
    return [Stage("builder", purpose, tuple(steps))]


def as_root(spec: Spec, image: str, builder: bool = False) -> list[Step]:
    """``USER 0:0`` for a stage built FROM the spec's own ``base:`` (issue 10, item 1; the
    bug of ReproNim/neurodocker#249).

    The official images dockgen picks itself (python, node, ruby, php, golang, Microsoft's dotnet, debian,
    uv) run as root, so their stages need no switch and say nothing. A spec's own base
    may end in ``USER 1000`` (jupyter, bitnami and many in-house images do): its RUN
    steps (apt, useradd, mkdir, a venv) would then fail with ``Permission denied``, and
    WORKDIR would be created owned by that user. The switch is numeric, so it needs no
    /etc/passwd; ``scratch`` has no USER to undo. The final stage still ends on the app's
    numeric user (R15); the builder ends as root, which hadolint's DL3002 is told to
    accept: that stage never runs.
    """
    if image != spec.base or image == "scratch":
        return []
    return [SetUser("base", (Rule.R15,), uid=0, gid=0, ignore=("DL3002",) if builder else ())]



def dependency_steps(tool: Toolchain, secrets: tuple[str, ...] = ()) -> list[Step]:
    """Manifests first, then the install, so a code change keeps this layer cached (R07);
    ``secrets``: the spec's build_secrets, mounted for the install only (R18)."""
    steps: list[Step] = []
    # COPY puts several sources side by side in ./, and a directory's contents: a directory
    # (.mvn/, written with its slash) or a file in one gets a COPY of its own, to its own path (issue 12)
    top = tuple(m for m in tool.manifests if "/" not in m)
    if top:
        steps.append(Copy("dependencies", (Rule.R07,), sources=top, dest="./"))
    steps += [Copy("dependencies", (Rule.R07,), sources=(m,), dest=f"./{m}") for m in tool.manifests if m not in top]
    if tool.install:
        steps.append(Run("dependencies, packages" + (", build_secrets" if secrets else ""), (Rule.R03, Rule.R04, Rule.R07),
                         commands=tuple(Command(argv) for argv in tool.install), caches=tool.caches, secrets=secrets))
    return steps


def artifact_steps(build: Build) -> list[Step]:
    """What the final image takes from the builder before run.sh and the app: the
    language's artifacts (R04, R07), or the static server's configuration."""
    if build.spec.static:
        return static.config_steps(build)
    return [Copy("language", (Rule.R04, Rule.R07), sources=(source,), dest=dest, stage="builder")
            for source, dest in buildstep.language_artifacts(build)]


# --- phase 6: the final image ---------------------------------------------------------


def final_stage(build: Build) -> Stage:
    """The image that runs: base, system layer, environment, artifacts, run.sh, the code,
    the user, the labels, then how it runs."""
    steps = [*final_base(build), *final_system(build), *final_files(build), *final_labels(build), *how_it_runs(build)]
    return Stage(None, "the image that runs", tuple(steps))


def final_base(build: Build) -> list[Step]:
    """FROM, and the switch to root a spec's own base may need (R05, R06, R15)."""
    spec = build.spec
    return [
        From(final_image_fields(spec), (Rule.R05, Rule.R06), image=build.tool.final_image),
        *as_root(spec, build.tool.final_image),
    ]


def final_image_fields(spec: Spec) -> str:
    """The spec fields that chose the final image, for explain and --annotate (R21): ``base``;
    else ``static`` and its variant (nginx's image, whatever the language); else the
    language's image of that version and variant."""
    return "base" if spec.base else "static, variant" if spec.static else "language, version, variant"


def startup_fields(spec: Spec) -> str:
    """The spec fields that shape run.sh (R21): secrets and config (R17, R18), processes (the
    s6 services it writes, R01), static (the server's runtime directory); ``-`` when none
    does (it only passes signals on and execs the program, R02, R11)."""
    return ", ".join(f for f in ("secrets", "config", "processes", "static") if getattr(spec, f)) or "-"


def final_labels(build: Build) -> list[Step]:
    """The label ARGs and the OCI labels (R16), after the final stage's last RUN and COPY (R07).

    Every RUN after an ARG carries the ARG's value in its cache key (Docker's Dockerfile
    reference, ARG, "Impact on build caching": a cache miss "upon its first usage", and
    RUN uses every ARG in scope implicitly, as an environment variable). Declared right
    after FROM, a new ``--build-arg REVISION=$(git rev-parse HEAD)`` per commit re-ran the
    system-package RUN and every layer after it. Here only metadata steps follow them.
    """
    spec = build.spec
    literal = {"org.opencontainers.image.title": spec.name}
    if spec.description:
        literal["org.opencontainers.image.description"] = spec.description
    literal.update(spec.labels)
    from_args = tuple((f"org.opencontainers.image.{key}", arg)
                      for key, arg in (("version", "VERSION"), ("revision", "REVISION"), ("created", "CREATED"))
                      if f"org.opencontainers.image.{key}" not in literal)
    return [
        Arg("labels", (Rule.R16,), names=(("VERSION", "dev"), ("REVISION", "unknown"), ("CREATED", "unknown"))),
        Label("name, description, labels", (Rule.R16,), from_args=from_args, items=tuple(sorted(literal.items()))),
    ]


def final_system(build: Build) -> list[Step]:
    """The system layer (packages, tini, s6, user, writable directories) and tini copied
    from the init stage when the family has no tini package (R02)."""
    spec, family = build.spec, build.family
    steps: list[Step] = []
    if family.shell:
        own = (["tini"] if spec.runs_init and family.tini else []) + (["s6"] if spec.processes else [])
        writable = set(spec.writable) | set(spec.volumes)
        tmpfs = tmpfs_paths(spec, build.startup.needs_runtime_dir)
        nested = inside_another(tmpfs)  # R13: made by the engine (and run.sh), not by the image
        dirs = sorted(((writable - set(ENGINE_TMPFS)) | ({RUNTIME_DIR} if build.startup.needs_runtime_dir else set())) - nested)
        steps.append(system_step(build, "system_packages, user, writable", (Rule.R03, Rule.R04, Rule.R08, Rule.R10, Rule.R15), family,
                                 own if family.manager else [], list(spec.system_packages), user=True, dirs=tuple(dirs),
                                 links=build.startup.links, tmpfs=tuple(p for p in tmpfs if p not in nested)))
    if spec.runs_init and not family.tini:
        steps.append(Copy("init", (Rule.R02,), sources=(TINI_STATIC,), dest=TINI, stage="init"))
    return steps


def final_files(build: Build) -> list[Step]:
    """ENV, WORKDIR, the builder's artifacts, run.sh (R17), the code (R07), USER (R15)."""
    spec = build.spec
    steps: list[Step] = []
    env = dict(build.tool.final_env)
    env.update(spec.env)
    if env:
        flagged = linter_secret_names(spec.env)
        steps.append(Env("env", (Rule.R18,) if flagged else (), items=tuple(env.items()), ignore=("DL3064",) if flagged else ()))
    steps.append(Workdir("workdir", (), path=spec.workdir))
    steps += artifact_steps(build)
    if build.family.shell:
        steps.append(Copy(startup_fields(spec), (Rule.R17, Rule.R18), sources=("run.sh",), dest=RUN_SH))
    built = static.root_steps(build) if spec.static else buildstep.app_steps(build)  # issue 11
    if built is not None:
        steps += built
    elif not languages.module(spec.language).COMPILED or "copy" in spec.model_fields_set:
        # Issue 10, items 2 and 3: one COPY per entry, each landing at its own path (never
        # flattened into one directory); `copy: []` means no application files, no COPY.
        steps += [Copy("copy", (Rule.R07, Rule.R15), sources=(source,), dest=dest) for source, dest in spec.copies]
    steps.append(SetUser("user", (Rule.R15,), uid=spec.user.uid, gid=spec.user.gid))
    return steps


def how_it_runs(build: Build) -> list[Step]:
    """EXPOSE, HEALTHCHECK (R12), STOPSIGNAL (the run policy's, R11), ENTRYPOINT and CMD in exec form (R02, R12)."""
    spec, family = build.spec, build.family
    steps: list[Step] = []
    if spec.ports:
        steps.append(Expose("ports", (), ports=tuple(spec.ports)))
    probe = build.policy.probe
    if probe:
        # R12: the run policy's whole seconds, as compose and Kubernetes have them (a 0s interval
        # would be Docker's 30s, a 0.5ms timeout a build error); `90s`, the one form hadolint reads.
        steps.append(Healthcheck("healthcheck", (Rule.R12,), command=probe.command, interval=f"{probe.interval}s",
                                 timeout=f"{probe.timeout}s", start_period=f"{probe.start_period}s", retries=probe.retries))
    # R11: always, from the run policy, so the base image's STOPSIGNAL (php-fpm's and nginx's
    # SIGQUIT) never overrides what compose, docker run and Kubernetes say.
    steps.append(StopSignal(stop_signal_field(spec), (Rule.R11,), signal=build.policy.stop_signal))
    tini = family.tini or TINI
    # R02 R18: run.sh starts first and execs the init with the cleaned environment, so PID 1
    # (tini, then the app or s6-svscan) never holds a secret passed as NAME.
    prefix = ((RUN_SH,) if family.shell else ()) + ((tini, "--") if spec.runs_init else ())
    if spec.processes:
        return steps + [Entrypoint("processes, init", (Rule.R01, Rule.R02, Rule.R12), argv=prefix + ("s6-svscan", SCAN_DIR))]
    argv = prefix + tuple(spec.entrypoint or build.tool.entrypoint)
    if argv:
        steps.append(Entrypoint("entrypoint, init", (Rule.R02, Rule.R12), argv=argv))
    if spec.cmd:
        steps.append(Cmd("cmd", (Rule.R12,), argv=tuple(spec.cmd)))
    return steps
