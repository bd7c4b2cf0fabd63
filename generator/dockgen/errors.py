"""Error types shared by every station of dockgen (loader, spec, plan, render, cli).

Every error that reaches the user is a :class:`DockgenError`. The CLI prints its
``str()`` and exits with its ``exit_code``; nothing else is shown (no traceback).
Exit codes follow the brief: 0 ok, 1 a check failed, 2 bad input or usage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .rules import Rule


class DockgenError(Exception):
    """Base class of every error dockgen reports to the user.

    Attributes:
        exit_code: process exit code the CLI uses for this error (2: bad input or usage).
    """

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in a spec or in a file it names.

    Attributes:
        file: path of the file the problem is in, as the user gave it (str).
        field: dotted spec field, e.g. ``user.uid`` or ``config[0].source``; "" when none.
        message: what is wrong and what was expected, one sentence.
        line: 1-based line in ``file``, or None when unknown.
        column: 1-based column in ``file``, or None when unknown.
        rule: the rule that refuses the value (:class:`dockgen.rules.Rule`, e.g. ``Rule.R06``; a
            member is the ``str`` of its ID, so a plain ``"R06"`` reads the same), or None.
        hint: a suggestion such as "did you mean `packages`?", or None.
    """

    file: str
    field: str
    message: str
    line: int | None = None
    column: int | None = None
    rule: Rule | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.rule and f"({self.rule})" not in self.message:
            text += f" ({self.rule})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class SpecError(DockgenError):
    """A spec (or a file it names) is invalid; carries one or more :class:`Problem`.

    Raised by the loader and the planner; the CLI prints one line per problem and exits 2.
    ``problems`` are kept in the order of the spec file: by (line, column), problems without
    a line last, ties in the order given.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.column is None, p.column or 0))
        super().__init__("\n".join(f"error: {p}" for p in self.problems))


def closest(word: object, choices: "Iterable[str]") -> str | None:
    """The choice closest to ``word`` (difflib's ratio of at least 0.6; not text is compared
    as its ``str``), or None when none is close."""
    import difflib

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: object, choices: "Iterable[str]") -> str | None:
    """The one "did you mean" suggestion of dockgen's messages (unknown keys, misspelt values).

    Args:
        word: what the user wrote (a key or a value).
        choices: the words that would have been accepted there.
    Returns:
        ``did you mean `X`?`` for the :func:`closest` choice, or None when none is close.
    """
    choice = closest(word, choices)
    return f"did you mean `{choice}`?" if choice else None


class UsageError(DockgenError):
    """A command was used wrongly (bad option, file that would be overwritten, ...); exit 2."""


class CheckFailed(DockgenError):
    """``render --check`` found files that differ from what would be rendered; exit 1."""

    exit_code = 1
