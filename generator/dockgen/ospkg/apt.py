"""apt (Debian, Ubuntu) and shadow-utils' useradd, which Debian images carry.

Sources: Docker's "Dockerfile best practices" (update, install and cleanup in one RUN,
``--no-install-recommends``), hadolint DL3008 (pin with ``name=version``), Debian's
tini package (``/usr/bin/tini``, and ``/usr/bin/tini-static`` for images without one).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Command, Glob, PackageManager, UserTool

TINI_STATIC = "/usr/bin/tini-static"  # Debian's tini package; copied into images without one (R02)


@dataclass(frozen=True)
class Apt(PackageManager):
    """apt-get: update, install without recommended packages, remove the package lists."""

    def install(self, packages: tuple[str, ...]) -> tuple[Command, ...]:
        """``apt-get update``, ``apt-get install -y --no-install-recommends`` and
        ``rm -rf /var/lib/apt/lists/*`` (R04, R08, R10)."""
        return (
            Command(("apt-get", "update")),
            Command(("apt-get", "install", "-y", "--no-install-recommends"), packages),
            Command(("rm", "-rf", Glob("/var/lib/apt/lists/*"))),
        )


@dataclass(frozen=True)
class UserAdd(UserTool):
    """shadow-utils: ``groupadd`` and ``useradd``."""

    def create(self, name: str, uid: int, gid: int) -> tuple[Command, ...]:
        """``groupadd --gid`` and ``useradd --no-log-init`` without a home or login shell (R15)."""
        return (
            Command(("groupadd", "--gid", str(gid), name)),
            Command(("useradd", "--no-log-init", "--uid", str(uid), "--gid", str(gid), "--no-create-home",
                     "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name)),
        )


APT = Apt("apt", "DL3008", "/usr/bin/tini")
USERADD = UserAdd("useradd")
