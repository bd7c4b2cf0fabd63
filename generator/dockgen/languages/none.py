"""No language runtime: the spec's own pinned base (alpine, debian-slim, busybox, scratch)
with the application's files copied in (R05).

Detection (``dockgen init``) looks for an ``index.html`` (in ``public/``, ``site/``,
``dist/``, ``_site/``, ``www/`` or the root): a static site served by BusyBox httpd. A
``dist/index.html`` is no evidence that a project has no language (a Vite app builds one):
only the others count, or ``--language none``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import BUILD_OUTPUT, Toolchain

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

VERSIONS: tuple[str, ...] = ()
DEFAULT_VERSION = None
DEFAULT_MANIFESTS: tuple[str, ...] = ()
SCAFFOLD = "none"
NEW_PORT = 8080
NEW_HEALTH_PATH = "/"  # a static site: its index page
SITE_DIRS = ("public", "site", "dist", "_site", "www")
# a built site (dist/index.html) is no evidence: a Vite app has one too (base.BUILD_OUTPUT)
EVIDENCE = (("index.html", 1), *((f"{d}/index.html", 1) for d in SITE_DIRS if d not in BUILD_OUTPUT))
TIE_BREAK = 8
COMPILED = False
BINARY = False
RESOURCES = {"limits": {"memory": "64Mi", "cpu": "250m"}, "requests": {"memory": "32Mi", "cpu": "50m"}, "pids": 64}
HEALTH_ROUTES = ()  # no source to read routes in

STATIC_BASE = "busybox:1.36.1"  # R05, R06: pinned; the same base as specs/static-docs


def toolchain(spec: Spec) -> Toolchain:
    """The toolchain of a spec without a language: just its base image."""
    assert spec.base, "the spec model requires base for language none"
    return Toolchain(final_image=spec.base)


def healthcheck(port: int, path: str, base: str | None) -> tuple[str, ...] | None:
    """BusyBox's own wget on a busybox base; None on any other base (dockgen cannot know what it has)."""
    if not base or not base.startswith("busybox:"):
        return None
    return ("wget", "-q", "--spider", f"http://127.0.0.1:{port}{path}")


def detect(root: Path, notes: list[str]) -> Found:
    """A static site's index.html, served by BusyBox httpd (see module docstring)."""
    from . import _read

    found = _read.Found()
    for directory in (*SITE_DIRS, "."):
        index = root / directory / "index.html"
        if index.is_file():
            # the site's files, not its folder, are what httpd serves from /www (issue 10, item 3)
            copy = "." if directory == "." else {"source": directory, "target": "/www"}
            found.base = _read.Guess(STATIC_BASE, f"{_read.rel(root, index)}: a static site, served by BusyBox httpd")
            found.copy = _read.Guess((copy,), f"{_read.rel(root, index)} found")
            found.workdir = _read.Guess("/www", "where httpd serves from")
            found.candidates = [_read.Command(("httpd", "-f", "-v", "-p", "{port}", "-h", "/www"),
                                              "BusyBox httpd serves the static site", binds=8080)]
            return found
    return found

