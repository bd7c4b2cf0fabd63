"""The files dockgen writes, one entry each: name, template, mode, when it is written.

:meth:`dockgen.render.Renderer.files` walks :data:`OUTPUTS` in order. Adding an output
(e.g. ``k8s/deployment.yaml``, rendered from the plan's RunPolicy) means adding its
template and one entry here. A name may hold directories, relative to the output directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .plan import Plan, static


def _k8s(plan: Plan) -> bool:
    return plan.cluster is not None


def _manifests(plan: Plan) -> list[str]:
    """The k8s/ manifests of ``plan``, in kustomization.yaml's order (issue 13)."""
    return [out.name.removeprefix("k8s/") for out in OUTPUTS
            if out.name.startswith("k8s/") and out.name != "k8s/kustomization.yaml" and out.when(plan)]


def _k8s_context(document: str) -> Callable[[Plan], dict[str, object]]:
    def context(plan: Plan) -> dict[str, object]:
        from . import k8s  # only a render that writes k8s/ loads it

        documents = {"deployment": lambda: [k8s.deployment(plan)], "service": lambda: [k8s.service(plan)],
                     "volumes": lambda: k8s.claims(plan),
                     "kustomization": lambda: [k8s.kustomization(plan, _manifests(plan))]}
        return {"documents": documents[document](), "cluster": plan.cluster, "secret_command": k8s.secret_command(plan),
                "api_version": k8s.API_VERSION}
    return context


def _always(plan: Plan) -> bool:
    return True


def _nothing(plan: Plan) -> dict[str, object]:
    return {}


@dataclass(frozen=True)
class Output:
    """One generated file.

    Attributes:
        name: its path in the output directory (``Dockerfile``, ``.dockerignore``).
        template: the template that renders it (in ``templates/``, or a ``--template DIR``).
        mode: its file mode (run.sh is executable).
        when: whether the plan has this file (run.sh needs a shell in the final image).
        context: what the template gets besides ``plan`` and ``checksum``, from the plan.
        annotated: whether ``render --annotate`` changes it (the rule comments, R21).
    """

    name: str
    template: str
    mode: int = 0o644
    when: Callable[[Plan], bool] = _always
    context: Callable[[Plan], dict[str, object]] = _nothing
    annotated: bool = field(default=False)


OUTPUTS: tuple[Output, ...] = (
    Output("Dockerfile", "Dockerfile.j2", annotated=True),
    Output(".dockerignore", "dockerignore.j2"),  # R19
    Output("compose.yaml", "compose.yaml.j2", context=lambda plan: {"run": plan.policy}),  # R13, R14
    Output("run.sh", "run.sh.j2", 0o755, when=lambda plan: plan.startup is not None,  # R17
           context=lambda plan: {"startup": plan.startup}),
    Output(static.CONF_FILE, "nginx.conf.j2", when=lambda plan: plan.spec.static is not None,  # issue 11: static
           context=lambda plan: {"server": static.server(plan.spec, plan.policy.grace_seconds)}),
    # issue 13: the Kubernetes manifests, from the same RunPolicy as compose.yaml (R13, R14, R15, R18)
    Output("k8s/deployment.yaml", "k8s/deployment.yaml.j2", when=_k8s, context=_k8s_context("deployment")),
    Output("k8s/service.yaml", "k8s/service.yaml.j2", when=lambda plan: _k8s(plan) and bool(plan.policy.ports),
           context=_k8s_context("service")),
    Output("k8s/volumes.yaml", "k8s/volumes.yaml.j2", when=lambda plan: _k8s(plan) and bool(plan.policy.volumes),
           context=_k8s_context("volumes")),
    Output("k8s/kustomization.yaml", "k8s/kustomization.yaml.j2", when=_k8s, context=_k8s_context("kustomization")),
)
