"""What poetry and pipenv share: the tool runs from the builder's Python, the dependencies
go into dockgen's virtual environment, which has no pip of its own.

The environment is made with ``python -m venv --without-pip`` and named to the tool by
``VIRTUAL_ENV`` (both poetry and pipenv install into the active virtual environment
when that variable is set, instead of making their own). The tool is installed with
the builder's pip at a pinned version (DL3013) and never enters the environment, so the
final image, which copies only the environment, has neither the tool nor pip.
"""

from __future__ import annotations

from . import pip

Argv = tuple[str, ...]


def prepare(into: str, tool: str) -> tuple[Argv, ...]:
    """Make the environment ``into`` and install ``tool`` (``name==version``) beside it.

    Without ``--no-cache-dir``: pip's cache is a cache mount of the step (the packager's
    CACHES name it), so the tool and its dependencies (poetry's are ~50) are downloaded once,
    not on every run of the dependency step, and never reach a layer (R04, R07).
    """
    return (("python", "-m", "venv", "--without-pip", into), ("pip", "install", tool))


def environment(into: str | None, *extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """pip's settings, ``VIRTUAL_ENV`` naming ``into``, then the tool's own."""
    return (*pip.ENV, ("VIRTUAL_ENV", str(into)), *extra)


def extra(into: str, packages: tuple[str, ...]) -> tuple[Argv, ...]:
    """The spec's extra packages, installed by the builder's pip into the environment."""
    return (("python", "-m", "pip", "--python", f"{into}/bin/python", "install", *packages),) if packages else ()
