"""``jlink: true`` built for real (issue 12): specs/java-maven-greeter with a jlink runtime,
built on the stand-ins (the maven builder is Debian's OpenJDK 17, whose jdk-headless package
carries jdeps, jlink and the jmods; the final base is the debian:12-slim root), answers over
HTTP with the compose hardening, holds no JDK, and stops on SIGTERM with the JVM's 143.

Run alone with ``pytest -m container tests/containers/test_java_jlink.py``.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from container_harness import (  # noqa: E402
    EXAMPLES, TAG_PREFIX, Built, image_config, image_files, load_spec, make_plan, prepare_context, remove, start, wait_http,
)

pytestmark = pytest.mark.container

GREETER = next(s for s in EXAMPLES if s.parent.name == "java-maven-greeter")


def test_r04_jlink_greeter_runs_on_its_linked_runtime_without_the_jdk(engine, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(GREETER.parent, source)  # the example itself, with jlink: true added
    spec = yaml.safe_load((source / "dockgen.yaml").read_text())
    (source / "dockgen.yaml").write_text(yaml.safe_dump({**spec, "jlink": True}))
    spec_copy, service, values, marker = prepare_context(source, tmp_path / "context")
    tag = f"{TAG_PREFIX}java-maven-greeter-jlink:dev"
    result, seconds = engine.build(tmp_path / "context", tag)
    print(f"\nbuilt java-maven-greeter with jlink in {seconds:.1f} s", file=sys.stderr)
    assert "jlink modules: " in result.stdout and "java.base" in result.stdout
    item = Built("java-maven-greeter-jlink", spec_copy, tmp_path / "context", tag, result.stdout, seconds, service,
                 values, marker, make_plan(load_spec(spec_copy)))
    files, holding = image_files(engine, tag, marker)
    assert not holding
    assert "opt/jre/bin/java" in files and "opt/jre/lib/modules" in files and "app/app.jar" in files
    jdk = [p for p in files if p.startswith(("usr/lib/jvm", "opt/java", "usr/share/maven"))
           or p.rsplit("/", 1)[-1] in ("javac", "jlink", "jdeps", "jar", "mvn")]
    assert not jdk, jdk[:10]
    print(f"image size {image_config(engine, tag)['Size'] / 2**20:.1f} MiB", file=sys.stderr)
    modules = engine.run("run", "--rm", "--entrypoint", "/opt/jre/bin/java", tag, "--list-modules").stdout.split()
    names = {m.split("@")[0] for m in modules}
    assert {"java.base", "jdk.httpserver"} <= names and "java.desktop" not in names, names  # only what jdeps found
    container = start(engine, item)
    try:
        status, body = wait_http(engine, container, container.ports[8080])
        assert status == 200 and '"greeting": "hello from java"' in body, body
        started = time.monotonic()
        engine.run("stop", "-t", "10", container.id)
        assert time.monotonic() - started < 9, "SIGTERM did not stop the JVM (docker stop waited for SIGKILL)"
        code = engine.run("inspect", "--format", "{{.State.ExitCode}}", container.id).stdout.strip()
        assert code == "143", code  # the JVM ran its shutdown hooks on SIGTERM: 128 + 15
    finally:
        remove(engine, container)
