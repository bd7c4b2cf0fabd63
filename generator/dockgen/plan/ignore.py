"""What stays out of the build context: the .dockerignore patterns (R19)."""

from __future__ import annotations

import posixpath
import re

from ..languages import Toolchain
from ..loader import LoadedSpec

COMMON_IGNORE = (
    ".git", ".gitignore", ".gitattributes", ".dockerignore", "Dockerfile", "*.Dockerfile",
    "compose.yaml", "docker-compose*.yml", ".github/", ".gitlab-ci.yml", ".idea/", ".vscode/",
    "*.swp", ".DS_Store",
)
SECRET_IGNORE = (".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx", "id_rsa*", "id_ed25519*", "secrets/", ".npmrc",
                 ".pypirc", ".netrc")


def ignore_patterns(loaded: LoadedSpec, tool: Toolchain) -> tuple[str, ...]:
    """The .dockerignore patterns, each once, in a fixed order: version control and the
    container files, secret-looking files, the language's caches, dockgen's own inputs (the
    spec and its templates are not application files), and runtime data in the build
    context (a writable or volume path below the workdir stays out, so the directory the
    image hands to the app user is not replaced by a root-owned copy, R15), and files at a
    config target (a stale local copy would replace the link to what run.sh writes, R17)."""
    spec = loaded.spec
    writable = set(spec.writable) | set(spec.volumes)
    spec_file = (loaded.path.name,) if re.fullmatch(r"[A-Za-z0-9._@+-]+", loaded.path.name) else ()
    own = (*spec_file, "dockgen.schema.json", *(c.source for c in spec.config))
    runtime_data = tuple(f"{posixpath.normpath(posixpath.join(source, rel))}/" for source, dest in spec.copies
                         for rel in _below(posixpath.join(spec.workdir, dest), writable))
    # R17: a file in the context at a config target would replace the link to what run.sh writes
    rendered = tuple(posixpath.normpath(posixpath.join(source, rel)) for source, dest in spec.copies
                     for rel in _below(posixpath.join(spec.workdir, dest), {c.target for c in spec.config}))
    secret = tuple(p for p in SECRET_IGNORE if p not in tool.builder_only)  # .npmrc listed: for the builder only
    return tuple(dict.fromkeys(COMMON_IGNORE + secret + tool.ignore + own + runtime_data + rendered + built_output(loaded)))


def built_output(loaded: LoadedSpec) -> tuple[str, ...]:
    """``static.root`` (``dist/``) when a ``build`` makes it: the builder builds it anew, so a
    stale local copy would only enter the context and change the code COPY's cache key (R07,
    R19). Without a build, static.root is what is served and stays in; the context's root
    (``.``) is never left out."""
    spec = loaded.spec
    root = posixpath.normpath(spec.static.root) if spec.static and spec.build else "."
    return (f"{root}/",) if root != "." else ()


def _below(directory: str, paths: set[str]) -> list[str]:
    """``paths`` under ``directory`` (where a copy entry lands), relative to it, sorted: the
    entry's source holds them at the same relative paths (``.`` -> ``data``, ``{source:
    public, target: /www}`` with /www/data writable -> ``public/data``)."""
    prefix = posixpath.normpath(directory).rstrip("/") + "/"
    return sorted(p[len(prefix):] for p in paths if p.startswith(prefix))
