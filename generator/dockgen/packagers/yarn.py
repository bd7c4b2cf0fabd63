"""yarn, classic (v1) and berry (v2 and newer), from package.json + yarn.lock.

Which yarn: berry when the spec lists ``.yarnrc.yml`` (berry's settings file; ``dockgen
init`` lists it for a berry project, seen from the lock's ``__metadata`` header or that
file), else classic. corepack runs the version package.json's ``packageManager`` names
(see :mod:`dockgen.packagers._node`; a berry project needs that field, since corepack's
default yarn is classic).

- classic: ``yarn install --frozen-lockfile`` (``--production --ignore-scripts`` for the
  production install, then ``npm rebuild`` for the dependencies' install scripts: yarn
  classic has no rebuild of its own and npm, which the image has, rebuilds any
  node_modules tree).
- berry: ``yarn install --immutable``, and ``yarn workspaces focus --all --production``
  for the production install (berry's install has no production mode; ``workspaces
  focus`` is built into berry 4). Berry never runs the root's ``prepare`` on install.
  ``YARN_NODE_LINKER=node-modules``: the final image copies node_modules, so Plug'n'Play
  is turned off for the image whatever the project's setting.

Sources: yarn classic's CLI docs (install, --frozen-lockfile, --production); yarn berry's
(install --immutable, workspaces focus, nodeLinker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _node

if TYPE_CHECKING:
    from pathlib import Path

MANIFESTS = ("package.json",)
LOCKS = ("yarn.lock",)
BERRY_SETTINGS = ".yarnrc.yml"
CACHES = ("/usr/local/share/.cache/yarn", "/root/.yarn/berry/cache", _node.COREPACK_HOME)
PIN_RULE = _node.PIN_RULE
pinned = _node.pinned


def environment(into: str | None = None) -> tuple[tuple[str, str], ...]:
    """corepack's settings, and node_modules instead of Plug'n'Play for berry."""
    return (*_node.COREPACK_ENV, ("YARN_NODE_LINKER", "node-modules"))


def claims(manifests: tuple[str, ...]) -> bool:
    """yarn installs when the spec lists yarn.lock."""
    return _node.locked(manifests, LOCKS)


def berry(manifests: tuple[str, ...]) -> bool:
    """The spec lists berry's settings file."""
    return BERRY_SETTINGS in manifests


def found(root: Path) -> tuple[str, ...]:
    """package.json, yarn.lock and .yarnrc.yml (when present) when the project has a yarn.lock, else ``()``."""
    deps = _node.found(root, LOCKS)
    return (*deps, BERRY_SETTINGS) if deps and (root / BERRY_SETTINGS).is_file() else deps


def _production(manifests: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    if berry(manifests):
        return (("yarn", "workspaces", "focus", "--all", "--production"),)
    frozen = ("--frozen-lockfile",) if claims(manifests) else ()
    return (("yarn", "install", *frozen, "--production", "--ignore-scripts"), ("npm", "rebuild"))


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """corepack's yarn, then the frozen install (production only unless ``dev``).

    Extra packages go in first with ``yarn add`` (a full install that adds them to the
    builder's copy of the lock), so that the production pass keeps them.
    """
    commands = list(_node.corepack("yarn"))
    if packages:
        commands.append(("yarn", "add", *packages))
    elif dev:
        frozen = ("--immutable" if berry(manifests) else "--frozen-lockfile",) if claims(manifests) else ()
        commands.append(("yarn", "install", *frozen))
    if not dev:
        commands += _production(manifests)
    return tuple(commands)


def prune(manifests: tuple[str, ...] = (), into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """The production install again: yarn removes what only development needed."""
    return _production(manifests)


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """No lock file listed; an .npmrc listed."""
    return _node.warnings(manifests, LOCKS, _node.no_lock(LOCKS[0], "yarn install"))
