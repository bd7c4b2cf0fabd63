"""The images a plan's Dockerfile pulls, and their FROM lines pinned by a lock (issue 14).

An image is pulled for each ``FROM`` that names no earlier stage (``scratch`` is no image)
and for each ``COPY --from`` that names no stage. A reference that already carries a
digest (a spec's ``base: x:1@sha256:...``) is pinned as written and needs no lock entry.
"""

from __future__ import annotations

from dataclasses import replace

from ..images import parse_reference
from .steps import Copy, From, Stage, Step


def _pulled(step: Step, stages: set[str]) -> str | None:
    """The image ``step`` pulls, or None (a stage alias, scratch, or no image at all)."""
    if isinstance(step, From):
        image = step.image
    elif isinstance(step, Copy) and step.stage is not None:
        image = step.stage
    else:
        return None
    return None if image in stages or image == "scratch" else image


def images_used(stages: tuple[Stage, ...]) -> list[str]:
    """Every image the Dockerfile of ``stages`` pulls that has no digest yet, sorted, once each."""
    names = {stage.name for stage in stages if stage.name}
    found = {image for stage in stages for step in stage.steps if (image := _pulled(step, names))}
    return sorted(image for image in found if parse_reference(image).digest is None)


def pin_stages(stages: tuple[Stage, ...], digests: dict[str, str]) -> tuple[tuple[Stage, ...], list[str]]:
    """``stages`` with each pulled image written ``image:tag@digest`` from ``digests`` (a lock).

    Returns:
        (the pinned stages, the images ``digests`` has no entry for: pulled by tag alone).
    """
    names = {stage.name for stage in stages if stage.name}
    pinned = []
    for stage in stages:
        steps = []
        for step in stage.steps:
            image = _pulled(step, names)
            if image in digests:
                locked = parse_reference(image).pinned(digests[image])
                step = replace(step, image=locked) if isinstance(step, From) else replace(step, stage=locked)
            steps.append(step)
        pinned.append(replace(stage, steps=tuple(steps)))
    return tuple(pinned), [image for image in images_used(stages) if image not in digests]
