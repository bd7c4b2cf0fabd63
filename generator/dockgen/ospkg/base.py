"""What an OS package manager does for dockgen, and the shell words its commands are made of.

A command is an argv (:class:`Command`): the renderer writes each word as one POSIX shell
word, quoted (``shlex.quote``), except a :class:`Glob`, which is one of dockgen's own
constant words that the shell must expand (``/var/lib/apt/lists/*``). A spec value is
never a Glob, so it is always quoted.
"""

from __future__ import annotations

from dataclasses import dataclass


class Glob(str):
    """A word of dockgen's own (never a spec value) written unquoted, so the shell expands it."""


@dataclass(frozen=True)
class Command:
    """One command of a ``RUN`` line: ``argv``, then ``operands`` written one per line (R03).

    Attributes:
        argv: the command and its options, e.g. ``("apk", "add", "--no-cache")``.
        operands: words written after ``argv``, one per continuation line, in the given
            order (package names, sorted by the caller).
    """

    argv: tuple[str, ...]
    operands: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageManager:
    """An OS package manager: how to install and clean up, the pin rule, where tini lands.

    Attributes:
        name: ``apt``, ``apk``.
        pin_rule: the hadolint rule that flags an unpinned package (DL3008, DL3018).
        tini: absolute path of tini once its package is installed (R02).
    """

    name: str
    pin_rule: str
    tini: str

    def install(self, packages: tuple[str, ...]) -> tuple[Command, ...]:
        """Commands that install ``packages`` (sorted) and remove what the install leaves
        behind, for one ``RUN`` (R03, R04, R08, R10)."""
        raise NotImplementedError

    def pinned(self, package: str) -> bool:
        """Whether ``package`` names a version (``name=1.2``, ``name~1.2``), as the pin rule asks."""
        return "=" in package or "~" in package


@dataclass(frozen=True)
class UserTool:
    """How an image creates the application's system user and group (R15).

    Attributes:
        name: the tool, ``useradd`` (shadow-utils) or ``adduser`` (BusyBox applets).
    """

    name: str

    def create(self, name: str, uid: int, gid: int) -> tuple[Command, ...]:
        """Commands that create group ``name`` (``gid``) and user ``name`` (``uid``) with no
        home directory and no login shell (R15)."""
        raise NotImplementedError
