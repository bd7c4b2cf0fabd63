"""Python: a virtual environment built in a builder stage; the final image copies it.

Official image ``python:<version>-slim|alpine`` (R05). Dependencies come from requirements
files (``pip install -r``, into an environment made without pip or setuptools, which
the application does not run) or from ``pyproject.toml`` + ``uv.lock`` (``uv sync --locked``,
the project itself is not installed: the code is copied last, R07), with the package
manager's cache in a BuildKit cache mount (R04); compilers (``build_packages``) stay in the
builder.
"""

from ..spec import Spec
from . import Toolchain, manifests_for

VENV = "/opt/venv"
UV = "uv==0.13.9"  # pinned, so that a lock file always meets the same resolver (DL3013)
IGNORE = ("__pycache__/", "**/__pycache__/", "*.py[cod]", ".venv/", "venv/", ".tox/", ".nox/", ".pytest_cache/",
          ".mypy_cache/", ".ruff_cache/", ".coverage", "htmlcov/", "*.egg-info/")
PATH = f"{VENV}/bin:/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"
RUNTIME_ENV = (("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONUNBUFFERED", "1"))


def _install(manifests: tuple[str, ...], packages: list[str]) -> tuple[tuple[str, ...], ...]:
    """The builder's install commands; empty when there is nothing to install."""
    if "uv.lock" in manifests:
        commands = [("pip", "install", "--no-cache-dir", UV), ("uv", "sync", "--locked", "--no-dev", "--no-install-project")]
        if packages:
            commands.append(("uv", "pip", "install", "--python", f"{VENV}/bin/python", *packages))
        return tuple(commands)
    requirements = [arg for m in manifests if m.endswith((".txt", ".in")) for arg in ("-r", m)]
    if not requirements and not packages:
        return ()
    # The environment gets no pip or setuptools of its own (25 MB the application never runs):
    # the builder's pip installs into it (`pip --python`, pip 22.3 and newer).
    return (("python", "-m", "venv", "--without-pip", VENV),
            ("python", "-m", "pip", "--python", f"{VENV}/bin/python", "install", *requirements, *packages))


def toolchain(spec: Spec) -> Toolchain:
    """Python's toolchain for ``spec`` (see module docstring)."""
    image = spec.base or f"python:{spec.version}-{spec.variant}"
    manifests = manifests_for(spec, ("requirements.txt",))
    install = _install(manifests, list(spec.packages))
    if not install:  # nothing to install: no builder stage, no virtual environment
        return Toolchain(final_image=image, final_env=RUNTIME_ENV, ignore=IGNORE, pin_rule="DL3013")
    uv = "uv.lock" in manifests
    return Toolchain(
        final_image=image,
        builder_image=image,
        manifests=manifests,
        install=install,
        caches=("/root/.cache/uv",) if uv else ("/root/.cache/pip",),
        builder_env=(("PIP_DISABLE_PIP_VERSION_CHECK", "1"),)
        + ((("UV_PROJECT_ENVIRONMENT", VENV), ("UV_LINK_MODE", "copy"), ("UV_PYTHON_DOWNLOADS", "never")) if uv else ()),
        artifacts=((VENV, VENV),),
        final_env=(("PATH", PATH), *RUNTIME_ENV),
        ignore=IGNORE,
        pin_rule="DL3013",
        unpinned=tuple(p for p in spec.packages if "==" not in p),
    )
