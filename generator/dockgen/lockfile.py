"""The lock file beside a spec (issue 14): the digest of every image its Dockerfile uses.

``dockgen lock dockgen.yaml`` writes ``dockgen.lock.yaml`` (for ``app.yaml``,
``app.lock.yaml``) from the template ``dockgen.lock.yaml.j2``: one line per image,
``- image:tag@sha256:...``, sorted, the form Renovate's regex manager reads and updates
(README, "Base images by digest"). ``dockgen render`` reads it (through the loader, no
network) and writes every FROM as ``image:tag@sha256:...`` (R06: the tag stays for the
reader, the digest is what the engine pulls).

This module knows the format and compares locks; asking registries is
:mod:`dockgen.registry`'s job and finding the images of a plan :mod:`dockgen.plan.pins`'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import CheckFailed, Problem, SpecError
from .images import parse_reference


def lock_path(spec: Path) -> Path:
    """Where the lock of ``spec`` lives: ``dockgen.yaml`` -> ``dockgen.lock.yaml`` beside it."""
    return spec.with_name(f"{spec.stem}.lock{spec.suffix or '.yaml'}")


@dataclass(frozen=True)
class Lock:
    """A lock file's content.

    Attributes:
        path: the file it was read from (for messages).
        digests: ``sha256:...`` digest by image reference as the Dockerfile names it
            (``golang:1.23``, no digest), in file order.
    """

    path: Path
    digests: dict[str, str] = field(default_factory=dict)

    def entries(self) -> list[str]:
        """The lines of the file: ``image:tag@sha256:...``, sorted."""
        return sorted(parse_reference(image).pinned(digest) for image, digest in self.digests.items())


def _problem(path: Path, message: str, node: yaml.Node | None, field_name: str = "images") -> Problem:
    mark = node.start_mark if node is not None else None
    return Problem(str(path), field_name, message, mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                   hint="run `dockgen lock` to write it again")


def read_lock(path: Path) -> Lock | None:
    """Read the lock file at ``path``; None when there is none.

    Raises:
        SpecError: the file cannot be read or is not a lock (a mapping whose ``images`` is a
            list of ``image:tag@sha256:<64 hex>`` strings, each image once); the problem
            names the file, line and column.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(str(path), "", f"cannot read the lock file: {exc}")]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError([_problem(path, f"malformed YAML: {getattr(exc, 'problem', exc)}", None, "")
                         if mark is None else Problem(str(path), "", f"malformed YAML: {exc.problem}",
                                                      mark.line + 1, mark.column + 1)]) from None
    items = dict((k.value, v) for k, v in root.value) if isinstance(root, yaml.MappingNode) else {}
    images = items.get("images")
    if not isinstance(images, yaml.SequenceNode) or set(items) != {"images"}:
        raise SpecError([_problem(path, "expected a mapping with one key, `images`: a list of image:tag@sha256:... "
                                        "lines", images or root, "")])
    return Lock(path, _digests(path, images))


def _digests(path: Path, images: yaml.SequenceNode) -> dict[str, str]:
    """The ``images`` list as {reference: digest}; refuses a malformed or repeated entry."""
    digests: dict[str, str] = {}
    for index, node in enumerate(images.value):
        where = f"images[{index}]"
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        try:
            reference = parse_reference(value) if isinstance(value, str) else None
        except ValueError as exc:
            raise SpecError([_problem(path, str(exc), node, where)]) from None
        if reference is None or reference.digest is None:
            raise SpecError([_problem(path, f"expected image:tag@sha256:<64 hex digits>, got {value!r}", node, where)])
        if reference.text in digests:
            raise SpecError([_problem(path, f"{reference.text} is listed twice; each image once", node, where)])
        digests[reference.text] = reference.digest
    return digests


@dataclass(frozen=True)
class Staleness:
    """What makes a lock stale for a Dockerfile (``dockgen lock --check``, exit 1 when any).

    Attributes:
        missing: images the Dockerfile uses that the lock has no digest for.
        unused: images the lock lists that the Dockerfile no longer uses.
        moved: (image, locked digest, the registry's digest) for tags that now point elsewhere.
    """

    missing: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()
    moved: tuple[tuple[str, str, str], ...] = ()

    def lines(self) -> list[str]:
        """One line per problem, in the order missing, moved, unused."""
        return ([f"{image}: not in the lock" for image in self.missing]
                + [f"{image}: locked {old}, the registry has {new}" for image, old, new in self.moved]
                + [f"{image}: locked but no longer used" for image in self.unused])

    def __bool__(self) -> bool:
        return bool(self.missing or self.unused or self.moved)


def staleness(lock: Lock | None, current: dict[str, str]) -> Staleness:
    """Compare ``lock`` (None: no lock file) with ``current``, the digest the registries give
    now for every image the Dockerfile uses. Returns what is stale (falsy when nothing)."""
    locked = lock.digests if lock is not None else {}
    return Staleness(
        missing=tuple(sorted(image for image in current if image not in locked)),
        unused=tuple(sorted(image for image in locked if image not in current)),
        moved=tuple(sorted((image, locked[image], digest) for image, digest in current.items()
                           if image in locked and locked[image] != digest)),
    )


def check_lock(lock: Lock | None, current: dict[str, str], path: Path, spec: Path) -> None:
    """``dockgen lock --check``: return when ``lock`` holds exactly ``current`` (image -> digest now).

    Raises:
        CheckFailed: (exit 1) there is no lock at ``path``, or it is stale; the message lists
            each image missing, moved or unused, and the command that refreshes it.
    """
    if lock is None:
        raise CheckFailed(f"{path}: missing; run `dockgen lock {spec}`")
    stale = staleness(lock, current)
    if stale:
        raise CheckFailed(f"{path}: stale; run `dockgen lock {spec}`:\n" + "\n".join(f"  {line}" for line in stale.lines()))
