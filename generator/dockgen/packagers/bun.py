"""bun: ``bun install --frozen-lockfile`` from package.json + bun.lock (or the older bun.lockb).

bun is not part of Node's image, and corepack does not provide it: it is installed with
npm at a pinned version (the ``bun`` package ships the binary per platform as optional
dependencies, so it needs no install script). It installs into node_modules, which the
final image copies; bun itself stays in the builder. bun never runs dependencies'
lifecycle scripts unless package.json trusts them (``trustedDependencies``), and
``--ignore-scripts`` skips the project's own in the production install (see
:mod:`dockgen.packagers._node`). Sources: bun's documentation of ``bun install``
(``--frozen-lockfile``, ``--production``, lifecycle scripts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _node

if TYPE_CHECKING:
    from pathlib import Path

BUN = "bun@1.4.5"
MANIFESTS = ("package.json",)
LOCKS = ("bun.lock", "bun.lockb")
CACHES = ("/root/.bun/install/cache",)
PIN_RULE = _node.PIN_RULE
pinned = _node.pinned


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """None: bun needs no ENV in the builder."""
    return ()


def claims(manifests: tuple[str, ...]) -> bool:
    """bun installs when the spec lists bun.lock or bun.lockb."""
    return _node.locked(manifests, LOCKS)


def found(root: Path) -> tuple[str, ...]:
    """package.json and the bun lock file when the project has both, else ``()``."""
    return _node.found(root, LOCKS)


def _production() -> tuple[str, ...]:
    return ("--production", "--ignore-scripts")


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """bun from npm, the frozen install (production only unless ``dev``), then extra packages."""
    frozen = ("--frozen-lockfile",) if claims(manifests) else ()
    prod = () if dev else _production()
    commands = [("npm", "install", "--global", BUN), ("bun", "install", *frozen, *prod)]
    if packages:
        commands.append(("bun", "add", *prod, *packages))
    return tuple(commands)


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Install again for production: bun removes what only development needed."""
    return (("bun", "install", "--frozen-lockfile", *_production()),)


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """No lock file listed; an .npmrc listed."""
    return _node.warnings(manifests, LOCKS, _node.no_lock(LOCKS[0], "bun install"))
