"""pnpm: ``pnpm install --frozen-lockfile`` from package.json + pnpm-lock.yaml.

pnpm runs through corepack at the version package.json's ``packageManager`` names (see
:mod:`dockgen.packagers._node`). Its content-addressed store is a BuildKit cache mount
(R04); node_modules is copied out of it (the mount is another filesystem, so pnpm copies
instead of hard-linking), so the final image needs neither pnpm nor the store. The
production install skips the root's lifecycle scripts and then runs ``npm rebuild`` for
the dependencies' (``pnpm rebuild`` runs the root's ``prepare`` as well, found by the
test that runs the install for real). Sources: pnpm's CLI reference (install, prune, rebuild) and its
Docker guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _node

if TYPE_CHECKING:
    from pathlib import Path

MANIFESTS = ("package.json",)
LOCKS = ("pnpm-lock.yaml",)
CACHES = ("/root/.local/share/pnpm/store", _node.COREPACK_HOME)
PIN_RULE = _node.PIN_RULE
pinned = _node.pinned


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """corepack's settings (pinned version, no prompt)."""
    return _node.COREPACK_ENV


def claims(manifests: tuple[str, ...]) -> bool:
    """pnpm installs when the spec lists pnpm-lock.yaml."""
    return _node.locked(manifests, LOCKS)


def found(root: Path) -> tuple[str, ...]:
    """package.json and pnpm-lock.yaml when the project has both, else ``()``."""
    return _node.found(root, LOCKS)


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """corepack's pnpm, the frozen install (production only unless ``dev``), then extra packages."""
    frozen = "--frozen-lockfile" if claims(manifests) else "--no-frozen-lockfile"
    prod = () if dev else ("--prod", "--ignore-scripts")
    commands = [*_node.corepack("pnpm"), ("pnpm", "install", frozen, *prod)]
    if packages:
        commands.append(("pnpm", "add", *prod, *packages))
    if not dev:
        commands.append(("npm", "rebuild"))  # pnpm rebuild would run the root's own scripts too
    return tuple(commands)


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Remove the development dependencies from node_modules."""
    return (("pnpm", "prune", "--prod", "--ignore-scripts"),)


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """No lock file listed; an .npmrc listed."""
    return _node.warnings(manifests, LOCKS, _node.no_lock(LOCKS[0], "pnpm install"))
