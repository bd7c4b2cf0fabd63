"""npm: ``npm ci`` from package.json + package-lock.json (``npm install`` without a lock file).

npm comes with Node's image, so it needs no install and its version is the image's. The
production install skips the root project's lifecycle scripts (``--ignore-scripts``,
then ``npm rebuild`` runs the dependencies' own install scripts): see
:mod:`dockgen.packagers._node` for why. Sources: npm's documentation of ``npm ci`` (needs
a lock file, never writes one), ``--omit=dev``, ``npm rebuild``; hadolint DL3016.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _node

if TYPE_CHECKING:
    from pathlib import Path

MANIFESTS = ("package.json",)
LOCKS = ("package-lock.json", "npm-shrinkwrap.json")
CACHES = ("/root/.npm",)
PIN_RULE = _node.PIN_RULE
pinned = _node.pinned


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """None: npm needs no ENV in the builder."""
    return ()


def claims(manifests: tuple[str, ...]) -> bool:
    """npm installs from a package.json."""
    return "package.json" in manifests


def found(root: Path) -> tuple[str, ...]:
    """package.json and the first lock file present, or ``()`` without a package.json."""
    if not (root / "package.json").is_file():
        return ()
    return ("package.json", *[lock for lock in LOCKS if (root / lock).is_file()][:1])


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """``npm ci`` (or ``npm install`` without a lock), then the spec's extra packages unsaved.

    Without ``dev``: no development dependencies and no root lifecycle scripts, then
    ``npm rebuild``. ``into`` is unused: npm installs into ``node_modules`` of the working
    directory.
    """
    omit = () if dev else ("--omit=dev", "--ignore-scripts")
    commands = []
    if claims(manifests):
        commands.append(("npm", "ci" if _node.locked(manifests, LOCKS) else "install", *omit))
    if packages:
        commands.append(("npm", "install", *omit, "--no-save", *packages))
    if commands and not dev:
        commands.append(("npm", "rebuild"))
    return tuple(commands)


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """Remove the development dependencies from node_modules."""
    return (("npm", "prune", "--omit=dev"),)


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """A warning when a package.json comes without a lock file, or an .npmrc is listed."""
    return _node.warnings(manifests, LOCKS, "dependencies: no package-lock.json, so npm install resolves versions anew "
                          "on every build; commit a lock file and list it (npm ci)")
