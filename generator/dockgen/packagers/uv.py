"""uv: ``uv sync --locked`` from pyproject.toml + uv.lock into the virtual environment.

The project itself is not installed (``--no-install-project``): the code is copied last
(R07). uv is installed by the builder's pip at a pinned version, so that a lock file
always meets the same resolver (DL3013). Extra spec packages go in with ``uv pip
install``. Source: uv's Docker integration guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

from . import pip

UV = "uv==0.13.9"
MANIFESTS = ("pyproject.toml", "uv.lock")
LOCKS = ("uv.lock",)
CACHES = ("/root/.cache/uv", pip.CACHES[0])  # pip's: uv itself is installed with pip, from the cache mount
PIN_RULE = pip.PIN_RULE
pinned = pip.pinned  # extra packages are installed with uv's pip interface: pip's syntax


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """The builder's ENV while uv runs: pip's (it installs uv), the target venv, then uv's own
    (copies, no Python downloads, the system's CA certificates)."""
    # UV_SYSTEM_CERTS: the image's CA store, as pip uses, not uv's bundled roots (a proxy's or
    # a private index's CA is installed there; found by the container tests behind a proxy)
    return (*pip.ENV, ("UV_PROJECT_ENVIRONMENT", into), ("UV_LINK_MODE", "copy"), ("UV_PYTHON_DOWNLOADS", "never"),
            ("UV_SYSTEM_CERTS", "1"))


def claims(manifests: tuple[str, ...]) -> bool:
    """uv installs when the spec lists uv.lock."""
    return "uv.lock" in manifests


def found(root: Path) -> tuple[str, ...]:
    """pyproject.toml and uv.lock when the project has both, else ``()``."""
    return MANIFESTS if all((root / name).is_file() for name in MANIFESTS) else ()


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Install uv, sync the locked environment (without the dev group unless ``dev``), add extra packages."""
    assert into, "uv installs into a virtual environment"
    sync = ("uv", "sync", "--locked", *(() if dev else ("--no-dev",)), "--no-install-project")
    commands = [("pip", "install", UV), sync]  # pip's cache is mounted (CACHES), no --no-cache-dir
    if packages:
        commands.append(("uv", "pip", "install", "--python", f"{into}/bin/python", *packages))
    return tuple(commands)


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Sync again without the dev group: uv removes what the lock's dev group added."""
    return (("uv", "sync", "--locked", "--no-dev", "--no-install-project"),)


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """None yet."""
    return ()
