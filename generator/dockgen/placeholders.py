"""Placeholders in config templates (R17): ``${VAR}``, ``${VAR:-default}``, ``${VAR:?message}``.

Only these three forms are placeholders; ``$name`` without braces (nginx's
``$document_root``) is plain text. Any other ``${`` is an error found at render time, not
at container start. The same grammar is implemented by the awk program in run.sh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:[-?])(?P<arg>[^}\n]*))?\}")


@dataclass(frozen=True)
class Placeholder:
    """One placeholder in a template.

    Attributes:
        name: the variable name.
        op: "" (plain), ":-" (default) or ":?" (required, with message).
        arg: the default value or the message.
        line: 1-based line; column: 1-based column of the ``$``.
    """

    name: str
    op: str
    arg: str
    line: int
    column: int


class TemplateSyntaxError(ValueError):
    """A ``${`` that is not one of the three placeholder forms; ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.line = line
        self.column = column


def scan(text: str) -> list[Placeholder]:
    """Find every placeholder in ``text``.

    Returns:
        the placeholders in order of appearance.
    Raises:
        TemplateSyntaxError: at the first ``${`` that is not a valid placeholder.
    """
    found = []
    start = 0
    while (index := text.find("${", start)) >= 0:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        match = PLACEHOLDER.match(text, index)
        if not match:
            snippet = text[index : index + 20].split("\n")[0]
            raise TemplateSyntaxError(
                f"{snippet!r} is not a placeholder; use ${{VAR}}, ${{VAR:-default}} or ${{VAR:?message}}", line, column
            )
        found.append(Placeholder(match["name"], match["op"] or "", match["arg"] or "", line, column))
        start = match.end()
    return found
