"""pip: requirements files installed into a virtual environment made without pip.

The environment gets no pip or setuptools of its own (25 MB the application never runs):
the builder's pip installs into it (``pip --python``, pip 22.3 and newer). pip has no
notion of development dependencies: the requirements files the spec lists are what is
installed, with or without ``dev``. Source: pip's user guide; hadolint DL3013.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

MANIFESTS = ("requirements.txt",)
LOCKS: tuple[str, ...] = ()
CACHES = ("/root/.cache/pip",)
ENV = (("PIP_DISABLE_PIP_VERSION_CHECK", "1"),)  # also wherever the builder runs pip
PIN_RULE = "DL3013"


def pinned(package: str) -> bool:
    """``name==1.2.3``."""
    return "==" in package


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """pip's version check off (the builder has no use for it)."""
    return ENV


def _requirements(manifests: tuple[str, ...]) -> list[str]:
    return [m for m in manifests if m.endswith((".txt", ".in"))]


def claims(manifests: tuple[str, ...]) -> bool:
    """pip installs from requirements files (``*.txt``, ``*.in``)."""
    return bool(_requirements(manifests))


def found(root: Path) -> tuple[str, ...]:
    """requirements.txt when the project has one."""
    return tuple(name for name in MANIFESTS if (root / name).is_file())


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Make the environment ``into`` and install every requirements file and extra package into it."""
    assert into, "pip installs into a virtual environment"
    requirements = [arg for m in _requirements(manifests) for arg in ("-r", m)]
    if not requirements and not packages:
        return ()
    return (("python", "-m", "venv", "--without-pip", into),
            ("python", "-m", "pip", "--python", f"{into}/bin/python", "install", *requirements, *packages))


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Nothing: pip installs no development group to remove."""
    return ()


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """None yet."""
    return ()
