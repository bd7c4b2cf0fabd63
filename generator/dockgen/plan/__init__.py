"""Spec + language -> an ordered, typed plan; every step names its cause (R21).

The plan is the one object every template reads. It holds no text of the generated files:
stages and steps say *what* goes where (which image, which packages, which argv), run.sh's
contract says what happens at start, and the run policy says how the container runs.

:func:`make_plan` runs the phases in order: the final image's family is checked, then
the image's stages (base -> system packages -> dependencies -> build -> artifacts ->
final image, :mod:`.image`), the startup (:mod:`.startup`), the run policy
(:mod:`.policy`) and the .dockerignore (:mod:`.ignore`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import languages
from ..images import Family, family_of
from ..languages import Toolchain
from ..loader import LoadedSpec
from ..spec import S6_STOP_SIGNALS, STOP_MARGIN, Spec, env_warnings
from . import buildstep, static
from .advice import healthcheck_warnings, linter_warnings, runner_warnings
from .cluster import Cluster, cluster
from .ignore import ignore_patterns
from .image import Build, check_family, image_stages
from .pins import pin_stages
from .policy import Mount, Probe, PublishedPort, RunPolicy, SecretFile, run_policy
from .startup import RUN_SH, RUNTIME_DIR, SCAN_DIR, ConfigOutput, Program, Startup, Supervision, plan_startup
from .steps import (Arg, Cmd, Copy, Entrypoint, Env, Expose, From, Healthcheck, Label, Run, SetUser, Stage, Step,
                    StopSignal, System, Workdir)

DANGEROUS_CAPS = {"SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO", "DAC_OVERRIDE",
                  "SETUID", "SETGID", "SYS_BOOT", "MAC_ADMIN", "BPF", "PERFMON"}


@dataclass(frozen=True)
class Plan:
    """Everything the templates need, in build order.

    Attributes:
        spec: the validated spec; source: the spec file name (for headers).
        family: traits of the final base image.
        stages: build stages, final stage last.
        startup: run.sh content, or None when the final image has no shell.
        policy: how the container runs (compose.yaml, ``docker run``, k8s/, the Dockerfile's STOPSIGNAL).
        ignore: .dockerignore patterns (R19).
        warnings: things the user should know (unpinned packages, ...).
        context_files: files the build needs from the build context (manifests).
        cluster: what the Kubernetes manifests add to the policy (issue 13), or None: no k8s/.
        syntax: the Dockerfile frontend image of the ``# syntax=`` line, or None to leave
            the line out (the builder's built-in frontend; issue 14).
    """

    spec: Spec
    source: str
    family: Family
    stages: tuple[Stage, ...]
    startup: Startup | None
    policy: RunPolicy
    ignore: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())
    context_files: tuple[str, ...] = field(default=())
    cluster: Cluster | None = None
    syntax: str | None = None


def make_plan(loaded: LoadedSpec, kubernetes: bool = False) -> Plan:
    """Turn a loaded spec into a :class:`Plan`.

    Args:
        loaded: the validated spec and its config templates (see ``loader.load_spec``).
        kubernetes: plan the k8s/ manifests even without a ``kubernetes`` block (``render --kubernetes``).
    Returns:
        the plan for every generated file.
    Raises:
        SpecError: the spec asks for something its final image cannot do (run.sh without a
            shell, packages without a package manager) or a config template has an unknown
            or malformed placeholder (R17).
    """
    spec = loaded.spec
    tool = buildstep.builder_toolchain(spec, languages.toolchain(spec))
    if spec.static:
        tool = static.serve(spec, tool)  # issue 11: nginx serves the built files
    family = family_of(tool.final_image)
    check_family(loaded, family, tool.final_image)
    startup = plan_startup(loaded)
    advice = runner_warnings(spec) + healthcheck_warnings(spec, tool, family) + linter_warnings(spec)
    policy = run_policy(spec, startup)
    build = Build(spec, tool, family, startup, policy, warnings=spec_warnings(spec, tool) + advice)
    stages = image_stages(build)
    if loaded.lock is not None:  # issue 14: FROM image:tag@sha256:..., read from the lock, no network
        stages, unlocked = pin_stages(stages, loaded.lock.digests)
        build.warnings += [f"{image}: not in {loaded.lock.path.name}, so FROM names it by tag alone; "
                           "run `dockgen lock` again" for image in unlocked]
    deploy = cluster(spec, policy, family.shell) if kubernetes or spec.kubernetes else None
    return Plan(
        spec=spec,
        source="".join(c if c.isprintable() else "?" for c in loaded.path.name),
        family=family,
        stages=stages,
        startup=startup if family.shell else None,
        policy=policy,
        ignore=ignore_patterns(loaded, tool),
        warnings=tuple(build.warnings) + (deploy.warnings if deploy else ()),
        context_files=tool.manifests,
        cluster=deploy,
        syntax=spec.syntax or None,
    )


def spec_warnings(spec: Spec, tool: Toolchain) -> list[str]:
    """What the user should know before the image's phases add theirs: unpinned language
    packages, build packages with nothing to build, capabilities close to root's (R14)."""
    warnings: list[str] = []
    if tool.unpinned:
        warnings.append(f"packages: {', '.join(tool.unpinned)} not pinned to a version (hadolint {tool.pin_rule})")
    if spec.build_packages and not tool.builder_image:
        warnings.append(f"build_packages: {', '.join(spec.build_packages)} ignored: nothing is built for this spec "
                        "(no builder stage)")
    risky = sorted(set(spec.caps) & DANGEROUS_CAPS)
    if risky:
        warnings.append(f"caps: {', '.join(risky)} gives the container powers close to root's; make sure the app needs it (R14)")
    if spec.resources is None:  # issue 13, "Resources"
        warnings.append("resources: not set, so the container is unbounded: it may use all the host's memory, "
                        "CPU and process IDs; set resources: {limits: {memory: 512Mi, cpu: \"1\"}, pids: 256}")
    else:
        unbounded = [f"resources.{name}" for name, value in (("limits.memory", spec.resources.limits.memory),
                     ("limits.cpu", spec.resources.limits.cpu), ("pids", spec.resources.pids)) if value is None]
        if unbounded:
            warnings.append(f"{', '.join(unbounded)} not set, so the container is unbounded there (requests reserve, "
                            "only limits and pids bound it); e.g. resources: {limits: {memory: 512Mi, cpu: \"1\"}, pids: 256}")
    return warnings + list(tool.warnings) + env_warnings(spec)  # env_warnings: issue 10, item 7


__all__ = [
    "Arg", "Build", "Cluster", "Cmd", "ConfigOutput", "Copy", "Entrypoint", "Env", "Expose", "From", "Healthcheck", "Label",
    "Mount", "Plan", "Probe", "Program", "PublishedPort", "RUNTIME_DIR", "RUN_SH", "Run", "RunPolicy", "S6_STOP_SIGNALS", "SCAN_DIR",
    "STOP_MARGIN", "SecretFile", "SetUser", "Stage", "Startup", "Step", "StopSignal", "Supervision", "System",
    "Workdir", "make_plan",
]
