"""``dockgen lock`` against real registries (issue 14): Debian's docker-registry on
127.0.0.1 (registry_harness.py), the stand-ins pushed to it with skopeo, a multi-arch
index, a registry behind htpasswd with credentials from a temp DOCKER_CONFIG, one behind
a bearer-token service as Docker Hub has; then the locked Dockerfile built with Podman
and with BuildKit (Debian's dockerd, buildkit.py), each pulling every base by its digest.

The open registry stands in for Docker Hub through ``--mirror`` (a pull-through mirror
serves the same digests): ``golang:1.23`` (one manifest) and ``debian:12-slim`` (an index
of the amd64 stand-in and an arm64 entry), the images go-pinger's Dockerfile pulls.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from container_harness import DOCKGEN, LABEL, ROOT, free_port  # noqa: E402
from registry_harness import Registry, TokenService, push, push_index, raw_digest  # noqa: E402
from standins import Engine  # noqa: E402

pytestmark = pytest.mark.container

USER, PASSWORD = "dockgen", "lock-test-pw"
IMAGES = ["debian:12-slim", "golang:1.23"]


@dataclass
class Registries:
    """The three registries of this module and the token service of the third."""

    hub: Registry  # open; Docker Hub's mirror
    private: Registry  # htpasswd: USER/PASSWORD
    tokened: Registry  # bearer tokens from `tokens`
    tokens: TokenService
    engine: Engine

    @property
    def mirror(self) -> str:
        return f"http://{self.hub.host}"


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory):
    """Start the registries, push the stand-ins; stop them at the end of the module."""
    engine = Engine()
    start = time.monotonic()
    engine.ensure(IMAGES, log=lambda message: print(message, file=sys.stderr))
    work = tmp_path_factory.mktemp("registries")
    tokens = TokenService(work, {USER: PASSWORD})
    made = Registries(Registry(work / "hub"), Registry(work / "private", htpasswd={USER: PASSWORD}),
                      Registry(work / "tokened", tokens=tokens), tokens, engine)
    try:
        push(engine, "golang:1.23", f"{made.hub.host}/library/golang:1.23")
        push_index(engine, "debian:12-slim", f"{made.hub.host}/library/debian:12-slim", work / "index")
        push_index(engine, "debian:12-slim", f"{made.hub.host}/team/listed:12", work / "list", format="v2s2")
        push(engine, "debian:12-slim", f"{made.private.host}/team/debian:12-slim", "--dest-creds", f"{USER}:{PASSWORD}")
        push(engine, "debian:12-slim", f"{made.tokened.host}/library/debian:12-slim", "--dest-creds", f"{USER}:{PASSWORD}")
        print(f"\nregistries ready in {time.monotonic() - start:.1f} s", file=sys.stderr)
        yield made
    finally:
        for registry in (made.hub, made.private, made.tokened):
            registry.stop()
        tokens.close()


def lock(*args: object, docker_config: Path | None = None) -> subprocess.CompletedProcess:
    """``dockgen lock ARGS`` with DOCKER_CONFIG pointing at ``docker_config`` (default: an empty directory)."""
    env = dict(os.environ, DOCKER_CONFIG=str(docker_config or Path("/nonexistent/dockgen-test")))
    return subprocess.run([str(DOCKGEN), "lock", *map(str, args)], capture_output=True, text=True, timeout=120, env=env)


def one_base(directory: Path, image: str) -> Path:
    """A spec whose Dockerfile pulls ``image`` only (language none, tini from its own apt)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "dockgen.yaml").write_text(f"name: locked\nlanguage: none\nbase: {image}\ncopy: []\n"
                                            "entrypoint: [/bin/true]\n")
    return directory / "dockgen.yaml"


def locked(spec: Path) -> list[str]:
    return [line[4:] for line in (spec.parent / "dockgen.lock.yaml").read_text().splitlines() if line.startswith("  - ")]


def test_lock_pins_every_stage_by_index_or_manifest_digest_and_podman_builds_it(registries: Registries, tmp_path: Path):
    """go-pinger: golang (builder), debian (tini's stage: a multi-arch index), scratch (no image)."""
    context = tmp_path / "go-pinger"
    shutil.copytree(ROOT / "specs" / "go-pinger", context)
    spec = context / "dockgen.yaml"
    result = lock(spec, "--mirror", registries.mirror)
    assert result.returncode == 0, result.stderr
    index, index_json = raw_digest(registries.engine, f"{registries.hub.host}/library/debian:12-slim")
    golang, golang_json = raw_digest(registries.engine, f"{registries.hub.host}/library/golang:1.23")
    assert index_json["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert sorted(m["platform"]["architecture"] for m in index_json["manifests"]) == ["amd64", "arm64"]
    assert "manifests" not in golang_json
    assert locked(spec) == [f"debian:12-slim@{index}", f"golang:1.23@{golang}"]
    assert lock(spec, "--check", "--mirror", registries.mirror).returncode == 0

    rendered = subprocess.run([str(DOCKGEN), "render", str(spec)], capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    froms = re.findall(r"^FROM .*", (context / "Dockerfile").read_text(), re.M)
    # the Go builder cross-compiles on the build platform (issue 14, tests/test_cross_compile.py)
    assert froms == [f"FROM debian:12-slim@{index} AS init", f"FROM --platform=$BUILDPLATFORM golang:1.23@{golang} AS builder",
                     "FROM scratch"]

    # Podman pulls each base by digest from the mirror (Docker Hub itself is unreachable here)
    conf = tmp_path / "registries.conf"
    conf.write_text('unqualified-search-registries = ["docker.io"]\nshort-name-mode = "permissive"\n'
                    '[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n'
                    f'[[registry.mirror]]\nlocation = "{registries.hub.host}"\ninsecure = true\n')
    env = dict(registries.engine.env, CONTAINERS_REGISTRIES_CONF=str(conf))
    tag = "localhost/dockgen-test/go-pinger-locked:dev"
    start = time.monotonic()
    build = subprocess.run(["podman", "build", "--pull=always", "--format", "docker", "--layers", "--label", LABEL,
                            "-t", tag, str(context)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=1800)
    print(f"\nbuilt the locked go-pinger in {time.monotonic() - start:.1f} s", file=sys.stderr)
    assert build.returncode == 0, build.stdout[-4000:]
    for image, digest in (("debian", index), ("golang", golang)):
        assert f"docker.io/library/{image}@{digest}" in build.stdout, build.stdout[-3000:]
    files = registries.engine.run("image", "inspect", tag, "--format", "{{.Architecture}} {{len .RootFS.Layers}}").stdout
    assert files.split()[0] == "amd64"
    registries.engine.run("rmi", tag, check=False)


def test_lock_pins_the_bases_and_buildkit_pulls_each_by_digest(registries: Registries, tmp_path: Path):
    """The locked go-pinger built on BuildKit too (Debian's dockerd, buildkit.py): a new data
    root holds no image, so each base comes from the mirror by its digest; ``syntax: false``
    since the frontend image of a ``# syntax`` line would come from Docker Hub."""
    from buildkit import Docker

    context = tmp_path / "go-pinger"
    shutil.copytree(ROOT / "specs" / "go-pinger", context)
    spec = context / "dockgen.yaml"
    spec.write_text(spec.read_text() + "syntax: false\n")
    assert lock(spec, "--mirror", registries.mirror).returncode == 0
    rendered = subprocess.run([str(DOCKGEN), "render", str(spec)], capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    index, _ = raw_digest(registries.engine, f"{registries.hub.host}/library/debian:12-slim")
    golang, _ = raw_digest(registries.engine, f"{registries.hub.host}/library/golang:1.23")
    assert locked(spec) == [f"debian:12-slim@{index}", f"golang:1.23@{golang}"]
    daemon = Docker(data_root=tmp_path / "docker", mirrors=(registries.hub.host,))
    try:
        assert daemon.run("images", "-q").stdout.strip() == ""  # nothing to build from but the registry
        log, seconds = daemon.build(context, "dockgen-test/go-pinger-locked:dev", "--label", LABEL)
        print(f"\nbuilt the locked go-pinger with BuildKit in {seconds:.1f} s", file=sys.stderr)
        for image, digest in (("debian", index), ("golang", golang)):
            assert f"docker.io/library/{image}:{'12-slim' if image == 'debian' else '1.23'}@{digest}" in log, log[-3000:]
        assert daemon.inspect("dockgen-test/go-pinger-locked:dev")["Architecture"] == "amd64"
    finally:
        daemon.stop()
        shutil.rmtree(tmp_path / "docker", ignore_errors=True)


def test_lock_takes_a_docker_manifest_lists_digest(registries: Registries, tmp_path: Path):
    image = f"{registries.hub.host}/team/listed:12"
    spec = one_base(tmp_path / "app", image)
    result = lock(spec)
    assert result.returncode == 0, result.stderr
    digest, listed = raw_digest(registries.engine, image)
    assert listed["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json"
    assert locked(spec) == [f"{image}@{digest}"]


def test_lock_reads_credentials_from_the_docker_config(registries: Registries, tmp_path: Path):
    image = f"{registries.private.host}/team/debian:12-slim"
    spec = one_base(tmp_path / "app", image)
    config = tmp_path / "docker"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"auths": {registries.private.host: {
        "auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}}}))
    result = lock(spec, docker_config=config)
    assert result.returncode == 0, result.stderr
    digest, _ = raw_digest(registries.engine, image, "--creds", f"{USER}:{PASSWORD}")
    assert locked(spec) == [f"{image}@{digest}"]
    assert lock(spec, "--check", docker_config=config).returncode == 0

    before = (spec.parent / "dockgen.lock.yaml").read_bytes()
    anonymous = lock(spec)
    assert anonymous.returncode == 2
    assert anonymous.stderr == (f"error: {image}: {registries.private.host} wants a user and password; `docker login "
                                f"{registries.private.host}` (they are read from the Docker config's auths)\n")
    (config / "config.json").write_text(json.dumps({"auths": {registries.private.host: {
        "auth": base64.b64encode(f"{USER}:wrong".encode()).decode()}}}))
    wrong = lock(spec, docker_config=config)
    assert wrong.returncode == 2
    assert wrong.stderr == (f"error: {image}: {registries.private.host} refused the credentials of the Docker config: "
                            "401 Unauthorized\n")
    assert (spec.parent / "dockgen.lock.yaml").read_bytes() == before


def test_lock_takes_an_anonymous_bearer_token_as_docker_hub_hands_out(registries: Registries, tmp_path: Path):
    image = f"{registries.tokened.host}/library/debian:12-slim"
    spec = one_base(tmp_path / "app", image)
    asked = len(registries.tokens.requests)
    result = lock(spec)
    mine = registries.tokens.requests[asked:]
    assert result.returncode == 0, result.stderr
    digest, _ = raw_digest(registries.engine, image, "--creds", f"{USER}:{PASSWORD}")
    assert locked(spec) == [f"{image}@{digest}"]
    assert mine == [{"scope": ["repository:library/debian:pull"],
                                                   "service": [TokenService.SERVICE]}]


def test_lock_check_exits_1_when_a_tag_has_moved_and_lock_catches_up(registries: Registries, tmp_path: Path):
    image = f"{registries.private.host}/team/moving:1"
    creds = ("--dest-creds", f"{USER}:{PASSWORD}")
    push(registries.engine, "debian:12-slim", image, *creds)
    config = tmp_path / "docker"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"auths": {registries.private.host: {"username": USER, "password": PASSWORD}}}))
    spec = one_base(tmp_path / "app", image)
    assert lock(spec, docker_config=config).returncode == 0
    (old,) = locked(spec)
    push(registries.engine, "golang:1.23", image, *creds)  # the tag now names another image
    new, _ = raw_digest(registries.engine, image, "--creds", f"{USER}:{PASSWORD}")
    check = lock(spec, "--check", docker_config=config)
    assert check.returncode == 1
    assert check.stderr == (f"error: {spec.parent / 'dockgen.lock.yaml'}: stale; run `dockgen lock {spec}`:\n"
                            f"  {image}: locked {old.split('@')[1]}, the registry has {new}\n")
    assert locked(spec) == [old]  # --check writes nothing
    assert lock(spec, docker_config=config).returncode == 0
    assert locked(spec) == [f"{image}@{new}"]
    assert lock(spec, "--check", docker_config=config).returncode == 0


@pytest.mark.parametrize("case", ["unknown image", "unreachable registry", "refused token"])
def test_lock_bad_registry_input_exits_2_with_one_line_and_changes_no_file(registries: Registries, tmp_path: Path,
                                                                            case: str):
    closed = f"127.0.0.1:{free_port()}"
    image, says = {
        "unknown image": (f"{registries.hub.host}/library/debian:99-slim", f"not found at {registries.hub.host}"),
        "unreachable registry": (f"{closed}/library/debian:12-slim", f"cannot reach the registry {closed}"),
        "refused token": (f"{registries.tokened.host}/library/debian:12-slim", "refused a token (anonymous): 401"),
    }[case]
    spec = one_base(tmp_path / "app", image)
    lock_file = spec.parent / "dockgen.lock.yaml"
    lock_file.write_text("images: []\n")  # an earlier lock, which must survive
    listing = sorted(p.name for p in spec.parent.iterdir())
    registries.tokens.refuse = case == "refused token"
    try:
        result = lock(spec)
    finally:
        registries.tokens.refuse = False
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {image}: ") and result.stderr.count("\n") == 1, result.stderr
    assert says in result.stderr
    assert lock_file.read_text() == "images: []\n"
    assert sorted(p.name for p in spec.parent.iterdir()) == listing
