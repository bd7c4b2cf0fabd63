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
        accounts: user and group names the family's base images already have.
    """

    name: str
    manager: PackageManager | None
    shell: bool
    users: UserTool | None
    accounts: frozenset[str] = frozenset()

    @property
    def tini(self) -> str | None:
        """Absolute path of tini once installed from the family's packages, or None when
        tini must be copied in from a Debian stage (R02)."""
        return self.manager.tini if self.manager else None


# Accounts (user and group names) each family's base images already have: creating the
# app's user or group under one of these names fails (groupadd/addgroup: "in use").
# Sources: Debian's base-passwd (bookworm and older), Alpine's alpine-baselayout (3.18 to
# 3.22: both the older and the trimmed lists), the official busybox image's /etc/passwd
# and /etc/group.
DEBIAN_ACCOUNTS = frozenset({
    "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data",
    "backup", "list", "irc", "gnats", "_apt", "nobody", "adm", "tty", "disk", "kmem", "dialout", "fax", "voice",
    "cdrom", "floppy", "tape", "sudo", "audio", "dip", "operator", "src", "shadow", "utmp", "video", "sasl",
    "plugdev", "staff", "users", "nogroup"})
ALPINE_ACCOUNTS = frozenset({
    "root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "news", "uucp", "operator", "man",
    "postmaster", "cron", "ftp", "sshd", "at", "squid", "xfs", "games", "cyrus", "vpopmail", "ntp", "smmsp", "guest",
    "nobody", "sys", "tty", "disk", "mem", "kmem", "wheel", "floppy", "console", "audio", "cdrom", "dialout",
    "input", "tape", "video", "netdev", "readproc", "kvm", "shadow", "cdrw", "www-data", "usb", "users", "nofiles",
    "locate", "abuild", "utmp", "ping", "nogroup"})
BUSYBOX_ACCOUNTS = frozenset({
    "root", "daemon", "bin", "sys", "sync", "mail", "www-data", "operator", "nobody", "adm", "tty", "disk", "lp",
    "kmem", "wheel", "cdrom", "dialout", "floppy", "video", "audio", "tape", "utmp", "users", "staff", "nogroup"})
# The accounts an official language image adds to its family's (docker-library's node
# and php Dockerfiles: `node` uid 1000; `www-data` uid 82 on Alpine).
# eclipse-temurin's Ubuntu 24.04 images keep Ubuntu's `ubuntu` user (uid 1000).
IMAGE_ACCOUNTS = {"node": frozenset({"node"}), "php": frozenset({"www-data"}), "eclipse-temurin": frozenset({"ubuntu"})}

FAMILIES = {
    "debian": Family("debian", APT, True, USERADD, DEBIAN_ACCOUNTS),
    "alpine": Family("alpine", APK, True, ADDUSER, ALPINE_ACCOUNTS),
    "busybox": Family("busybox", None, True, ADDUSER, BUSYBOX_ACCOUNTS),
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
    repository, tag = _split(image)
    last = repository.rsplit("/", 1)[-1]
    if "distroless" in repository:
        return FAMILIES["distroless"]
    if last == "busybox":
        return FAMILIES["busybox"]
    if last == "alpine" or "alpine" in tag:
        return FAMILIES["alpine"]
    return FAMILIES["debian"]


def _split(image: str) -> tuple[str, str]:
    """(repository, tag) of an image reference; the tag is "" when there is none."""
    reference = image.split("@", 1)[0]
    if ":" in reference.rsplit("/", 1)[-1]:
        repository, tag = reference.rsplit(":", 1)
        return repository, tag
    return reference, ""


def accounts_of(image: str) -> frozenset[str]:
    """The user and group names ``image`` already has: its family's, and those an official
    language image adds (``node`` in node images, ``www-data`` in php images; issue 10, item 10)."""
    repository = _split(image)[0]
    official = repository.removeprefix("docker.io/").removeprefix("library/")
    return family_of(image).accounts | IMAGE_ACCOUNTS.get(official, frozenset())
