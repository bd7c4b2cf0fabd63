"""The build step in real builds (issue 11, section 1): specs/node-tsc-api compiled with tsc
from npm, and a build secret that reaches the build command but no layer.

Run alone with ``pytest tests/containers/test_build_step_images.py``; the examples' own eight
properties (test_examples.py) cover node-tsc-api too.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import subprocess
import sys
import tarfile
import urllib.error
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from container_harness import DOCKGEN, EXAMPLES, LABEL, TAG_PREFIX, image_files, wait_http  # noqa: E402

TSC_API = next(s for s in EXAMPLES if s.parent.name == "node-tsc-api")


def test_tsc_api_serves_compiled_code_without_its_toolchain(engine, built, running) -> None:
    """The compiled API answers; the final image holds dist/, not src/, typescript or @types."""
    item = built(TSC_API)
    container = running(TSC_API)
    status, body = wait_http(engine, container, container.ports[3000], "/items")
    assert status == 200 and json.loads(body) == [{"id": 1, "name": "first"}]
    files, _ = image_files(engine, item.tag)
    assert "app/dist/server.js" in files
    # npm prune leaves the empty scope directory @types behind; no file of a dev dependency stays
    toolchain = [p for p, info in files.items() if p.startswith(("app/src", "app/node_modules/typescript", "app/node_modules/@types/"))
                 and not (isinstance(info, tarfile.TarInfo) and info.isdir() and p == "app/node_modules/@types")]
    assert not toolchain, toolchain
    assert "app/tsconfig.json" not in files and "app/package.json" in files  # only the artifacts


SECRET_APP = {
    "package.json": json.dumps({"name": "secret-build", "version": "1.0.0", "private": True,
                                "scripts": {"build": "node build.js"}}),
    "package-lock.json": json.dumps({"name": "secret-build", "version": "1.0.0", "lockfileVersion": 3,
                                     "requires": True, "packages": {"": {"name": "secret-build", "version": "1.0.0"}}}),
    "build.js": ("const fs = require('fs'), crypto = require('crypto');\n"
                 "fs.mkdirSync('dist', {recursive: true});\n"
                 "fs.writeFileSync('dist/token.sha256', crypto.createHash('sha256').update(process.env.NPM_TOKEN || '').digest('hex'));\n"),
    "server.js": "require('http').createServer((q, r) => r.end('ok')).listen(3000);\n",
    ".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    "dockgen.yaml": ("name: secret-build\nlanguage: node\nversion: \"22\"\n"
                     "dependencies: [package.json, package-lock.json, .npmrc]\n"
                     "build: [\"npm run build\"]\nbuild_secrets: [NPM_TOKEN]\n"
                     "entrypoint: [node]\ncmd: [server.js]\n"),
}


def _layers_holding(engine, tag: str, needle: bytes, tmp_path: Path) -> list[str]:
    """Every file of every layer of ``tag`` (``podman save``, docker-archive) whose content holds ``needle``;
    also the image's config (ENV, history)."""
    archive = tmp_path / f"{tag.rsplit('/', 1)[-1].replace(':', '-')}.tar"
    engine.run("save", "--format", "docker-archive", "-o", str(archive), tag)
    holding = []
    with tarfile.open(archive) as outer:
        for member in outer:
            if not member.isfile():
                continue
            data = outer.extractfile(member).read()
            if needle in data:
                holding.append(member.name)
            if member.name.endswith(".tar"):
                with tarfile.open(fileobj=__import__("io").BytesIO(data)) as layer:
                    for inner in layer:
                        if inner.isfile() and needle in layer.extractfile(inner).read():
                            holding.append(f"{member.name}:{inner.name}")
    return holding


def test_r18_build_secret_reaches_the_build_but_no_layer(engine, tmp_path: Path) -> None:
    """``podman build --secret id=NPM_TOKEN,src=FILE`` (Buildah's RUN --mount=type=secret): the build
    command saw the token (its hash is in dist/), yet neither the final image nor the builder
    stage holds it in any layer, ENV or history."""
    context = tmp_path / "secret-build"
    context.mkdir()
    for name, text in SECRET_APP.items():
        (context / name).write_text(text)
    result = subprocess.run([str(DOCKGEN), "render", str(context / "dockgen.yaml")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    token = "npm_" + secrets.token_hex(16)
    secret_file = tmp_path / "npm_token"
    secret_file.write_text(token)
    tag = f"{TAG_PREFIX}secret-build:dev"
    # --no-cache: the layer cache does not key on a secret's value (a cached layer would hold an earlier run's hash)
    engine.build(context, tag, "--no-cache", f"--secret=id=NPM_TOKEN,src={secret_file}")
    engine.build(context, tag + "-builder", f"--secret=id=NPM_TOKEN,src={secret_file}", "--target", "builder")
    files, holding = image_files(engine, tag, token)
    assert not holding
    assert "app/.npmrc" not in files and "app/dist/token.sha256" in files  # the .npmrc stayed in the builder
    container = engine.run("create", f"--label={LABEL}", tag).stdout.strip().splitlines()[-1]
    try:
        out = tmp_path / "token.sha256"
        engine.run("cp", f"{container}:/app/dist/token.sha256", str(out))
        assert out.read_text() == hashlib.sha256(token.encode()).hexdigest(), "the secret did not reach the build"
    finally:
        engine.run("rm", "-f", container, check=False)
    for image in (tag, tag + "-builder"):
        assert _layers_holding(engine, image, token.encode(), tmp_path) == [], image
        inspect = engine.run("image", "inspect", image).stdout
        assert token not in inspect  # history holds the RUN's text (which names the secret), never its value
        (config,) = json.loads(inspect)
        assert not [e for e in config["Config"].get("Env") or [] if e.startswith("NPM_TOKEN")], image


def test_r18_build_without_the_secret_fails_at_the_secret(engine, tmp_path: Path) -> None:
    """A build secret the build is not given stops the build (rather than installing without it)."""
    context = tmp_path / "no-secret"
    context.mkdir()
    for name, text in SECRET_APP.items():
        (context / name).write_text(text)
    assert subprocess.run([str(DOCKGEN), "render", str(context / "dockgen.yaml")], capture_output=True,
                          timeout=120).returncode == 0
    with pytest.raises(Exception) as failure:
        engine.build(context, f"{TAG_PREFIX}no-secret:dev", "--no-cache")
    assert "/run/secrets/NPM_TOKEN" in str(failure.value)


@pytest.fixture(autouse=True)
def _no_leftover_dirs(tmp_path: Path):
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)


VITE_SPA = next(s for s in EXAMPLES if s.parent.name == "node-vite-spa")


def test_static_spa_served_by_nginx_as_the_user_with_spa_cache_and_gzip(engine, built, running) -> None:
    """nginx answers /, a deep link of the React router (index.html), hashed assets with a
    year's cache and gzip; it runs as uid 10001 on the read-only root; no Node.js is in the
    final image."""
    import gzip
    import urllib.request

    item = built(VITE_SPA)
    container = running(VITE_SPA)
    port = container.ports[8080]
    status, body = wait_http(engine, container, port, "/")
    assert status == 200 and "vite-spa" in body
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/users/42", timeout=5) as answer:
        assert answer.status == 200 and "vite-spa" in answer.read().decode()
        assert answer.headers["Cache-Control"] == "no-cache"
    script = next(p for p in image_files(engine, item.tag)[0] if p.startswith("app/assets/") and p.endswith(".js"))
    request = urllib.request.Request(f"http://127.0.0.1:{port}/{script[4:]}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert "immutable" in answer.headers["Cache-Control"]
        assert answer.headers.get("Content-Encoding") == "gzip"
        assert b"vite-spa: user" in gzip.decompress(answer.read()), "not the React app's bundle"
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/missing.js", timeout=5)
        raise AssertionError("a missing asset must not answer index.html")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    users = engine.run("top", container.id, "user", "comm").stdout
    assert "nginx" in users and "root" not in users, users
    files, _ = image_files(engine, item.tag)
    assert not [p for p in files if p.rsplit("/", 1)[-1] in ("node", "npm", "vite")], "Node.js reached the final image"
