"""Fixtures of the container tier (issue 4): a private podman with stand-in base images,
each buildable example built once per session, hardened containers started once per
session. The helpers they use are in container_harness.py (see its docstring for which
examples are built and which cannot be).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from container_harness import (  # noqa: E402
    BUILDABLE, LABEL, TAG_PREFIX, Built, Running, example_id, from_images, load_spec, make_plan, prepare_context,
    remove, start, wait_http,
)
from standins import Engine  # noqa: E402


@pytest.fixture(scope="session")
def engine():
    """podman with private storage (standins.Engine), every stand-in base the buildable examples need made.

    At the end of the session, every container the tests labelled and every untagged
    image is removed (storage stays the size of one run's images)."""
    engine = Engine()
    images = {image for spec in BUILDABLE for image in from_images(spec)}
    start = time.monotonic()
    engine.ensure(images, log=lambda message: print(message, file=sys.stderr))
    print(f"\nstand-ins ready in {time.monotonic() - start:.1f} s", file=sys.stderr)
    yield engine
    leftovers = engine.run("ps", "-aq", "--filter", f"label={LABEL}", check=False).stdout.split()
    for container in leftovers:
        engine.run("rm", "-f", "-t", "0", container, check=False)
    # Untagged images the rebuilds left behind; the tagged images keep their cached layers.
    engine.run("image", "prune", "-f", check=False)


@pytest.fixture(scope="session")
def built(engine: Engine, tmp_path_factory: pytest.TempPathFactory):
    """``built(spec)`` → :class:`Built`; each example is built once per session."""
    cache: dict[Path, Built] = {}

    def get(spec: Path) -> Built:
        if spec not in cache:
            name = example_id(spec)
            context = tmp_path_factory.mktemp("build") / name
            spec_copy, service, values, marker = prepare_context(spec.parent, context)
            tag = f"{TAG_PREFIX}{name}:dev"
            result, seconds = engine.build(context, tag)
            print(f"\nbuilt {name} in {seconds:.1f} s", file=sys.stderr)
            cache[spec] = Built(name, spec_copy, context, tag, result.stdout, seconds, service, values, marker,
                                make_plan(load_spec(spec_copy)))
        return cache[spec]

    return get


@pytest.fixture(scope="session")
def running(engine: Engine, built):
    """``running(spec)`` → a hardened container of the example, answering when it serves HTTP.

    One container per example per session; all are removed at the end of the session.
    """
    cache: dict[Path, Running] = {}

    def get(spec: Path) -> Running:
        if spec not in cache:
            item = built(spec)
            if not item.service.get("ports"):
                pytest.fail(f"{item.name} serves no port; run its container with start() instead")
            container = start(engine, item)
            cache[spec] = container
            wait_http(engine, container, container.ports[min(container.ports)])
        return cache[spec]

    yield get
    for container in cache.values():
        remove(engine, container)


