"""What the spec model expects at a field path: the block's keys, a value's bounds and default.

Read from the pydantic models of :mod:`dockgen.spec` themselves (their annotations, ``Field``
constraints and defaults), so that every block, including one added later, gets the same
error messages from the loader: the keys of *that* block for "did you mean", the whole
range of a number that is out of range. Nothing here is a second list of the spec's fields.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .spec import Spec

_BOUNDS = ("gt", "ge", "lt", "le", "min_length", "max_length")


@dataclass(frozen=True)
class Expected:
    """What validates the value at one spec path.

    Attributes:
        annotation: the type, with ``Annotated`` and ``| None`` taken off (``int``, a model
            class, ``list[...]``, a union of forms), or None when the path is not in the model.
        bounds: the constraints met on the way (``ge``, ``le``, ``gt``, ``lt``, ``min_length``,
            ``max_length``) by name, e.g. ``{"ge": 0, "le": 2147483646}`` for ``user.uid``.
        default: the field's default when the path ends at a field of a block, else None.
        path: the path as the spec has it: without pydantic's name of a union's member
            (``("syntax", "str")`` is ``("syntax",)``).
    """

    annotation: object = None
    bounds: dict = field(default_factory=dict)
    default: object = None
    path: tuple = ()

    @property
    def forms(self) -> tuple:
        """The types a value may have here: a union's members (``str``, ``bool``), or the one type."""
        union = get_origin(self.annotation) in (Union, types.UnionType)
        return tuple(_unwrap(a)[0] for a in get_args(self.annotation)) if union else (self.annotation,)

    @property
    def model(self) -> type[BaseModel] | None:
        """The block (pydantic model) a mapping at this path is validated by, or None; of a
        union of forms (``copy`` entries: a path or a mapping), the mapping form's."""
        for form in self.forms:
            if isinstance(form, type) and issubclass(form, BaseModel):
                return form
        return None

    @property
    def keys(self) -> list[str]:
        """The keys the block at this path accepts, in the model's order (as written in YAML:
        ``copy``, not ``copy_``); [] when the value is not a block."""
        model = self.model
        return [info.alias or name for name, info in model.model_fields.items()] if model else []


def _unwrap(annotation: object) -> tuple[object, list]:
    """``annotation`` without ``Annotated[...]`` and ``| None``, and the metadata taken off."""
    metadata: list = []
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *extra = get_args(annotation)
            metadata += extra
        elif get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation):
            rest = [arg for arg in get_args(annotation) if arg is not type(None)]
            annotation = rest[0] if len(rest) == 1 else Union[tuple(rest)]
        else:
            return annotation, metadata


def _bounds(metadata: list) -> dict:
    """The numeric and length constraints among pydantic/annotated-types metadata."""
    found: dict = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_bounds(item.metadata))
        for name in _BOUNDS:
            if getattr(item, name, None) is not None:
                found[name] = getattr(item, name)
    return found


def expected_at(path: tuple, key: bool = False) -> Expected:
    """What the spec model expects at ``path`` (a pydantic error location without its tags).

    Args:
        path: field names, list indexes and mapping keys, e.g. ``("processes", "web", "command", 0)``.
        key: the path ends at a mapping's key (pydantic's ``[key]`` location: ``host_ip: {0: ...}``),
            so the key's type is meant, not the value's.
    Returns:
        an :class:`Expected`; its ``annotation`` is None (and its ``path`` is ``path``) when the
        path leaves the model (an unknown key).
    """
    annotation, metadata, default, kept = _unwrap(Spec)[0], [], None, ()
    for index, part in enumerate(path):
        model, args, origin = Expected(annotation).model, get_args(annotation), get_origin(annotation)
        if model is not None:
            info = next((i for n, i in model.model_fields.items() if part in (n, i.alias)), None)
            if info is None:
                return Expected(path=path)
            annotation, metadata = _unwrap(info.annotation)
            metadata = [*info.metadata, *metadata]
            default = None if info.default is PydanticUndefined else info.default
        elif origin is list and args:
            annotation, metadata, default = *_unwrap(args[0]), None
        elif origin is dict and len(args) == 2:
            annotation, metadata, default = *_unwrap(args[0] if key and index == len(path) - 1 else args[1]), None
        elif origin in (Union, types.UnionType) and isinstance(part, str):
            continue  # pydantic names the member a value failed ("str", "bool"); the spec has no such key
        else:
            return Expected(path=path)
        kept += (part,)
    return Expected(annotation, _bounds(metadata), default, kept)
