"""npm: ``npm ci`` from package.json + package-lock.json (``npm install`` without a lock file).

Sources: npm's documentation of ``npm ci`` (needs a lock file, never writes one) and
``--omit=dev``; hadolint DL3016 (pin npm packages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

MANIFESTS = ("package.json",)
LOCKS = ("package-lock.json", "npm-shrinkwrap.json")
CACHES = ("/root/.npm",)
PIN_RULE = "DL3016"


def pinned(package: str) -> bool:
    """``name@1.2.3`` (a scope's leading ``@`` does not count)."""
    return "@" in package[1:]


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


def _locked(manifests: tuple[str, ...]) -> bool:
    return any(lock in manifests for lock in LOCKS)


def install(manifests: tuple[str, ...], packages: tuple[str, ...], *, dev: bool = False, into: str | None = None) -> tuple[tuple[str, ...], ...]:
    """``npm ci`` (or ``npm install`` without a lock), then the spec's extra packages unsaved.

    ``into`` is unused: npm installs into ``node_modules`` of the working directory.
    """
    omit = () if dev else ("--omit=dev",)
    commands = []
    if claims(manifests):
        commands.append(("npm", "ci" if _locked(manifests) else "install", *omit))
    if packages:
        commands.append(("npm", "install", *omit, "--no-save", *packages))
    return tuple(commands)


def prune() -> tuple[tuple[str, ...], ...]:
    """Remove the development dependencies from node_modules."""
    return (("npm", "prune", "--omit=dev"),)


def warnings(manifests: tuple[str, ...]) -> tuple[str, ...]:
    """A warning when a package.json comes without a lock file."""
    if claims(manifests) and not _locked(manifests):
        return ("dependencies: no package-lock.json, so npm install resolves versions anew on every build; "
                "commit a lock file and list it (npm ci)",)
    return ()
