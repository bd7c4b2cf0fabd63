"""linux/arm64 as well as amd64 (issue 14): the Go example and an interpreted one, built
for arm64 with podman, their native binary checked to be an AArch64 ELF, and run hardened
under emulation (Debian's qemu-user-static through binfmt_misc).

The arm64 stand-ins live in their own podman storage (one storage holds one image per
name): ``debian:12-slim`` is ``mmdebstrap --arch=arm64`` (its maintainer scripts run under
qemu), ``ruby:3.3-slim`` is the same recipe as on amd64, built ``--platform linux/arm64``.
Ruby's example is built there with podman. The Go example is built with BuildKit, by a
second private dockerd (buildkit.py) whose store holds the arm64 ``debian:12-slim`` (the
tini stage) and the *amd64* ``golang`` stand-in only: the builder runs on the build platform
(``FROM --platform=$BUILDPLATFORM``), so an AArch64 binary from it proves the cross
compilation (GOOS/GOARCH from TARGETOS/TARGETARCH). Podman 4.3's Buildah does not take
``FROM --platform=$BUILDPLATFORM`` under ``--platform linux/arm64``: it looks the builder
image up for arm64 ("image not known"); on one platform it builds the file as written.

Cost on 2 cores (kept between runs, like the amd64 stand-ins): the arm64 root 5-20
minutes (its ca-certificates scripts fork per certificate under qemu; the longer time with
five test suites sharing the cores), the Ruby stand-in about 2; the two builds 2-4.
"""

from __future__ import annotations

import os
import shutil
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
from buildkit import CLIENT, DATA_ROOT, Docker
from standins import Engine, EngineError
from test_buildkit import _run_args as bk_run_args
from test_buildkit import _wait_answer as bk_wait_answer
from test_examples import JOB

pytestmark = pytest.mark.container

ARM64_DIR = Path(os.environ.get("DOCKGEN_PODMAN_ARM64_DIR", "/var/tmp/dockgen-podman-arm64"))
ARM64_DOCKER_DIR = DATA_ROOT.with_name(DATA_ROOT.name + "-arm64")
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
    print(f"\narm64 stand-ins ready in {time.monotonic() - began:.1f} s", file=sys.stderr)
    yield arm
    for container in arm.run("ps", "-aq", "--filter", f"label={LABEL}", check=False).stdout.split():
        arm.run("rm", "-f", "-t", "0", container, check=False)
    arm.run("image", "prune", "-f", check=False)


@pytest.fixture(scope="module")
def docker_arm64(engine: Engine, arm64: Engine):
    """A private dockerd whose store has the arm64 FROM images and the amd64 images of the
    cross-compiling builders (each name once, with the platform its stage runs on)."""
    daemon = Docker(ARM64_DOCKER_DIR)
    try:
        for spec in SPECS:
            if cross_images(spec):
                for image in from_images(spec):
                    if image != "scratch":
                        daemon.load(engine if image in cross_images(spec) else arm64, image)
        yield daemon
    finally:
        for container in daemon.run("ps", "-aq", "--filter", f"label={LABEL}", check=False).stdout.split():
            daemon.run("rm", "-f", "-v", container, check=False)
        daemon.stop()


@pytest.fixture(scope="module")
def built_arm64(arm64: Engine, docker_arm64: Docker, tmp_path_factory: pytest.TempPathFactory):
    """``built_arm64(spec)`` → (:class:`Built` of the linux/arm64 image, the engine that has it):
    BuildKit for a cross-compiling spec (``syntax: false`` in its copy), podman otherwise."""
    cache: dict[Path, tuple[Built, Engine | Docker]] = {}

    def get(spec: Path) -> tuple[Built, Engine | Docker]:
        if spec not in cache:
            name = spec.parent.name
            source = tmp_path_factory.mktemp("arm64-source") / name
            shutil.copytree(spec.parent, source, ignore=shutil.ignore_patterns("__pycache__"))
            cross = bool(cross_images(spec))
            if cross:
                with open(source / "dockgen.yaml", "a") as file:
                    file.write("syntax: false\n")  # no registry here to fetch a frontend from
            context = tmp_path_factory.mktemp("arm64") / name
            spec_copy, service, values, marker = prepare_context(source, context)
            tag = f"{TAG_PREFIX}{name}:arm64"
            if cross:
                log, seconds = docker_arm64.build(context, tag, "--platform", "linux/arm64")
            else:
                result, seconds = arm64.build(context, tag)
                log = result.stdout
            print(f"\nbuilt {name} for linux/arm64 in {seconds:.1f} s", file=sys.stderr)
            cache[spec] = (Built(name, spec_copy, context, tag, log, seconds, service, values, marker,
                                 make_plan(load_spec(spec_copy))), docker_arm64 if cross else arm64)
        return cache[spec]

    return get


def _file(engine: Engine | Docker, image: str, path: str) -> bytes:
    """The bytes of ``path`` in ``image`` (symbolic links followed), through ``podman export``
    or ``docker export``."""
    container = engine.run("create", f"--label={LABEL}", image, "/none").stdout.strip().splitlines()[-1]
    program = engine.podman if isinstance(engine, Engine) else CLIENT
    try:
        process = subprocess.Popen([program, "export", container], env=engine.env, stdout=subprocess.PIPE)
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
def test_arm64_image_and_its_native_binary_are_aarch64(spec: Path, built_arm64) -> None:
    """The image says arm64, and the program it runs is an AArch64 ELF binary."""
    item, owner = built_arm64(spec)
    config = owner.run("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", item.tag).stdout.strip()
    assert config == "linux/arm64"
    binary = languages.module(item.plan.spec.language).BINARY
    assert binary == (item.name not in INTERPRETER)
    native = binary_path(item.plan.spec).lstrip("/") if binary else INTERPRETER[item.name]
    assert _elf_machine(_file(owner, item.tag, native)) == EM_AARCH64


def test_arm64_go_was_cross_compiled_on_the_build_platform(built_arm64) -> None:
    """The only Go toolchain in the arm64 build's store is amd64's: the AArch64 binary came
    from it through GOOS/GOARCH, not from an emulated arm64 builder (issue 14)."""
    spec = next(s for s in SPECS if s.parent.name == "go-pinger")
    item, owner = built_arm64(spec)
    assert "FROM --platform=$BUILDPLATFORM golang:" in item.dockerfile
    assert "ENV GOOS=${TARGETOS} GOARCH=${TARGETARCH}" in item.dockerfile
    (builder,) = cross_images(spec)
    arch = owner.run("image", "inspect", "--format", "{{.Architecture}}", builder).stdout.strip()
    assert arch == "amd64"


@pytest.mark.parametrize("spec", SPECS, ids=ids)
def test_arm64_image_runs_hardened_under_emulation(spec: Path, built_arm64) -> None:
    """Run the compose way (read-only, ALL capabilities dropped, non-root) under qemu: it answers."""
    item, owner = built_arm64(spec)
    if isinstance(owner, Docker):
        container = owner.run("run", "-d", *bk_run_args(item), item.tag).stdout.strip()
        try:
            status, body = bk_wait_answer(owner, container, min(item.plan.spec.ports), "/")
            assert status == 200 and JOB[item.name] in body, body
            inspect = owner.inspect(container)
            assert inspect["HostConfig"]["ReadonlyRootfs"] is True and inspect["HostConfig"]["CapDrop"] == ["ALL"]
            assert inspect["Config"]["User"] == f"{item.plan.spec.user.uid}:{item.plan.spec.user.gid}"
        finally:
            owner.run("rm", "-f", "-v", container, check=False)
        return
    container = start(owner, item)
    try:
        status, body = wait_http(owner, container, container.ports[min(container.ports)], deadline=120)
        assert status == 200 and JOB[item.name] in body, body
        inspect = owner.run("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}",
                            container.id).stdout.split()
        assert inspect == ["true", f"{item.plan.spec.user.uid}:{item.plan.spec.user.gid}"]
    finally:
        remove(owner, container)
