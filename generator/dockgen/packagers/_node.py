"""What node's package managers share: corepack, the lock-file lookup, the .npmrc warning.

yarn and pnpm run through corepack, which runs the exact version that package.json's
``packageManager`` field names (``pnpm@9.15.9``), or, without that field, the version
the pinned corepack release knows as good (``COREPACK_DEFAULT_TO_LATEST=0``: no lookup of
"latest", so two builds meet the same tool). corepack itself is installed at a pinned
version with npm rather than taken from the image: the corepack bundled with older Node
images carries npm signing keys that were rotated in 2025 and fails to download
anything, Node 25 and newer no longer bundle it, and Debian's nodejs package (the
container tests' stand-in) never did. ``--force`` replaces the image's own yarn and
corepack shims (the official images ship yarn classic in /usr/local/bin).

The root project's own lifecycle scripts (``prepare``, ``postinstall``) do not run in
the production install: it runs before the code is copied (R07), so those scripts
cannot do their job yet, and the dev tools they call (husky) are exactly what a
production install leaves out. Dependencies' install scripts still run (each manager's
rebuild). A build that needs the root's scripts runs them after the code is copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

Argv = tuple[str, ...]

COREPACK = "corepack@0.36.0"
COREPACK_HOME = "/root/.cache/corepack"
COREPACK_ENV = (("COREPACK_HOME", COREPACK_HOME), ("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0"),
                ("COREPACK_DEFAULT_TO_LATEST", "0"))
PIN_RULE = "DL3016"
NPMRC = ".npmrc"


def pinned(package: str) -> bool:
    """``name@1.2.3`` (a scope's leading ``@`` does not count)."""
    return "@" in package[1:]


def corepack(tool: str) -> tuple[Argv, ...]:
    """Install the pinned corepack and let it provide ``tool`` (yarn or pnpm)."""
    return (("npm", "install", "--global", "--force", COREPACK), ("corepack", "enable", tool))


def found(root: Path, locks: tuple[str, ...]) -> tuple[str, ...]:
    """package.json and the first of ``locks`` present, or ``()`` without both."""
    lock = next((name for name in locks if (root / name).is_file()), None)
    return ("package.json", lock) if lock and (root / "package.json").is_file() else ()


def locked(manifests: tuple[str, ...], locks: tuple[str, ...]) -> bool:
    """One of ``locks`` is among ``manifests``."""
    return any(lock in manifests for lock in locks)


def warnings(manifests: tuple[str, ...], locks: tuple[str, ...], no_lock: str) -> tuple[str, ...]:
    """``no_lock`` when package.json comes without one of ``locks``; the .npmrc warning when one is listed."""
    found = []
    if "package.json" in manifests and not locked(manifests, locks):
        found.append(no_lock)
    if any(m == NPMRC or m.endswith("/" + NPMRC) for m in manifests):
        found.append(npmrc_warning())
    return tuple(found)


def no_lock(lock: str, tool: str) -> str:
    """The warning for a package.json without ``lock``: ``tool`` resolves versions anew."""
    return (f"dependencies: no {lock}, so {tool} resolves versions anew on every build; "
            f"commit the lock file and list it in dependencies")


def npmrc_warning() -> str:
    """What happens to an .npmrc, and where its token belongs (build_secrets, issue 11)."""
    return (".npmrc may hold a registry token: listed in dependencies, it reaches the builder stage only (copied "
            "with the manifests, removed before the final image takes the app), never the final image; keep the "
            "token out of it: write //registry.npmjs.org/:_authToken=${NPM_TOKEN} and list NPM_TOKEN in build_secrets")
