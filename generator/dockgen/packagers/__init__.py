"""Package managers, one module each: the axis inside a language (npm inside node; pip and uv inside python).

A language lists the managers it can build with (``PACKAGERS`` in its module, preferred
first) and picks one with :func:`pick` from the manifests the spec installs from. Each
manager module has (all data is read at import, which stays cheap; render imports the
managers of the spec's language only):

- ``MANIFESTS``: tuple of str, the files it installs from by default (the language's
  ``DEFAULT_MANIFESTS`` when it is the language's default manager).
- ``LOCKS``: tuple of str, its lock files, preferred first.
- ``CACHES``: tuple of str, its cache directories (BuildKit cache mount targets, R04).
- ``PIN_RULE``: the hadolint rule that flags an unpinned package (``DL3013``, ``DL3016``).
- ``pinned(package) -> bool``: the spec's ``packages`` entry carries a version.
- ``environment(into) -> tuple of (name, value)``: ENV of the builder stage while it
  runs (``into`` as for ``install``).
- ``claims(manifests) -> bool``: it is the manager that installs from these manifests.
- ``found(root) -> tuple of str``: the manifests and lock it would install from in a
  project directory (``dockgen init``; ``()`` when the project has none of them). Reads
  only whether files exist.
- ``install(manifests, packages, *, dev=False, into) -> tuple of argv``: the builder's
  install commands, run after the manifests are copied (R07) as root in the builder
  stage; ``dev`` includes development dependencies (for a build step that needs them),
  ``into`` is the environment the dependencies go into where the manager needs one
  named (Python's virtual environment); ``()`` when there is nothing to install.
- ``prune() -> tuple of argv``: removes the development dependencies again after a
  build that installed them; ``()`` when the manager has no such notion.
- ``warnings(manifests) -> tuple of str``: what the user should know about installing
  from these manifests (e.g. no lock file).

bundler (ruby), composer (php) and go modules (go) still live in their language modules;
they move here with the build-step issue, which also adds yarn, pnpm, bun and poetry.
"""

from __future__ import annotations

import importlib
from types import ModuleType

NAMES = ("npm", "pip", "uv")


def module(name: str) -> ModuleType:
    """The module of package manager ``name`` (one of :data:`NAMES`); KeyError for another name."""
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def pick(candidates: tuple[str, ...], manifests: tuple[str, ...]) -> ModuleType:
    """The first of ``candidates`` (manager names, preferred first) that claims ``manifests``;
    the last candidate (the language's fallback) when none does."""
    for name in candidates:
        manager = module(name)
        if manager.claims(manifests):
            return manager
    return module(candidates[-1])
