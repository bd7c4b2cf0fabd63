"""``dockgen lock``'s network-free parts (issue 14): image references, the lock file's
format, ``--check``'s comparison, and render writing ``image:tag@sha256:...`` from a lock.

The registry side (tokens, credentials, multi-arch indexes, bad registries) is tested
against real registries in tests/containers/test_lock_registry.py.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dockgen.errors import CheckFailed, SpecError
from dockgen.images import parse_reference
from dockgen.lockfile import Lock, check_lock, lock_path, read_lock, staleness
from dockgen.plan.pins import images_used, pin_stages
from dockgen.plan.steps import Copy, From, Stage
from dockgen.registry import RegistryError, docker_credentials, endpoint
from dockgen.render import make_renderer
from support import ROOT, dockgen, hadolint

D1, D2, D3 = ("sha256:" + c * 64 for c in "abc")


@pytest.mark.parametrize("text, registry, repository, tag, digest", [
    ("python:3.12-slim", "docker.io", "library/python", "3.12-slim", None),
    ("docker.io/library/python:3.12-slim", "docker.io", "library/python", "3.12-slim", None),
    ("index.docker.io/nginx:1.28", "docker.io", "library/nginx", "1.28", None),
    ("bitnami/redis:7.4", "docker.io", "bitnami/redis", "7.4", None),
    ("mcr.microsoft.com/dotnet/aspnet:8.0", "mcr.microsoft.com", "dotnet/aspnet", "8.0", None),
    ("localhost:5000/x:y", "localhost:5000", "x", "y", None),
    ("localhost/x", "localhost", "x", None, None),
    ("ghcr.io/astral-sh/uv:0.8.4@" + D1, "ghcr.io", "astral-sh/uv", "0.8.4", D1),
    ("127.0.0.1:5000/a/b@" + D2, "127.0.0.1:5000", "a/b", None, D2),
])
def test_parse_reference(text: str, registry: str, repository: str, tag: str | None, digest: str | None):
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    assert ref.text == text.split("@")[0]
    assert ref.pinned(D3) == ref.text + "@" + D3


def test_parse_reference_api_host_and_loopback():
    assert parse_reference("python:3.12").api_host == "registry-1.docker.io"  # docker.io serves no /v2/
    assert parse_reference("quay.io/a/b:1").api_host == "quay.io"
    assert [parse_reference(t).loopback for t in ("localhost:5000/x:1", "127.0.0.1:5000/x:1", "127.9.8.7/x:1",
                                                  "quay.io/x:1", "127.example.org/x:1", "python:3")] == [
        True, True, True, False, False, False]


@pytest.mark.parametrize("text, says", [
    ("Python:3.12", "not an image reference"),
    ("python:3.12@sha256:abc", "64 lower-case hex"),
    ("python:-bad", "is not a tag"),
    ("", "not an image reference"),
    ("bad_host:x/y:1", "not a registry host"),
])
def test_parse_reference_refuses(text: str, says: str):
    with pytest.raises(ValueError, match=says):
        parse_reference(text)


def test_the_spec_reads_base_images_with_the_same_grammar(tmp_path: Path):
    """values.py validates `base` with parse_reference (R06 on top): one grammar for both."""
    for base, code in (("localhost:5000/team/app:1.2", 0), ("mcr.microsoft.com/dotnet/aspnet:8.0", 0),
                       ("bad_host:x/y:1", 2), ("python:bookworm", 2)):
        # user svc: Microsoft's .NET images already have `app` (uid 1654), the default user's name
        (tmp_path / "dockgen.yaml").write_text(f"name: t\nlanguage: none\nbase: '{base}'\ncopy: []\nentrypoint: [/bin/true]\n"
                                               "user: {name: svc}\n")
        result = dockgen("validate", tmp_path / "dockgen.yaml")
        assert result.returncode == code, (base, result.stderr)


def test_lock_path_is_beside_the_spec_named_after_it():
    assert lock_path(Path("a/dockgen.yaml")) == Path("a/dockgen.lock.yaml")
    assert lock_path(Path("a/app.yml")) == Path("a/app.lock.yml")


def _lock_text(digests: dict[str, str], spec: str = "dockgen.yaml") -> str:
    return make_renderer().text("dockgen.lock.yaml.j2", spec=spec, entries=Lock(Path(spec), digests).entries())


def test_lock_file_round_trips_sorted_one_image_a_line(tmp_path: Path):
    digests = {"localhost:5000/x:y": D1, "golang:1.23": D2, "debian:12-slim": D3}
    text = _lock_text(digests)
    lines = [line for line in text.splitlines() if line.startswith("  - ")]
    assert lines == [f"  - debian:12-slim@{D3}", f"  - golang:1.23@{D2}", f"  - localhost:5000/x:y@{D1}"]
    (tmp_path / "dockgen.lock.yaml").write_text(text)
    assert read_lock(tmp_path / "dockgen.lock.yaml").digests == digests
    assert read_lock(tmp_path / "missing.lock.yaml") is None
    assert "images: []" in _lock_text({})


def test_readme_renovate_regex_reads_every_lock_line():
    """The Renovate manager the README gives finds each entry's image, tag and digest (JS named
    groups ``(?<x>`` read by Python as ``(?P<x>``)."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Base images by digest"):]
    config = json.loads(section[section.index("```json") + 7:section.index("```", section.index("```json") + 7)])
    manager = config["customManagers"][0]
    pattern = re.compile(manager["matchStrings"][0].replace("(?<", "(?P<"))
    files = re.compile(manager["managerFilePatterns"][0].strip("/"))
    assert files.search("specs/app/dockgen.lock.yaml") and not files.search("dockgen.yaml")
    digests = {"localhost:5000/x:y": D1, "golang:1.23": D2, "mcr.microsoft.com/dotnet/aspnet:8.0": D3}
    found = {(m["depName"], m["currentValue"], m["currentDigest"]) for m in pattern.finditer(_lock_text(digests))}
    assert found == {("localhost:5000/x", "y", D1), ("golang", "1.23", D2), ("mcr.microsoft.com/dotnet/aspnet", "8.0", D3)}
    assert manager["datasourceTemplate"] == "docker"


@pytest.mark.parametrize("text, where, says", [
    ("images: [python:3.12]\n", "1:10", "expected image:tag@sha256"),
    (f"images:\n  - python:3.12@{D1}\n  - python:3.12@{D2}\n", "3:5", "listed twice"),
    ("images:\n  - Python:3@" + D1 + "\n", "2:5", "not an image reference"),
    ("pins: []\n", "1:1", "one key, `images`"),
    ("images: [\n", "2:1", "malformed YAML"),
])
def test_render_refuses_a_malformed_lock_with_its_line_and_column(tmp_path: Path, text: str, where: str, says: str):
    spec = _go_pinger(tmp_path)
    (tmp_path / "dockgen.lock.yaml").write_text(text)
    result = dockgen("render", spec)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'dockgen.lock.yaml'}:{where}: "), result.stderr
    assert says in result.stderr
    assert not (tmp_path / "Dockerfile").exists()


def _go_pinger(directory: Path) -> Path:
    shutil.copytree(ROOT / "specs" / "go-pinger", directory, dirs_exist_ok=True)
    return directory / "dockgen.yaml"


def test_render_pins_every_from_from_the_lock_without_the_network(tmp_path: Path):
    """go-pinger pulls golang (builder) and debian (tini's stage); scratch is no image. The
    render runs in a process that records whether the registry client was imported."""
    spec = _go_pinger(tmp_path)
    (tmp_path / "dockgen.lock.yaml").write_text(_lock_text({"golang:1.23": D1, "debian:12-slim": D2}))
    code = ("import sys\nfrom dockgen.cli import app\ntry:\n"
            f"    app(['render', {str(spec)!r}])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print(sorted(m for m in sys.modules if m in ('httpx', 'dockgen.registry', 'socket')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] in ("[]", "['socket']")  # no HTTP client is even loaded
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert re.findall(r"^FROM .*", dockerfile, re.M) == [
        f"FROM debian:12-slim@{D2} AS init", f"FROM --platform=$BUILDPLATFORM golang:1.23@{D1} AS builder", "FROM scratch"]
    assert [f for f in hadolint(dockerfile) if f["code"] not in ("DL3008",)] == []
    assert "not in dockgen.lock.yaml" not in result.stderr
    assert dockgen("render", "--check", spec).returncode == 0
    explained = dockgen("explain", spec).stdout
    assert f"golang:1.23@{D1}" in explained
    # a lock updated in place (Renovate) leaves the Dockerfile behind until render runs
    (tmp_path / "dockgen.lock.yaml").write_text(_lock_text({"golang:1.23": D3, "debian:12-slim": D2}))
    check = dockgen("render", "--check", spec)
    assert check.returncode == 1 and "Dockerfile" in check.stderr, check.stderr


def test_render_warns_of_an_image_the_lock_lacks_and_writes_it_by_tag(tmp_path: Path):
    spec = _go_pinger(tmp_path)
    (tmp_path / "dockgen.lock.yaml").write_text(_lock_text({"golang:1.23": D1, "golang:1.22": D3}))
    result = dockgen("render", spec)
    assert result.returncode == 0, result.stderr
    assert "warning: debian:12-slim: not in dockgen.lock.yaml, so FROM names it by tag alone; run `dockgen lock` again" in result.stderr
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert "FROM debian:12-slim AS init" in dockerfile and f"FROM --platform=$BUILDPLATFORM golang:1.23@{D1} AS builder" in dockerfile


def test_render_without_a_lock_is_unchanged(tmp_path: Path):
    spec = _go_pinger(tmp_path)
    assert dockgen("render", spec).returncode == 0
    assert (tmp_path / "Dockerfile").read_text() == (ROOT / "tests/golden/go-pinger/Dockerfile").read_text()


def test_images_used_and_pins_cover_copy_from_an_image_and_skip_stages_scratch_and_digests():
    stages = (
        Stage("tools", "", (From("x", (), image="busybox:1.36"),)),
        Stage(None, "", (From("x", (), image="scratch"), Copy("x", (), sources=("/a",), dest="/a", stage="tools"),
                         Copy("x", (), sources=("/uv",), dest="/uv", stage="ghcr.io/astral-sh/uv:0.8"),
                         Copy("x", (), sources=("/b",), dest="/b", stage=f"alpine:3.22@{D3}"))),
    )
    assert images_used(stages) == ["busybox:1.36", "ghcr.io/astral-sh/uv:0.8"]
    pinned, unlocked = pin_stages(stages, {"ghcr.io/astral-sh/uv:0.8": D1})
    assert unlocked == ["busybox:1.36"]
    assert pinned[1].steps[2].stage == f"ghcr.io/astral-sh/uv:0.8@{D1}"
    assert pinned[1].steps[1].stage == "tools" and pinned[0].steps[0].image == "busybox:1.36"


def test_staleness_names_missing_moved_and_unused_images(tmp_path: Path):
    lock = Lock(tmp_path / "dockgen.lock.yaml", {"golang:1.23": D1, "debian:12-slim": D2, "old:1": D3})
    stale = staleness(lock, {"golang:1.23": D1, "debian:12-slim": D3, "new:2": D1})
    assert stale.lines() == ["new:2: not in the lock", f"debian:12-slim: locked {D2}, the registry has {D3}",
                             "old:1: locked but no longer used"]
    assert not staleness(lock, dict(lock.digests))
    check_lock(lock, dict(lock.digests), lock.path, Path("dockgen.yaml"))
    with pytest.raises(CheckFailed, match="stale; run `dockgen lock dockgen.yaml`:\n  new:2: not in the lock"):
        check_lock(lock, {"new:2": D1, **lock.digests}, lock.path, Path("dockgen.yaml"))
    with pytest.raises(CheckFailed, match="missing; run"):
        check_lock(None, {}, lock.path, Path("dockgen.yaml"))


def test_lock_check_exits_1_when_the_lock_is_missing(tmp_path: Path):
    """A spec whose only image already carries a digest asks no registry: --check only finds no lock."""
    (tmp_path / "dockgen.yaml").write_text(f"name: t\nlanguage: none\nbase: 'busybox:1.36@{D1}'\ninit: false\n"
                                           "copy: []\nentrypoint: [/bin/true]\n")
    result = dockgen("lock", "--check", tmp_path / "dockgen.yaml")
    assert result.returncode == 1
    assert result.stderr == f"error: {tmp_path / 'dockgen.lock.yaml'}: missing; run `dockgen lock {tmp_path / 'dockgen.yaml'}`\n"
    assert not (tmp_path / "dockgen.lock.yaml").exists()
    written = dockgen("lock", tmp_path / "dockgen.yaml")
    assert written.returncode == 0 and written.stdout == f"wrote {tmp_path / 'dockgen.lock.yaml'}\n"
    assert written.stderr == f"next: dockgen render {tmp_path / 'dockgen.yaml'} (writes the digests into the Dockerfile)\n"
    assert read_lock(tmp_path / "dockgen.lock.yaml").digests == {}
    assert dockgen("lock", "--check", tmp_path / "dockgen.yaml").returncode == 0


def _config(tmp_path: Path, auths: dict) -> Path:
    (tmp_path / "config.json").write_text(json.dumps({"auths": auths}))
    return tmp_path


def test_docker_credentials_from_the_docker_config_auths(tmp_path: Path):
    token = base64.b64encode(b"ann:pa:ss").decode()
    directory = _config(tmp_path, {"https://index.docker.io/v1/": {"auth": token}, "127.0.0.1:5000": {"auth": token},
                                   "ghcr.io": {"username": "bob", "password": "pw"}})
    assert docker_credentials("docker.io", directory) == ("ann", "pa:ss")
    assert docker_credentials("127.0.0.1:5000", directory) == ("ann", "pa:ss")
    assert docker_credentials("ghcr.io", directory) == ("bob", "pw")
    assert docker_credentials("quay.io", directory) is None
    assert docker_credentials("quay.io", tmp_path / "none") is None
    with pytest.raises(RegistryError, match="not base64 of user:password"):
        docker_credentials("x.io", _config(tmp_path, {"x.io": {"auth": "***"}}))


def test_docker_credentials_from_a_credential_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """credHelpers for one host, credsStore for the rest, as Docker reads them; an empty
    `auths` entry (the secret is in the store) is no credential of its own."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in (("vault", 'read s; [ "$s" = ghcr.io ] && echo \'{"Username":"v","Secret":"s1"}\' && exit 0\n'
                                   'echo "credentials not found in native keychain"; exit 1\n'),
                         ("broken", "echo 'keychain locked' >&2; exit 3\n")):
        helper = bin_dir / f"docker-credential-{name}"
        helper.write_text("#!/bin/sh\n" + script)
        helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {"ghcr.io": {}}, "credHelpers": {"ghcr.io": "vault", "quay.io": "vault"}}))
    assert docker_credentials("ghcr.io", tmp_path) == ("v", "s1")
    assert docker_credentials("quay.io", tmp_path) is None  # the helper has none: anonymous
    config.write_text(json.dumps({"auths": {"ghcr.io": {}}}))
    assert docker_credentials("ghcr.io", tmp_path) is None
    config.write_text(json.dumps({"credsStore": "broken"}))
    with pytest.raises(RegistryError, match="docker-credential-broken get https://index.docker.io/v1/ exited 3: keychain locked"):
        docker_credentials("docker.io", tmp_path)
    config.write_text(json.dumps({"credsStore": "missing"}))
    with pytest.raises(RegistryError, match="names the credential helper docker-credential-missing, which cannot run"):
        docker_credentials("docker.io", tmp_path)


def test_plain_http_mirror_only_on_this_machine():
    ref = parse_reference("python:3.12")
    assert endpoint(ref).base == "https://registry-1.docker.io"
    assert endpoint(ref, "http://127.0.0.1:5000").base == "http://127.0.0.1:5000"
    assert endpoint(ref, "https://mirror.gcr.io").base == "https://mirror.gcr.io"
    assert endpoint(parse_reference("quay.io/a:1"), "https://mirror.gcr.io").base == "https://quay.io"
    with pytest.raises(RegistryError, match="plain http is allowed for a registry on this machine only"):
        endpoint(ref, "http://mirror.example.org")
    result = dockgen("lock", ROOT / "specs/go-pinger/dockgen.yaml", "--mirror", "http://mirror.example.org")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr


# --- the registry protocol, against httpx's MockTransport (no network) -------------------

def _registry(handler) -> "Client":
    import httpx

    from dockgen.registry import Client

    return Client(transport=httpx.MockTransport(handler))


def test_client_follows_a_bearer_challenge_and_sends_the_accept_header():
    import httpx

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url), request.headers.get("authorization")))
        if request.url.host == "auth.docker.io":
            assert request.url.params["scope"] == "repository:library/python:pull"
            assert request.url.params["service"] == "registry.docker.io"
            return httpx.Response(200, json={"token": "t0k"})
        assert "application/vnd.oci.image.index.v1+json" in request.headers["accept"]
        assert "application/vnd.docker.distribution.manifest.list.v2+json" in request.headers["accept"]
        if request.headers.get("authorization") != "Bearer t0k":
            return httpx.Response(401, headers={"www-authenticate": 'Bearer realm="https://auth.docker.io/token",'
                                                                    'service="registry.docker.io",scope="repository:library/python:pull"'})
        return httpx.Response(200, headers={"docker-content-digest": D1})

    assert _registry(handler).digest("python:3.12-slim") == D1
    assert [s[:2] for s in seen] == [("HEAD", "https://registry-1.docker.io/v2/library/python/manifests/3.12-slim"),
                                     ("GET", "https://auth.docker.io/token?scope=repository%3Alibrary%2Fpython%3Apull&service=registry.docker.io"),
                                     ("HEAD", "https://registry-1.docker.io/v2/library/python/manifests/3.12-slim")]


def test_client_hashes_the_manifest_when_the_registry_sends_no_digest_header():
    import hashlib

    import httpx

    body = b'{"schemaVersion": 2, "manifests": []}'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body if request.method == "GET" else b"")

    assert _registry(handler).digest("quay.io/a/b:1") == "sha256:" + hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("status, says", [(404, "quay.io/a/b:1: not found at quay.io (no such repository or tag)"),
                                          (500, "quay.io/a/b:1: quay.io answered 500 Internal Server Error")])
def test_client_errors_are_one_line_registry_errors(status: int, says: str):
    import httpx

    with pytest.raises(RegistryError) as caught:
        _registry(lambda request: httpx.Response(status)).digest("quay.io/a/b:1")
    assert str(caught.value) == says


def test_client_falls_back_to_plain_http_on_this_machine_only():
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            raise httpx.ConnectError("TLS handshake failed", request=request)
        return httpx.Response(200, headers={"docker-content-digest": D2})

    assert _registry(handler).digest("127.0.0.1:5000/x:1") == D2
    with pytest.raises(RegistryError, match="cannot reach the registry quay.io: TLS handshake failed"):
        _registry(handler).digest("quay.io/x:1")
