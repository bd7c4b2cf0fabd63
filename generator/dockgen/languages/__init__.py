"""The language registry: the one list of languages dockgen knows, and the way to reach each.

Each language is one module of this package (its contract: :mod:`dockgen.languages.base`).
:data:`NAMES` is the only list of them; the spec's allowed ``language:`` values (and so the
JSON Schema enum), the CLI's ``--language`` choices, ``init``'s prompt and detection's
tie-break order all derive from it. Importing this package is cheap: a language module is
imported only when asked for (``dockgen render`` imports only the spec's own language).
Commands are argv lists; the renderer quotes every word for the shell, so no spec value
is ever pasted into a command line.

Adding a language: add ``<name>.py`` fulfilling the contract, its scaffold folder under
``templates/init/new/``, its name in :data:`NAMES`, and an example under ``specs/``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

from .base import Argv, Toolchain, in_workdir, manifests_for

if TYPE_CHECKING:
    from ..spec import Spec

__all__ = ["NAMES", "Argv", "Toolchain", "in_workdir", "manifests_for", "module", "toolchain"]

# The languages, in the order users see them (CLI choices, init's prompt, the schema enum).
NAMES = ("python", "node", "ruby", "php", "go", "rust", "java", "dotnet", "none")


def module(name: str) -> ModuleType:
    """The module of language ``name`` (one of :data:`NAMES`); KeyError for another name."""
    if name not in NAMES:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def toolchain(spec: Spec) -> Toolchain:
    """The :class:`Toolchain` of ``spec.language`` (imports only that language's module)."""
    return module(spec.language).toolchain(spec)
