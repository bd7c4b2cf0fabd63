"""apk (Alpine) and BusyBox's adduser/addgroup, which Alpine and busybox images carry.

Sources: Alpine's apk documentation (``--no-cache`` keeps no index in the layer), hadolint
DL3018 (pin with ``name=version``), Alpine's tini package (``/sbin/tini``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Command, PackageManager, UserTool


@dataclass(frozen=True)
class Apk(PackageManager):
    """apk add --no-cache: nothing to clean up afterwards (R04, R10)."""

    def install(self, packages: tuple[str, ...]) -> tuple[Command, ...]:
        """``apk add --no-cache`` and the packages."""
        return (Command(("apk", "add", "--no-cache"), packages),)


@dataclass(frozen=True)
class BusyBoxAddUser(UserTool):
    """BusyBox applets: ``addgroup -S`` and ``adduser -S -D -H``."""

    def create(self, name: str, uid: int, gid: int) -> tuple[Command, ...]:
        """A system group and user without password, home or login shell (R15)."""
        return (
            Command(("addgroup", "-S", "-g", str(gid), name)),
            Command(("adduser", "-S", "-D", "-H", "-u", str(uid), "-G", name, "-h", "/nonexistent",
                     "-s", "/sbin/nologin", name)),
        )


APK = Apk("apk", "DL3018", "/sbin/tini")
ADDUSER = BusyBoxAddUser("adduser")
