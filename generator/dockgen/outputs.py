"""The files dockgen writes, one entry each: name, template, mode, when it is written.

:meth:`dockgen.render.Renderer.files` walks :data:`OUTPUTS` in order. Adding an output
(e.g. ``k8s/deployment.yaml``, rendered from the plan's RunPolicy) means adding its
template and one entry here. A name may hold directories, relative to the output directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .plan import Plan, static


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
           context=lambda plan: {"server": static.server(plan.spec)}),
)
