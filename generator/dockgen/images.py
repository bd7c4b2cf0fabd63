"""What a base image offers: its family, package manager, shell and where tini lives.

dockgen reads this from the image reference alone (no registry is asked), following the
official images' naming: ``*alpine*`` tags are Alpine (apk), ``busybox`` has a shell but
no package manager, ``scratch`` and ``distroless`` have neither, everything else is
Debian-like (apt). Source: Docker Official Images' tags and R05.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ospkg import ADDUSER, APK, APT, USERADD, PackageManager, UserTool

ALPINE = "alpine:3.22"  # the pinned Alpine release dockgen uses where the spec names none (R06)
DEBIAN = "debian:12-slim"  # the pinned Debian release of the stage that provides tini-static (R02)


@dataclass(frozen=True)
class Family:
    """The traits of a base image that decide how dockgen builds on it.

    Attributes:
        name: ``debian``, ``alpine``, ``busybox``, ``scratch`` or ``distroless``.
        manager: the OS package manager (:mod:`dockgen.ospkg`), or None.
        shell: True when ``/bin/sh`` exists (run.sh needs it, R17).
        users: the tool that creates the application's user, or None (no shell, R15).
    """

    name: str
    manager: PackageManager | None
    shell: bool
    users: UserTool | None

    @property
    def tini(self) -> str | None:
        """Absolute path of tini once installed from the family's packages, or None when
        tini must be copied in from a Debian stage (R02)."""
        return self.manager.tini if self.manager else None


FAMILIES = {
    "debian": Family("debian", APT, True, USERADD),
    "alpine": Family("alpine", APK, True, ADDUSER),
    "busybox": Family("busybox", None, True, ADDUSER),
    "scratch": Family("scratch", None, False, None),
    "distroless": Family("distroless", None, False, None),
}


def family_of(image: str) -> Family:
    """Tell the family of an image reference such as ``python:3.12-alpine``.

    Args:
        image: an image reference (validated by the spec, R06).
    Returns:
        the matching :class:`Family`; Debian when nothing more specific matches.
    """
    if image == "scratch":
        return FAMILIES["scratch"]
    reference = image.split("@", 1)[0]
    repository, tag = reference, ""
    if ":" in reference.rsplit("/", 1)[-1]:
        repository, tag = reference.rsplit(":", 1)
    last = repository.rsplit("/", 1)[-1]
    if "distroless" in repository:
        return FAMILIES["distroless"]
    if last == "busybox":
        return FAMILIES["busybox"]
    if last == "alpine" or "alpine" in tag:
        return FAMILIES["alpine"]
    return FAMILIES["debian"]
