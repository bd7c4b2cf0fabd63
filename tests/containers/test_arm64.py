"""linux/arm64 as well as amd64 (issue 14): the Go example and an interpreted one, built
for arm64 with podman, their native binary checked to be an AArch64 ELF, and run hardened
under emulation (Debian's qemu-user-static through binfmt_misc).

The arm64 stand-ins live in their own podman storage (one storage holds one image per
name): ``debian:12-slim`` is ``mmdebstrap --arch=arm64`` (its maintainer scripts run under
qemu), ``ruby:3.3-slim`` is the same recipe as on amd64, built ``--platform linux/arm64``.
The Go builder runs on the build platform (``FROM --platform=$BUILDPLATFORM``), so that
storage gets the amd64 ``golang`` stand-in (``podman save | podman load``) and no arm64 Go:
an AArch64 binary from it proves the cross-compilation (GOOS/GOARCH from TARGETOS/TARGETARCH).

Cost on 2 cores: the arm64 root about 3-4 minutes, the Ruby stand-in about 1-2 (both kept
between runs, like the amd64 ones); the two example builds under a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from container_harness import (
    EXAMPLES, LABEL, TAG_PREFIX, Built, from_images, load_spec, make_plan, prepare_context, remove, start, wait_http,
)
from dockgen import languages
from dockgen.languages.base import binary_path
from standins import Engine, EngineError, full_name
from test_examples import JOB

pytestmark = pytest.mark.container

ARM64_DIR = Path(os.environ.get("DOCKGEN_PODMAN_ARM64_DIR", "/var/tmp/dockgen-podman-arm64"))
SPECS = [spec for spec in EXAMPLES if spec.parent.name in ("go-pinger", "ruby-quotes")]
BINFMT = Path("/proc/sys/fs/binfmt_misc")
EM_AARCH64 = 183  # elf.h: e_machine of an AArch64 binary
# The native program each interpreted image runs (a BINARY language's is binary_path's).
INTERPRETER = {"ruby-quotes": "usr/bin/ruby"}
ids = lambda spec: spec.parent.name  # noqa: E731


def ensure_binfmt() -> None:
    """Mount binfmt_misc and enable qemu-user-static's aarch64 handler (update-binfmts).

    The handler has the F flag (qemu is opened when registered), so it works inside
    containers whose root file system has no qemu. Raises EngineError when it cannot.
    """
    if not (BINFMT / "status").exists():
        subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT)], capture_output=True, check=False)
    subprocess.run(["update-binfmts", "--enable", "qemu-aarch64"], capture_output=True, check=False)
    handler = BINFMT / "qemu-aarch64"
    if not handler.exists() or not handler.read_text().startswith("enabled"):
        raise EngineError("no qemu-aarch64 binfmt handler: install qemu-user-static and binfmt-support "
                          "(scripts/system-deps.sh) and allow binfmt_misc to be mounted")
    assert "F" in next(line for line in handler.read_text().splitlines() if line.startswith("flags:"))


def cross_images(spec: Path) -> set[str]:
    """The FROM images of stages that run on the build platform (a cross-compiling builder)."""
    plan = make_plan(load_spec(spec))
    return {step.image for stage in plan.stages for step in stage.steps if getattr(step, "platform", None)}


@pytest.fixture(scope="module")
def arm64(engine: Engine) -> Engine:
    """podman storage of arm64 stand-ins, plus the amd64 images the cross builders run on."""
    ensure_binfmt()
    arm = Engine(ARM64_DIR, arch="arm64")
    began = time.monotonic()
    cross = set().union(*(cross_images(spec) for spec in SPECS))
    native = {image for spec in SPECS for image in from_images(spec)} - cross
    arm.ensure(native, log=lambda message: print(message, file=sys.stderr))
    for image in sorted(cross):  # the build machine's image, from the amd64 storage
        name = full_name(image)
        source = engine.run("image", "inspect", "--format", "{{.Id}}", name).stdout.strip()
        if arm.run("image", "inspect", "--format", "{{.Id}}", name, check=False).stdout.strip() != source:
            save = subprocess.Popen([engine.podman, "save", "--format", "docker-archive", name], env=engine.env,
                                    stdout=subprocess.PIPE)
            loaded = subprocess.run([arm.podman, "load"], env=arm.env, stdin=save.stdout, capture_output=True,
                                    text=True, timeout=900)
            save.stdout.close()
            assert save.wait() == 0 and loaded.returncode == 0, loaded.stderr
    print(f"\narm64 stand-ins ready in {time.monotonic() - began:.1f} s", file=sys.stderr)
    yield arm
    for container in arm.run("ps", "-aq", "--filter", f"label={LABEL}", check=False).stdout.split():
        arm.run("rm", "-f", "-t", "0", container, check=False)
    arm.run("image", "prune", "-f", check=False)


@pytest.fixture(scope="module")
def built_arm64(arm64: Engine, tmp_path_factory: pytest.TempPathFactory):
    """``built_arm64(spec)`` → :class:`Built` of the linux/arm64 image; built once per module."""
    cache: dict[Path, Built] = {}

    def get(spec: Path) -> Built:
        if spec not in cache:
            name = spec.parent.name
            context = tmp_path_factory.mktemp("arm64") / name
            spec_copy, service, values, marker = prepare_context(spec.parent, context)
            tag = f"{TAG_PREFIX}{name}:arm64"
            result, seconds = arm64.build(context, tag)
            print(f"\nbuilt {name} for linux/arm64 in {seconds:.1f} s", file=sys.stderr)
            cache[spec] = Built(name, spec_copy, context, tag, result.stdout, seconds, service, values, marker,
                                make_plan(load_spec(spec_copy)))
        return cache[spec]

    return get


def _file(engine: Engine, image: str, path: str) -> bytes:
    """The bytes of ``path`` in ``image`` (symbolic links followed), through ``podman export``."""
    container = engine.run("create", f"--label={LABEL}", image, "/none").stdout.strip().splitlines()[-1]
    try:
        process = subprocess.Popen([engine.podman, "export", container], env=engine.env, stdout=subprocess.PIPE)
        links: dict[str, str] = {}
        data: dict[str, bytes] = {}
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            for member in archive:
                name = member.name.removeprefix("./")
                if member.issym():
                    links[name] = member.linkname
                elif member.isfile():  # all of them: the link's target is known only at the end
                    data[name] = archive.extractfile(member).read()
        process.wait()
    finally:
        engine.run("rm", "-f", container, check=False)
    for _ in range(10):
        if path not in links:
            break
        target = links[path]
        path = target.lstrip("/") if target.startswith("/") else os.path.normpath(os.path.join(os.path.dirname(path), target))
    assert path in data, f"{path} is not a file in {image}"
    return data[path]


def _elf_machine(data: bytes) -> int:
    assert data[:4] == b"\x7fELF", "not an ELF file"
    assert data[4] == 2 and data[5] == 1, "not a 64-bit little-endian ELF file"
    return int.from_bytes(data[18:20], "little")


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_arm64_image_and_its_native_binary_are_aarch64(spec: Path, arm64: Engine, built_arm64) -> None:
    """The image says arm64, and the program it runs is an AArch64 ELF binary."""
    item = built_arm64(spec)
    config = arm64.run("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", item.tag).stdout.strip()
    assert config == "linux/arm64"
    binary = languages.module(item.plan.spec.language).BINARY
    assert binary == (item.name not in INTERPRETER)
    native = binary_path(item.plan.spec).lstrip("/") if binary else INTERPRETER[item.name]
    assert _elf_machine(_file(arm64, item.tag, native)) == EM_AARCH64


def test_arm64_go_was_cross_compiled_on_the_build_platform(arm64: Engine, built_arm64) -> None:
    """The only Go toolchain in the arm64 storage is amd64's: the AArch64 binary came from
    it through GOOS/GOARCH, not from an emulated arm64 builder (issue 14)."""
    spec = next(s for s in SPECS if s.parent.name == "go-pinger")
    item = built_arm64(spec)
    assert "FROM --platform=$BUILDPLATFORM golang:" in item.dockerfile
    assert "ENV GOOS=${TARGETOS} GOARCH=${TARGETARCH}" in item.dockerfile
    (builder,) = cross_images(spec)
    arch = arm64.run("image", "inspect", "--format", "{{.Architecture}}", full_name(builder)).stdout.strip()
    assert arch == "amd64"


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_arm64_image_runs_hardened_under_emulation(spec: Path, arm64: Engine, built_arm64) -> None:
    """Run the compose way (read-only, ALL capabilities dropped, non-root) under qemu: it answers."""
    item = built_arm64(spec)
    container = start(arm64, item)
    try:
        status, body = wait_http(arm64, container, container.ports[min(container.ports)], deadline=120)
        assert status == 200 and JOB[item.name] in body, body
        inspect = arm64.run("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}",
                            container.id).stdout.split()
        assert inspect == ["true", f"{item.plan.spec.user.uid}:{item.plan.spec.user.gid}"]
    finally:
        remove(arm64, container)
