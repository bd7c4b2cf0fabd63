"""YAML file → :class:`~dockgen.spec.Spec`, keeping line and column for every error.

The loader is the only station that reads the user's files: the spec itself, the
config templates it names (R17) and the lock file beside it (issue 14; its format is
:mod:`dockgen.lockfile`'s). Every problem becomes a :class:`~dockgen.errors.Problem`
with the file, the YAML line and column, the field, what was expected and, for unknown
keys and misspelt values, a "did you mean" suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import get_origin

import yaml
from pydantic import ValidationError

from .errors import Problem, SpecError, closest, did_you_mean
from .fields import Expected, expected_at
from .lockfile import Lock, lock_path, read_lock
from .spec import Refusal, Spec
from .rules import Rule


@dataclass
class _Marks:
    """Line/column (0-based, from PyYAML marks) of each key and value, by field path."""

    keys: dict[tuple, yaml.Mark] = field(default_factory=dict)
    values: dict[tuple, yaml.Mark] = field(default_factory=dict)
    duplicates: list[tuple[tuple, yaml.Mark]] = field(default_factory=list)

    def walk(self, node: yaml.Node, path: tuple = ()) -> None:
        self.values[path] = node.start_mark
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.duplicates.append((path + (key,), key_node.start_mark))
                seen.add(key)
                self.keys[path + (key,)] = key_node.start_mark
                self.walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, path + (index,))

    def find(self, path: tuple, key: bool = False) -> tuple[int | None, int | None]:
        """1-based (line, column) of the deepest known prefix of ``path``. A whole-number key
        (``host_ip: {8000: ...}``) is found by its text, as the YAML node holds it."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            for prefix in (path[:end], (*path[:end - 1], str(path[end - 1])) if end else ()):
                mark = table.get(prefix) or self.values.get(prefix)
                if mark is not None:
                    return mark.line + 1, mark.column + 1
        return None, None


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec and what was read next to it.

    Attributes:
        spec: the validated model.
        path: the spec file as given (used in messages).
        context: the build context directory (the spec's directory).
        templates: config template text by ``config[].source`` (R17), decoded from UTF-8
            with every byte kept (CRLF stays CRLF).
        lock: the lock file beside the spec (``dockgen.lock.yaml``, issue 14), or None.
    """

    spec: Spec
    path: Path
    context: Path
    templates: dict[str, str] = field(default_factory=dict)
    lock: Lock | None = None
    marks: _Marks = field(default_factory=_Marks, repr=False, compare=False)

    def problem(self, path: tuple, message: str, rule: str | None = None) -> Problem:
        """A :class:`Problem` about the spec field at ``path``, located in the spec file."""
        line, column = self.marks.find(path, key=True)
        return Problem(str(self.path), _field_name(path), message, line, column, rule=rule)


_TYPE_NAMES = {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number", bool: "a boolean", type(None): "nothing (null)"}
_EXPECTED = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
_RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")
_LENGTH_ERRORS = ("too_short", "too_long", "string_too_short", "string_too_long")


def _field_name(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _known_keys(word: object, keys: list[str]) -> str | None:
    """The suggestion for an unknown key: the closest of ``keys``, or all of them when none is close."""
    return did_you_mean(word, keys) or (f"known keys: {', '.join(keys)}" if keys else None)


def _range(expected: Expected) -> str:
    """The values ``expected``'s bounds allow, e.g. "a whole number from 1 to 65535 (default 3)"."""
    bounds, whole = expected.bounds, expected.annotation is int
    low = bounds.get("ge", bounds["gt"] + 1 if whole and "gt" in bounds else None)
    high = bounds.get("le", bounds["lt"] - 1 if whole and "lt" in bounds else None)
    parts = [f"from {low} to {high}"] if low is not None and high is not None else [
        f"of at least {low}" if low is not None else f"greater than {bounds['gt']}" if "gt" in bounds else "",
        f"at most {high}" if high is not None else f"less than {bounds['lt']}" if "lt" in bounds else ""]
    text = f"{'a whole number' if whole else 'a number'} {' and '.join(p for p in parts if p)}".rstrip()
    return text + (f" (default {expected.default})" if isinstance(expected.default, (int, float, str)) else "")


def _length(kind: str, value: object, ctx: dict) -> str:
    """A too-short or too-long list, mapping or text: what it has and what was expected."""
    noun = "character" if kind.startswith("string") else "item"
    count = ctx.get("actual_length", len(value) if isinstance(value, (str, list, dict)) else None)
    bound = ("at least", ctx["min_length"]) if "min_length" in ctx else ("at most", ctx.get("max_length"))
    has = "is empty" if count == 0 else f"has {count} {noun}{'s' * (count != 1)}" if count is not None else "has the wrong length"
    return f"{has}; expected {bound[0]} {bound[1]} {noun}{'s' * (bound[1] != 1)}"


def _is_command(path: tuple) -> bool:
    """The value at ``path`` is (in) a command in exec form (R12)."""
    return bool(path) and (path[0] in ("entrypoint", "cmd") or "command" in path)


_FORM_NAMES = {str: "text", bool: "true or false", int: "a whole number", float: "a number", list: "a list", dict: "a mapping"}


def _type_message(kind: str, value: object, path: tuple, expected: Expected) -> tuple[str, str | None]:
    """A value of the wrong type (a list for a number, text for a list, 1.5 for a port); for a
    union (``syntax``: text or false), every form it may take."""
    forms = [_FORM_NAMES.get(get_origin(form) or form) for form in expected.forms]
    what = _range(expected) if expected.bounds and kind.startswith("int") else _EXPECTED[kind]
    if len(forms) > 1 and all(forms):
        what = " or ".join(forms)
    if kind == "int_from_float":
        return f"{value!r} is not a whole number; expected {what}", None
    message, hint = f"expected {what}, got {_TYPE_NAMES.get(type(value), type(value).__name__)}", None
    if kind == "list_type" and isinstance(value, str):
        hint = f"write it as a YAML list, e.g. [{value.split()[0] if value.split() else 'x'}, ...]"
        if path and path[0] in ("entrypoint", "cmd", "healthcheck", "processes"):
            hint += "; commands are always in exec form (R12)"
    if path[:1] == ("ports",) and isinstance(value, str) and ":" in value:
        hint = ("list the port the app listens on in the container (e.g. 80); compose.yaml and "
                "--print-run publish it on the same host port, which you can change at run time, "
                "on 127.0.0.1 unless `host_ip` says otherwise (host_ip: {80: 0.0.0.0})")
    return message, hint


def _message(error: dict, path: tuple, expected: Expected) -> tuple[str, str | None]:
    """Dockgen's wording of one pydantic error: what was given, what was expected, and a
    suggestion (or None), from the error's ``type`` and ``ctx`` and the model at ``path``."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "missing":
        where = f" to `{_field_name(path[:-1])}`" if len(path) > 1 else ""
        return "is required", f"add `{path[-1]}:`{where}"
    if kind in _EXPECTED:
        return _type_message(kind, value, path, expected)
    if kind in _RANGE_ERRORS:
        return f"{value!r} is out of range; expected {_range(expected)}", None
    if kind in _LENGTH_ERRORS:
        hint = "give the program and its arguments, e.g. [python, app.py] (R12)" if _is_command(path) else None
        return _length(kind, value, ctx), hint
    if kind in ("literal_error", "enum"):
        choices = [c.strip(" '") for c in ctx.get("expected", "").replace(" or ", ", ").split(",")]
        default = f" (default {expected.default!r})" if isinstance(expected.default, str) else ""
        return f"{value!r} is not allowed; expected {ctx.get('expected', '')}{default}", did_you_mean(value, choices)
    if kind == "string_pattern_mismatch":
        return f"{value!r} does not match the pattern {ctx.get('pattern')}", None
    message = error["msg"].removeprefix("Value error, ")  # dockgen's own validators: already in its words
    return (message[0].lower() + message[1:] if message[:1].isupper() and not message[1:2].isupper() else message), None


def _spec_path(loc: tuple) -> tuple:
    """A pydantic error's ``loc`` as the spec's path: "[key]" marks a mapping key and
    "[path]"/"[mapping]" are the spec's union tags (copy entries), none of them a spec key."""
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith("[")))


def _problem_from_pydantic(error: dict, file: str, marks: _Marks) -> Problem:
    """One pydantic error as a located :class:`Problem` in dockgen's words (see :func:`_message`);
    an unknown key gets the closest key of its own block (:mod:`dockgen.fields`)."""
    path = _spec_path(error["loc"])
    if error["type"] == "extra_forbidden":
        parent, key = path[:-1], path[-1]
        hint = _known_keys(key, expected_at(parent).keys)
        return Problem(file, _field_name(parent), f"unknown key `{key}`", *marks.find(path, key=True), hint=hint)
    at_key = "[key]" in error["loc"]
    expected = expected_at(path, key=at_key)
    path = expected.path  # a union's member names dropped: its members' errors become one Problem
    message, hint = _message(error, path, expected)
    rule = None
    if message.endswith(")") and "(R" in message:
        rule = message[message.rindex("(R") + 1 : -1]
    return Problem(file, _field_name(path), message, *marks.find(path, key=at_key), rule=rule, hint=hint)


def _without_misspelt_required(errors: list[dict]) -> list[dict]:
    """pydantic's ``errors`` without a "field required" whose key the spec has misspelt: the
    unknown key's own problem already says "did you mean `command`?" (one mistake, one message)."""
    meant = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            path = _spec_path(error["loc"])
            key = closest(path[-1], expected_at(path[:-1]).keys)
            if key:
                meant.add((*path[:-1], key))
    return [e for e in errors if not (e["type"] == "missing" and _spec_path(e["loc"]) in meant)]


MAX_DEPTH = 32
"""How deep a spec's collections may nest; the deepest field (``processes[0].command[0]``) is 4."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(Exception):
    """A YAML feature a spec may not use, found while composing (before any construction)."""

    def __init__(self, message: str, mark: yaml.Mark):
        super().__init__(message)
        self.message, self.mark = message, mark


class _SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses, while composing the node graph (before anything is
    constructed), what a short spec never needs and what makes loading blow up:

    - anchors and aliases (``&name``/``*name``): an alias makes one node appear twice in the
      graph; a self-referencing alias (``a: &x [*x]``) makes a cycle and nested aliases
      ("billion laughs") an exponentially large value;
    - merge keys (``<<:``);
    - nesting deeper than :data:`MAX_DEPTH` (PyYAML's composer recurses per level and would
      end in a RecursionError).
    """

    _depth = 0

    def compose_node(self, parent, index):  # noqa: D102 (PyYAML's hook)
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused("anchors and aliases (&name, *name) are not supported in a spec; write the value out",
                           event.start_mark)
        if (isinstance(parent, yaml.MappingNode) and index is None and isinstance(event, yaml.ScalarEvent)
                and event.value == "<<" and event.implicit[0]):
            raise _Refused("merge keys (<<:) are not supported in a spec; write each key out", event.start_mark)
        if self._depth >= MAX_DEPTH:
            raise _Refused(f"nested more than {MAX_DEPTH} levels deep; a spec needs only a few", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _at(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """A YAML syntax error at its problem mark; when PyYAML also names where the construct
    began (an unclosed ``[``, ``{`` or quote reported at the end of the file), that place too."""
    mark = exc.problem_mark or exc.context_mark
    message = f"malformed YAML: {exc.problem or exc.context}"
    start = exc.context_mark
    if exc.problem_mark is not None and start is not None and (start.line, start.column) != (mark.line, mark.column):
        lines = text.splitlines()
        opener = lines[start.line][start.column:start.column + 1] if start.line < len(lines) else ""
        where = f"{start.line + 1}:{start.column + 1}"
        if opener and opener in "[{\"'":
            message += f" (the `{opener}` opened at {where})"
        elif exc.context:
            message += f" ({exc.context} started at {where})"
    return Problem(file, "", message, *_at(mark))


def _parse(text: str, file: str) -> tuple[Spec, _Marks]:
    try:
        loader = _SpecLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _Refused as exc:
        raise SpecError([Problem(file, "", exc.message, *_at(exc.mark))]) from None
    except yaml.MarkedYAMLError as exc:
        raise SpecError([_syntax_problem(exc, text, file)]) from None
    except yaml.reader.ReaderError as exc:
        before = text[:exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise SpecError([Problem(file, "", f"not YAML text: character U+{ord(character):04X} is not allowed in YAML "
                                           "(is this a binary file?)", line, column)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(file, "", f"malformed YAML: {exc}")]) from None
    except RecursionError:  # a safety net: MAX_DEPTH stops the composer long before this
        raise SpecError([Problem(file, "", "nested too deeply to read; a spec needs only a few levels")]) from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        # PyYAML's constructors: an impossible date (2024-02-30), `!!int foo`, an integer too long to convert
        raise SpecError([Problem(file, "", f"cannot read a value: {exc}; quote it if it is meant as text")]) from None
    if not isinstance(data, dict):
        got = _TYPE_NAMES.get(type(data), type(data).__name__)
        raise SpecError([Problem(file, "", f"a spec is a YAML mapping (name: ..., language: ...), got {got}", 1, 1)])
    marks = _Marks()
    marks.walk(node)
    surrogate = _surrogate(data)
    if surrogate is not None:
        raise SpecError([Problem(file, _field_name(surrogate), "holds a lone surrogate (an invalid \\uD800-\\uDFFF "
                                 "escape); write the character itself", *marks.find(surrogate))])
    _keep_text_of_numbers(node, data)
    if marks.duplicates:
        raise SpecError([
            Problem(file, _field_name(path[:-1]), f"duplicate key `{path[-1]}`; each key may appear once", mark.line + 1, mark.column + 1)
            for path, mark in marks.duplicates
        ])
    try:
        return Spec.model_validate(data), marks
    except ValidationError as exc:
        # dict.fromkeys: a value that fits no member of a union is one problem, not one per member
        errors = _without_misspelt_required(exc.errors())
        raise SpecError(list(dict.fromkeys(_problem_from_pydantic(e, file, marks) for e in errors))) from None
    except Refusal as exc:
        line, column = marks.find(exc.field, key=True)
        raise SpecError([Problem(file, _field_name(exc.field), exc.message, line, column, rule=exc.rule)]) from None


def _surrogate(value: object, path: tuple = ()) -> tuple | None:
    """The path of the first string holding a lone surrogate (it cannot be written as UTF-8), or None."""
    if isinstance(value, str):
        return path if any("\ud800" <= c <= "\udfff" for c in value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        for part, sub in ((path + (key,), item), (path + (key,), key)):
            found = _surrogate(sub, part)
            if found is not None:
                return found
    return None


_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def _keep_text_of_numbers(root: yaml.Node, data: dict) -> None:
    """``env`` and ``labels`` values are text: an unquoted ``0022`` or ``1:30`` keeps the
    characters written, not YAML 1.1's number (18, 90)."""
    for key_node, value_node in root.value:
        if key_node.value in ("env", "labels") and isinstance(value_node, yaml.MappingNode) and isinstance(data.get(key_node.value), dict):
            for name_node, item in value_node.value:
                if isinstance(item, yaml.ScalarNode) and item.tag in _NUMBER_TAGS and item.style is None:
                    data[key_node.value][name_node.value] = item.value


MAX_SPEC_BYTES = 1 << 20  # a spec is a page of YAML; PyYAML needs seconds and GBs for megabytes of nesting


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def load_text(text: str, file: str = "<spec>", context: str | Path = ".", provided: dict[str, str] | None = None) -> LoadedSpec:
    """Validate spec YAML text and read the config templates it names.

    Args:
        text: the YAML document.
        file: the spec's name in messages.
        context: the build context directory; config sources are relative to it.
        provided: config templates not written yet, by source path (``dockgen init`` checks
            the spec before it writes the nginx configuration it drafted): used instead of the file.
    Returns:
        a :class:`LoadedSpec`.
    Raises:
        SpecError: malformed YAML (located at the problem and, for an unclosed bracket or
            quote, where it opened), anchors/aliases/merge keys or nesting deeper than
            :data:`MAX_DEPTH` (refused before construction), a duplicate or unknown key, a
            wrong type or value, a rule refusal, or a config template that cannot be read as UTF-8 text; every problem
            carries the file, line, column and field where known.
    """
    spec, marks = _parse(text, file)
    loaded = LoadedSpec(spec=spec, path=Path(file), context=Path(context), marks=marks)
    problems = []
    for index, config in enumerate(spec.config):
        if provided and config.source in provided:
            loaded.templates[config.source] = provided[config.source]
            continue
        source = loaded.context / config.source
        try:
            # bytes, then decoded: read_text() would turn CRLF into LF (R17: byte for byte)
            loaded.templates[config.source] = source.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(loaded.problem(("config", index, "source"), f"cannot read the config template {source}: {_reason(exc)}", Rule.R17))
    if problems:
        raise SpecError(problems)
    return loaded


def load_spec(path: str | Path, with_lock: bool = True) -> LoadedSpec:
    """Read and validate a spec file; its directory is the build context.

    Args:
        path: the spec YAML file.
        with_lock: also read the lock file beside it (``dockgen lock``, which rewrites it, does not).
    Returns:
        a :class:`LoadedSpec` (see :func:`load_text`), with the lock file beside it when
        there is one (:func:`dockgen.lockfile.lock_path`, issue 14).
    Raises:
        SpecError: the file cannot be read, is a directory or is not UTF-8 text, the lock
            file beside it is malformed, or see :func:`load_text`.
    """
    path = Path(path)
    if path.is_dir():
        raise SpecError([Problem(str(path), "", "cannot read the spec: it is a directory; "
                                                f"give the spec file, e.g. {path / 'dockgen.yaml'}")])
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError([Problem(str(path), "", f"cannot read the spec: {_reason(exc)}")]) from None
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError([Problem(str(path), "", f"the spec is larger than {MAX_SPEC_BYTES >> 20} MiB, the most dockgen reads; "
                                 "a spec is a short YAML file: put long content (scripts, certificates, config "
                                 "text) in files of the build context and name them (config[].source, copy)")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError([Problem(str(path), "", f"cannot read the spec: it is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                                "a spec is a YAML text file", line, column)]) from None
    loaded = load_text(text, str(path), path.parent)
    lock = read_lock(lock_path(path)) if with_lock else None
    return replace(loaded, lock=lock) if lock is not None else loaded
