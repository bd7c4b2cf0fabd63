"""YAML file → :class:`~dockgen.spec.Spec`, keeping line and column for every error.

The loader is the only station that reads the user's files: the spec itself and the
config templates it names (R17). Every problem becomes a :class:`~dockgen.errors.Problem`
with the file, the YAML line and column, the field, what was expected and, for unknown
keys and misspelt values, a "did you mean" suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .errors import Problem, SpecError
from .spec import ConfigFile, Healthcheck, Process, Refusal, Spec, User


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
        """1-based (line, column) of the deepest known prefix of ``path``."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            mark = table.get(path[:end]) or self.values.get(path[:end])
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
        templates: config template text by ``config[].source`` (R17), read as UTF-8.
    """

    spec: Spec
    path: Path
    context: Path
    templates: dict[str, str] = field(default_factory=dict)
    marks: _Marks = field(default_factory=_Marks, repr=False, compare=False)

    def problem(self, path: tuple, message: str, rule: str | None = None) -> Problem:
        """A :class:`Problem` about the spec field at ``path``, located in the spec file."""
        line, column = self.marks.find(path, key=True)
        return Problem(str(self.path), _field_name(path), message, line, column, rule=rule)


def _models_at(path: tuple) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``path`` (for key suggestions)."""
    shape = tuple("*" if isinstance(p, int) or (i == 1 and path[0] == "processes") else p for i, p in enumerate(path))
    return {
        (): Spec,
        ("user",): User,
        ("healthcheck",): Healthcheck,
        ("config", "*"): ConfigFile,
        ("processes", "*"): Process,
    }.get(shape)


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _suggest(word: str, choices: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


_TYPE_NAMES = {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number", bool: "a boolean", type(None): "nothing (null)"}
_EXPECTED = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _field_name(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem_from_pydantic(error: dict, file: str, marks: _Marks) -> Problem:
    path = tuple(p for p in error["loc"] if p != "[key]")
    kind, value = error["type"], error.get("input")
    hint = None
    if kind == "extra_forbidden":
        parent, key = path[:-1], path[-1]
        model = _models_at(parent)
        choices = _keys_of(model) if model else []
        hint = _suggest(key, choices) or (f"known keys: {', '.join(choices)}" if choices else None)
        line, column = marks.find(path, key=True)
        return Problem(file, _field_name(parent), f"unknown key `{key}`", line, column, hint=hint)
    line, column = marks.find(path, key="[key]" in error["loc"])
    if kind == "missing":
        message = "is required"
    elif kind in _EXPECTED:
        got = _TYPE_NAMES.get(type(value), type(value).__name__)
        message = f"expected {_EXPECTED[kind]}, got {got}"
        if kind == "list_type" and isinstance(value, str):
            hint = f"write it as a YAML list, e.g. [{value.split()[0] if value.split() else 'x'}, ...]"
            if path and path[0] in ("entrypoint", "cmd", "healthcheck", "processes"):
                hint += "; commands are always in exec form (R12)"
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        message = f"{value!r} is not allowed; expected {expected}"
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        hint = _suggest(value, choices)
    else:
        message = error["msg"]
        message = message.removeprefix("Value error, ")
        message = message[0].lower() + message[1:] if message[:1].isupper() and not message[1:2].isupper() else message
    rule = None
    if message.endswith(")") and "(R" in message:
        rule = message[message.rindex("(R") + 1 : -1]
    return Problem(file, _field_name(path), message, line, column, rule=rule, hint=hint)


def _parse(text: str, file: str) -> tuple[Spec, _Marks]:
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise SpecError([Problem(file, "", f"malformed YAML: {problem}", mark.line + 1 if mark else None, mark.column + 1 if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(file, "", f"malformed YAML: {exc}")]) from None
    if not isinstance(data, dict):
        got = _TYPE_NAMES.get(type(data), type(data).__name__)
        raise SpecError([Problem(file, "", f"a spec is a YAML mapping (name: ..., language: ...), got {got}", 1, 1)])
    marks = _Marks()
    marks.walk(node)
    if marks.duplicates:
        raise SpecError([
            Problem(file, _field_name(path[:-1]), f"duplicate key `{path[-1]}`; each key may appear once", mark.line + 1, mark.column + 1)
            for path, mark in marks.duplicates
        ])
    try:
        return Spec.model_validate(data), marks
    except ValidationError as exc:
        raise SpecError([_problem_from_pydantic(e, file, marks) for e in exc.errors()]) from None
    except Refusal as exc:
        line, column = marks.find(exc.field, key=True)
        raise SpecError([Problem(file, _field_name(exc.field), exc.message, line, column, rule=exc.rule)]) from None


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def load_text(text: str, file: str = "<spec>", context: str | Path = ".") -> LoadedSpec:
    """Validate spec YAML text and read the config templates it names.

    Args:
        text: the YAML document.
        file: the spec's name in messages.
        context: the build context directory; config sources are relative to it.
    Returns:
        a :class:`LoadedSpec`.
    Raises:
        SpecError: malformed YAML, a duplicate or unknown key, a wrong type or value, a rule
            refusal, or a config template that cannot be read as UTF-8 text; every problem
            carries the file, line, column and field where known.
    """
    spec, marks = _parse(text, file)
    loaded = LoadedSpec(spec=spec, path=Path(file), context=Path(context), marks=marks)
    problems = []
    for index, config in enumerate(spec.config):
        source = loaded.context / config.source
        try:
            loaded.templates[config.source] = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(loaded.problem(("config", index, "source"), f"cannot read the config template {source}: {_reason(exc)}", "R17"))
    if problems:
        raise SpecError(problems)
    return loaded


def load_spec(path: str | Path) -> LoadedSpec:
    """Read and validate a spec file; its directory is the build context.

    Args:
        path: the spec YAML file.
    Returns:
        a :class:`LoadedSpec` (see :func:`load_text`).
    Raises:
        SpecError: the file cannot be read, or see :func:`load_text`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(str(path), "", f"cannot read the spec: {_reason(exc)}")]) from None
    return load_text(text, str(path), path.parent)
