"""What a base image offers: its family, package manager, shell and where tini lives.

dockgen reads this from the image reference alone (no registry is asked), following the
official images' naming: ``*alpine*`` tags are Alpine (apk), ``busybox`` has a shell but
no package manager, ``scratch``, ``distroless`` and Microsoft's ``*chiseled*`` and
``*distroless*`` tags have neither, everything else is Debian-like (apt; Microsoft's .NET
images are Debian or Ubuntu; their Azure Linux tags, with tdnf, are not supported). A
reference may name a registry host (``mcr.microsoft.com/dotnet/aspnet:10.0``,
``localhost:5000/app:1``): :func:`parse_reference` reads it. Source: Docker Official
Images' tags, Microsoft's .NET image tags (mcr.microsoft.com/dotnet) and R05.
"""

from __future__ import annotations

import re
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
# Accounts with fixed ids that images of a repository prefix add, {prefix: {name: (uid, gid)}}:
# Microsoft's .NET 8+ images (runtime-deps and every image built on it) create `app` with
# APP_UID=1654 (dotnet/dotnet-docker's Dockerfiles). A spec whose user is exactly that
# account runs as it; the same name with other ids is refused (it is "in use").
IMAGE_USERS = {"mcr.microsoft.com/dotnet/": {"app": (1654, 1654)}}

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
    if "distroless" in repository or "distroless" in tag or "chiseled" in tag:
        return FAMILIES["distroless"]
    if last == "busybox":
        return FAMILIES["busybox"]
    if last == "alpine" or "alpine" in tag:
        return FAMILIES["alpine"]
    return FAMILIES["debian"]


def _split(image: str) -> tuple[str, str]:
    """(name as written, tag) of an image reference; the tag is "" when there is none."""
    ref = parse_reference(image)
    return ref.name, ref.tag or ""


def accounts_of(image: str) -> frozenset[str]:
    """The user and group names ``image`` already has: its family's, and those an official
    language image adds (``node`` in node images, ``www-data`` in php images; issue 10, item 10)."""
    repository = _split(image)[0]
    official = repository.removeprefix("docker.io/").removeprefix("library/")
    return family_of(image).accounts | IMAGE_ACCOUNTS.get(official, frozenset()) | frozenset(image_users(image))


def image_users(image: str) -> dict[str, tuple[int, int]]:
    """The accounts with fixed ids that ``image`` brings, {name: (uid, gid)} (``app`` 1654
    in Microsoft's .NET images; :data:`IMAGE_USERS`), ``{}`` for others."""
    ref = parse_reference(image)
    where = f"{ref.registry}/{ref.repository}/"
    return next((users for prefix, users in IMAGE_USERS.items() if where.startswith(prefix)), {})


# --- image references (issue 14: dockgen lock) -----------------------------------------

DOCKER_HUB = "docker.io"  # the registry of a reference that names none
DOCKER_HUB_API = "registry-1.docker.io"  # where Docker Hub's registry API answers (docker.io has none)
_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io"}
_DIGEST = re.compile(r"sha256:[a-f0-9]{64}")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                   r"|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?")


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference, as Docker reads one (distribution's reference grammar).

    ``python:3.12-slim`` is ``docker.io`` / ``library/python`` / ``3.12-slim``;
    ``mcr.microsoft.com/dotnet/aspnet:8.0`` is ``mcr.microsoft.com`` / ``dotnet/aspnet`` / ``8.0``;
    ``localhost:5000/x:y`` is ``localhost:5000`` / ``x`` / ``y``. The first path component is
    a registry host when it holds a ``.`` or a ``:`` or is ``localhost``.

    Attributes:
        text: the reference as written (without the digest), e.g. ``python:3.12-slim``.
        registry: the registry host (and port), e.g. ``docker.io``, ``localhost:5000``.
        repository: the repository path at that registry; Docker Hub's official images
            get ``library/`` (``library/python``).
        tag: the tag, or None.
        digest: the ``sha256:...`` digest, or None.
    """

    text: str
    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The reference as written without tag and digest: ``python``, ``localhost:5000/x``."""
        return self.text.rsplit(":", 1)[0] if self.tag is not None else self.text

    @property
    def api_host(self) -> str:
        """The host whose ``/v2/`` API serves this reference (Docker Hub's is ``registry-1.docker.io``)."""
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def loopback(self) -> bool:
        """True for a registry on this machine (``localhost``, 127.0.0.0/8, ``[::1]``), which
        may be spoken to over plain HTTP, as Docker allows for 127.0.0.0/8."""
        host = self.registry.rsplit(":", 1)[0] if not self.registry.startswith("[") else self.registry[1:].split("]")[0]
        return host == "localhost" or host == "::1" or re.fullmatch(r"127(?:\.\d{1,3}){3}", host) is not None

    def pinned(self, digest: str) -> str:
        """The reference as written with ``digest`` added: ``python:3.12-slim@sha256:...``."""
        return f"{self.text}@{digest}"


def parse_reference(text: str) -> ImageRef:
    """Parse an image reference ``[registry/]path[:tag][@sha256:digest]``.

    Args:
        text: e.g. ``docker.io/library/python:3.12-slim`` or ``localhost:5000/x:y@sha256:...``.
    Returns:
        the :class:`ImageRef`; ``text`` keeps the reference as written, digest left off.
    Raises:
        ValueError: ``text`` is not an image reference (the message says which part is wrong).
    """
    rest, _, digest = text.partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        raise ValueError(f"{text!r}: the digest must be sha256: and 64 lower-case hex digits")
    name, tag = rest, None
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = rest.rsplit(":", 1)
        if not _TAG.fullmatch(tag):
            raise ValueError(f"{text!r}: {tag!r} is not a tag (letters, digits, _ . -; at most 128)")
    first, _, path = name.partition("/")
    if path and ("." in first or ":" in first or first == "localhost"):
        if not _HOST.fullmatch(first):
            raise ValueError(f"{text!r}: {first!r} is not a registry host (name or address, and an optional :port)")
        registry = DOCKER_HUB if first in _HUB_ALIASES else first
    else:
        registry, path = DOCKER_HUB, name
    if not path or not all(_COMPONENT.fullmatch(part) for part in path.split("/")):
        raise ValueError(f"{text!r} is not an image reference; expected e.g. python:3.12-slim")
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return ImageRef(text=rest, registry=registry, repository=path, tag=tag, digest=digest or None)
