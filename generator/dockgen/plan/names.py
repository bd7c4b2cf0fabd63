"""Unique names made from paths: config files in RUNTIME_DIR, compose volumes."""

from __future__ import annotations


def unique_names(bases: list[str], taken: tuple[str, ...] = ()) -> list[str]:
    """``bases`` made unique in order: a repeated ``x`` (or one in ``taken``) becomes ``x-2``,
    ``x-3``, ... (never a name that is itself among ``bases`` or ``taken``). A dotted name
    keeps its extension: ``app.conf`` -> ``app-2.conf``."""
    names: list[str] = []
    for base in bases:
        name, n = base, 1
        while name in names or name in taken or (n > 1 and name in bases):
            n += 1
            stem, dot, ext = base.partition(".") if not base.startswith(".") else (base, "", "")
            name = f"{stem}-{n}{dot}{ext}"
        names.append(name)
    return names
