"""Python: pip into a virtual environment in a builder stage; the final image copies it.

Official image ``python:<version>-slim|alpine`` (R05). Dependencies come from requirements
files (``pip install -r``), with the pip cache in a BuildKit cache mount (R04); compilers
(``build_packages``) stay in the builder.
"""

from ..spec import Spec
from . import Toolchain, manifests_for

VENV = "/opt/venv"
IGNORE = ("__pycache__/", "**/__pycache__/", "*.py[cod]", ".venv/", "venv/", ".tox/", ".nox/", ".pytest_cache/",
          ".mypy_cache/", ".ruff_cache/", ".coverage", "htmlcov/", "*.egg-info/", "build/", "dist/")
PATH = f"{VENV}/bin:/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"


def toolchain(spec: Spec) -> Toolchain:
    """Python's toolchain for ``spec`` (see module docstring)."""
    image = spec.base or f"python:{spec.version}-{spec.variant}"
    manifests = manifests_for(spec, ("requirements.txt",))
    pip = [f"{VENV}/bin/pip", "install"]
    for manifest in manifests:
        if manifest.endswith((".txt", ".in")):
            pip += ["-r", manifest]
    pip += list(spec.packages)
    if len(pip) == 2:  # nothing to install: no builder stage, no virtual environment
        return Toolchain(final_image=image, final_env=(("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONUNBUFFERED", "1")),
                         ignore=IGNORE, pin_rule="DL3013")
    install = (("python", "-m", "venv", VENV), tuple(pip))
    return Toolchain(
        final_image=image,
        builder_image=image,
        manifests=manifests,
        install=install,
        caches=("/root/.cache/pip",),
        builder_env=(("PIP_DISABLE_PIP_VERSION_CHECK", "1"),),
        artifacts=((VENV, VENV),),
        final_env=(("PATH", PATH), ("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONUNBUFFERED", "1")),
        ignore=IGNORE,
        pin_rule="DL3013",
        unpinned=tuple(p for p in spec.packages if "==" not in p),
    )
