"""poetry: ``poetry install --no-root --only main`` from pyproject.toml + poetry.lock.

The dependencies go into dockgen's virtual environment (``VIRTUAL_ENV``, see
:mod:`dockgen.packagers._venv`); poetry installs them with its own installer, so the
environment needs no pip. ``--no-root``: the project itself is not installed, the code
is copied last (R07). poetry refuses a lock file that no longer matches pyproject.toml,
so the install is frozen to the lock. Sources: poetry's CLI reference (install, sync,
``--only``, ``--no-root``) and its FAQ on Docker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _venv, pip

if TYPE_CHECKING:
    from pathlib import Path

POETRY = "poetry==2.5.1"
MANIFESTS = ("pyproject.toml",)
LOCKS = ("poetry.lock",)
CACHES = ("/root/.cache/pypoetry", pip.CACHES[0])
PIN_RULE = pip.PIN_RULE
pinned = pip.pinned  # extra packages go in with pip
OPTIONS = ("--no-root", "--no-interaction")


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """pip's settings, the target environment, and no keyring prompts."""
    return _venv.environment(into, ("POETRY_NO_INTERACTION", "1"), ("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring"))


def claims(manifests: tuple[str, ...]) -> bool:
    """poetry installs when the spec lists poetry.lock."""
    return "poetry.lock" in manifests


def found(root: Path) -> tuple[str, ...]:
    """pyproject.toml and poetry.lock when the project has both, else ``()``."""
    names = (*MANIFESTS, *LOCKS)
    return names if all((root / name).is_file() for name in names) else ()


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """The environment, poetry, the locked install (main group only unless ``dev``), extra packages."""
    assert into, "poetry installs into a virtual environment"
    groups = () if dev else ("--only", "main")
    return (*_venv.prepare(into, POETRY), ("poetry", "install", *OPTIONS, *groups), *_venv.extra(into, packages))


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """``poetry sync`` to the main group: removes what the other groups added."""
    return (("poetry", "sync", *OPTIONS, "--only", "main"),)


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """A warning when pyproject.toml comes without poetry.lock (poetry would resolve anew)."""
    if not claims(manifests):
        return ("dependencies: no poetry.lock, so poetry resolves versions anew on every build; "
                "run `poetry lock`, commit poetry.lock and list it in dependencies",)
    return ()
