"""pipenv: ``pipenv install --deploy`` from Pipfile + Pipfile.lock.

The dependencies go into dockgen's virtual environment (``VIRTUAL_ENV``, see
:mod:`dockgen.packagers._venv`); pipenv runs its own pip against the environment's
Python, so the environment needs no pip. ``--deploy`` refuses a Pipfile.lock that no
longer matches the Pipfile and installs exactly what the lock says; development
packages only with ``dev``. Sources: pipenv's documentation (install --deploy, --dev,
sync, uninstall --all-dev, PIPENV_VERBOSITY).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _venv, pip

if TYPE_CHECKING:
    from pathlib import Path

PIPENV = "pipenv==2026.10.3"
MANIFESTS = ("Pipfile",)
LOCKS = ("Pipfile.lock",)
CACHES = ("/root/.cache/pipenv", pip.CACHES[0])
PIN_RULE = pip.PIN_RULE
pinned = pip.pinned  # extra packages go in with pip


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """pip's settings, the target environment, and pipenv's courtesy notices off."""
    return _venv.environment(into, ("PIPENV_VERBOSITY", "-1"), ("PIPENV_NOSPIN", "1"))


def claims(manifests: tuple[str, ...]) -> bool:
    """pipenv installs when the spec lists Pipfile.lock (or only a Pipfile)."""
    return "Pipfile.lock" in manifests or "Pipfile" in manifests


def found(root: Path) -> tuple[str, ...]:
    """Pipfile and Pipfile.lock when the project has both, else ``()``."""
    names = (*MANIFESTS, *LOCKS)
    return names if all((root / name).is_file() for name in names) else ()


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """The environment, pipenv, the locked install (with development packages when ``dev``), extra packages."""
    assert into, "pipenv installs into a virtual environment"
    deploy = ("--deploy",) if "Pipfile.lock" in manifests else ()
    return (*_venv.prepare(into, PIPENV), ("pipenv", "install", *deploy, *(("--dev",) if dev else ())),
            *_venv.extra(into, packages))


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Uninstall the development packages, then sync the default ones again (a package in both stays)."""
    return (("pipenv", "uninstall", "--all-dev"), ("pipenv", "sync"))


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """A warning when the Pipfile comes without its lock file."""
    if "Pipfile.lock" not in manifests:
        return ("dependencies: no Pipfile.lock, so pipenv resolves versions anew on every build; "
                "run `pipenv lock`, commit Pipfile.lock and list it in dependencies",)
    return ()
