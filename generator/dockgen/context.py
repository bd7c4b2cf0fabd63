"""What the build context must hold for the build to work (issue 10, item 7).

Checked before anything is written, against the spec's directory (the build context):

- a ``copy`` or ``dependencies`` entry that is a symlink leading out of the context (or
  to nothing) is an error: the engine sends only the context, and the build fails later
  with ``lstat ... no such file or directory``;
- a dependency manifest that is missing while a near-identical name is there
  (``requirments.txt`` beside ``requirements.txt``, found with difflib) is an error with
  the suggestion;
- a manifest missing with no near match is a warning only: a spec may be rendered before
  its application exists.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from .errors import SpecError
from .loader import LoadedSpec


def check_context(loaded: LoadedSpec, manifests: tuple[str, ...]) -> list[str]:
    """Check the build context ``loaded.context`` for the spec's copy entries and the
    dependency ``manifests`` the build COPYs (R07).

    Returns:
        warnings (one line each) for manifests missing without a near match.
    Raises:
        SpecError: an entry leaves the context through a symlink, or a manifest is missing
            while a near-identical name exists; located at the spec field.
    """
    spec, context = loaded.spec, loaded.context
    problems = []
    entries = [(("copy", i), source) for i, (source, _) in enumerate(spec.copies)]
    entries += [(_manifest_field(loaded, name), name) for name in manifests]
    for field, source in entries:
        message = _leaves_context(context, source)
        if message:
            problems.append(loaded.problem(field, message))
    missing = []
    for name in manifests:
        if os.path.lexists(context / name):
            continue
        near = _near(context, name)
        if near:
            problems.append(loaded.problem(_manifest_field(loaded, name), f"{name} is not in the build context "
                                           f"{context}, but {near} is: did you mean `{near}`? (R07)"))
        else:
            missing.append(name)
    if problems:
        raise SpecError(problems)
    if not missing:
        return []
    return [f"{loaded.path}: dependencies: {', '.join(missing)} not found in the build context {context}; "
            "the image build will need them"]


def _manifest_field(loaded: LoadedSpec, name: str) -> tuple:
    listed = loaded.spec.dependencies or []
    return ("dependencies", listed.index(name)) if name in listed else ("dependencies",)


def _leaves_context(context: Path, source: str) -> str | None:
    """Why ``source`` (relative to ``context``) cannot be sent to the engine, or None."""
    path = context / source
    if not os.path.lexists(path):
        return None
    root = context.resolve()
    target = path.resolve()
    if target != root and root not in target.parents:
        return (f"{source} leads out of the build context {context} (a symlink to {target}): the engine sends only "
                "the context, so the build would fail (lstat ... no such file or directory); copy the files into "
                "the context instead of linking them")
    if not target.exists():
        return (f"{source} is a symlink to {target}, which does not exist: the build would fail (lstat ... no such "
                "file or directory); fix or remove the link")
    return None


def _near(context: Path, name: str) -> str | None:
    """A file beside where ``name`` should be whose name is nearly ``name`` (a typo), or None."""
    directory = (context / name).parent
    try:
        present = sorted(entry.name for entry in directory.iterdir())
    except OSError:
        return None
    wanted = Path(name).name
    # a typo: nearly the same letters and length (requirments.txt, not requirements-dev.txt)
    close = [n for n in difflib.get_close_matches(wanted, present, n=3, cutoff=0.85) if abs(len(n) - len(wanted)) <= 2]
    return (Path(name).parent / close[0]).as_posix().removeprefix("./") if close else None
