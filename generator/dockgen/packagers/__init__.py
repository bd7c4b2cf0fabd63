"""Package managers, one module each: the axis inside a language (npm, yarn, pnpm, bun inside
node; uv, poetry, pipenv, pip inside python).

:data:`BY_LANGUAGE` is the one list of them: the spec's ``package_manager`` values (and so
the JSON Schema enum), the refusal of a manager that does not fit the language, and each
language's ``PACKAGERS`` derive from it. A spec's ``package_manager`` names the manager;
without it the language picks one with :func:`pick` from the manifests the spec installs
from (the lock file says). Each manager module has (all data is read at import, which stays cheap; render imports the
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
- ``prune(manifests=(), into=None) -> tuple of argv``: removes the development
  dependencies again after a build that installed them (arguments as for ``install``);
  ``()`` when the manager has no such notion.
- ``warnings(manifests) -> tuple of str``: what the user should know about installing
  from these manifests (e.g. no lock file).

No package manager reaches the final image: node's managers leave only ``node_modules``,
Python's install into a virtual environment that has no pip (the manager runs from the
builder's own Python). bundler (ruby), composer (php) and go modules (go) still live in
their language modules.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# The managers of each language, in the order ``pick`` tries them: the lock file decides,
# the last one is the language's fallback (it needs no lock).
BY_LANGUAGE = {
    "node": ("pnpm", "yarn", "bun", "npm"),
    "python": ("uv", "poetry", "pipenv", "pip"),
}
NAMES = tuple(name for names in BY_LANGUAGE.values() for name in names)


def refusal(language: str, name: str) -> str | None:
    """Why ``package_manager: name`` does not fit ``language`` (one line), or None when it does."""
    allowed = BY_LANGUAGE.get(language, ())
    if name in allowed:
        return None
    if not allowed:
        return f"{name} is a package manager of {_language_of(name)}; language {language} takes no package_manager"
    return f"{name} is not a package manager of {language}; expected one of {', '.join(allowed)}"


def fits(name: str | None, info) -> str | None:
    """The spec's ``package_manager`` check (a pydantic after-validator; ``info.data`` holds
    the fields validated before it, ``language`` among them).

    Raises:
        ValueError: ``name`` is not a manager of the spec's language (:func:`refusal`).
    """
    language = info.data.get("language")
    problem = refusal(language, name) if name is not None and language is not None else None
    if problem:
        raise ValueError(problem)
    return name


def _language_of(name: str) -> str:
    return next(language for language, names in BY_LANGUAGE.items() if name in names)


def default_manifests(manager: ModuleType) -> tuple[str, ...]:
    """The files ``manager`` installs from when the spec names it but lists no ``dependencies``:
    its manifests and its first lock file (R07)."""
    return tuple(dict.fromkeys((*manager.MANIFESTS, *manager.LOCKS[:1])))


def module(name: str) -> ModuleType:
    """The module of package manager ``name`` (one of :data:`NAMES`); KeyError for another name."""
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def chosen(name: str | None, candidates: tuple[str, ...], manifests: tuple[str, ...]) -> ModuleType:
    """The manager the spec names (``package_manager``), else :func:`pick`'s choice."""
    return module(name) if name else pick(candidates, manifests)


def pick(candidates: tuple[str, ...], manifests: tuple[str, ...]) -> ModuleType:
    """The first of ``candidates`` (manager names, preferred first) that claims ``manifests``;
    the last candidate (the language's fallback) when none does."""
    for name in candidates:
        manager = module(name)
        if manager.claims(manifests):
            return manager
    return module(candidates[-1])
