"""Real registries on 127.0.0.1 for ``dockgen lock``'s tests (issue 14).

* :class:`Registry` runs Debian's ``docker-registry`` (distribution 2.8) on a free port
  of 127.0.0.1 with a config of its own under a temp directory: open, behind htpasswd
  (Basic auth, bcrypt entries made by ``htpasswd -B``), or behind a token service.
* :class:`TokenService` is that token service, in this process: it hands out JWTs signed
  with RS256 (by ``openssl dgst``) the way Docker Hub's ``auth.docker.io`` does: ``GET
  /token?service=...&scope=repository:NAME:pull``, anonymously for pull, with a user and
  password for push; the registry trusts its certificate (``rootcertbundle``) and finds
  the key by the ``kid`` header, libtrust's key ID of the certificate's public key. With
  ``refuse`` set it answers 401, as a token service does to wrong credentials.
* :func:`push` copies a stand-in from the test podman storage to a registry with skopeo
  (``--dest-tls-verify=false``: plain HTTP); :func:`push_index` pushes a multi-arch index
  (the amd64 stand-in and a small arm64 image made with ``podman import --arch arm64``)
  with ``podman manifest create/add/push``.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import secrets
import shutil
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from container_harness import free_port
from standins import Engine, full_name


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenService:
    """A bearer-token service for :class:`Registry` (see the module docstring).

    Attributes:
        url: its realm, ``http://127.0.0.1:PORT/token``.
        requests: the query of each token request, in order (for asserting what was asked).
        refuse: when True, every request is answered 401.
    """

    SERVICE = "dockgen-test-registry"
    ISSUER = "dockgen-test-token-issuer"

    def __init__(self, directory: Path, users: dict[str, str]):
        self.key, self.cert = directory / "token.key", directory / "token.crt"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self.key),
                        "-out", str(self.cert), "-days", "1", "-subj", "/CN=dockgen-test-token"],
                       check=True, capture_output=True, timeout=60)
        der = subprocess.run(f"openssl x509 -in {self.cert} -pubkey -noout | openssl pkey -pubin -outform DER",
                             shell=True, check=True, capture_output=True, timeout=60).stdout
        kid = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
        self.kid = ":".join(kid[i:i + 4] for i in range(0, len(kid), 4))  # libtrust's KeyID
        self.users, self.refuse, self.requests = users, False, []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def _sign(self, claims: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(self.key)], input=signing_input.encode(),
                                   check=True, capture_output=True, timeout=60).stdout
        return f"{signing_input}.{_b64url(signature)}"

    def token(self, query: dict[str, list[str]], user: str | None) -> str:
        """A JWT for the scopes asked: pull for anyone, push too for a known user."""
        access = []
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":", 2) if scope.count(":") >= 2 else (scope, "", "")
            allowed = {"pull", "push"} if user else {"pull"}
            access.append({"type": kind, "name": name, "actions": sorted(set(actions.split(",")) & allowed)})
        now = int(time.time())
        return self._sign({"iss": self.ISSUER, "sub": user or "", "aud": query.get("service", [""])[0],
                           "exp": now + 600, "nbf": now - 60, "iat": now, "jti": secrets.token_hex(8), "access": access})

    def _handler(self):
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802 (http.server's hook)
                query = parse_qs(urlsplit(self.path).query)
                service.requests.append(query)
                user = None
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    name, _, password = base64.b64decode(header[6:]).decode().partition(":")
                    user = name if service.users.get(name) == password else "!"
                if service.refuse or user == "!":
                    self.send_response(401)
                    self.end_headers()
                    return
                body = json.dumps({"token": service.token(query, user), "expires_in": 600}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


class Registry:
    """``docker-registry serve`` on 127.0.0.1 with its own config and storage under ``directory``.

    Args:
        directory: created; holds config.yml, the storage and the log.
        htpasswd: {user: password} for Basic auth, or None.
        tokens: a :class:`TokenService` the registry trusts, or None (open, or htpasswd).
    Attributes:
        host: ``127.0.0.1:PORT``, the registry part of image references.
    """

    def __init__(self, directory: Path, htpasswd: dict[str, str] | None = None, tokens: TokenService | None = None):
        directory.mkdir(parents=True, exist_ok=True)
        self.host = f"127.0.0.1:{free_port()}"
        config: dict = {"version": 0.1, "log": {"level": "warn"}, "http": {"addr": self.host},
                        "storage": {"filesystem": {"rootdirectory": str(directory / "storage")}, "delete": {"enabled": True}}}
        if htpasswd:
            lines = [subprocess.run(["htpasswd", "-Bbn", user, password], check=True, capture_output=True, text=True,
                                    timeout=60).stdout.strip() for user, password in htpasswd.items()]
            (directory / "htpasswd").write_text("\n".join(lines) + "\n")
            config["auth"] = {"htpasswd": {"realm": "dockgen-test", "path": str(directory / "htpasswd")}}
        if tokens:
            config["auth"] = {"token": {"realm": tokens.url, "service": TokenService.SERVICE,
                                        "issuer": TokenService.ISSUER, "rootcertbundle": str(tokens.cert)}}
        (directory / "config.yml").write_text(yaml.safe_dump(config))
        self.log = directory / "registry.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([shutil.which("docker-registry") or "docker-registry", "serve",
                                             str(directory / "config.yml")], stdout=log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"docker-registry exited {self.process.returncode}:\n{self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=2)
                return
            except urllib.error.HTTPError:  # 401: up, and wants authentication
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"docker-registry on {self.host} did not answer in {seconds} s")

    def stop(self) -> None:
        """Stop the registry process (SIGTERM, then SIGKILL after 10 s)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def skopeo(engine: Engine, *args: str) -> subprocess.CompletedProcess:
    """``skopeo ARGS`` with the test podman storage's configuration; fails the caller on error."""
    result = subprocess.run(["skopeo", *args], env=engine.env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"skopeo {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


def push(engine: Engine, image: str, destination: str, *extra: str) -> None:
    """Copy the stand-in ``image`` from the test storage to ``destination`` (``HOST/repo:tag``) over plain HTTP."""
    skopeo(engine, "copy", "--quiet", "--dest-tls-verify=false", *extra,
           f"containers-storage:{full_name(image)}", f"docker://{destination}")


def raw_digest(engine: Engine, reference: str, *extra: str) -> tuple[str, dict]:
    """(sha256 digest, parsed JSON) of the manifest or index ``reference`` names, as skopeo reads it raw."""
    raw = skopeo(engine, "inspect", "--raw", "--tls-verify=false", *extra, f"docker://{reference}").stdout
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest(), json.loads(raw)


def push_index(engine: Engine, image: str, destination: str, work: Path, format: str = "oci") -> None:
    """Push ``destination`` as a multi-arch index: the amd64 stand-in ``image`` and a one-file
    arm64 image (``podman import --arch arm64``; no emulation needed, nothing in it runs).
    ``format``: ``oci`` (an OCI image index) or ``v2s2`` (a Docker manifest list)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "arm64.txt").write_text("an arm64 entry of the test index\n")
    with tarfile.open(work / "arm64.tar", "w") as tar:
        tar.add(work / "arm64.txt", arcname="arm64.txt")
    arm = "localhost/dockgen-lock-test/arm64-entry:1"
    index = "localhost/dockgen-lock-test/index:1"
    engine.run("import", "--arch", "arm64", "--os", "linux", str(work / "arm64.tar"), arm)
    engine.run("manifest", "rm", index, check=False)
    engine.run("manifest", "create", index)
    engine.run("manifest", "add", index, f"containers-storage:{full_name(image)}")
    engine.run("manifest", "add", "--arch", "arm64", index, f"containers-storage:{arm}")
    engine.run("manifest", "push", "--all", "--tls-verify=false", "--format", format, index, f"docker://{destination}")
    engine.run("manifest", "rm", index, check=False)
    engine.run("rmi", arm, check=False)
