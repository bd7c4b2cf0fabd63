"""Tags to digests with a registry's HTTP API (issue 14, ``dockgen lock``).

The OCI distribution spec: ``HEAD /v2/<repository>/manifests/<tag>`` with an ``Accept``
header naming the OCI image index, the Docker manifest list and both single-manifest
types, so a multi-arch tag answers with its index (the digest every platform shares) and
a single-arch tag with its manifest; the digest is the ``Docker-Content-Digest`` header,
or the SHA-256 of the body a ``GET`` returns when a registry leaves the header out.

Authentication, as Docker does it: a ``401`` names a scheme in ``WWW-Authenticate``.
``Bearer realm=...,service=...`` (Docker Hub, ghcr.io, most registries): fetch a token
from the realm for ``repository:<name>:pull``, anonymously or with the user's
credentials; ``Basic``: send the credentials. Credentials come from the Docker config
(``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``): the credential helper
it names (``credHelpers``, ``credsStore``), else its ``auths`` entry for the registry host
(``auth``: base64 of ``user:password``). Docker Hub's entry is ``https://index.docker.io/v1/``.

Plain HTTP is used only for a registry on this machine (``localhost``, 127.0.0.0/8,
``::1``), as Docker allows for 127.0.0.0/8, after HTTPS fails there; a ``--mirror`` for
Docker Hub may be ``http://`` only on such a host too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .errors import DockgenError
from .images import DOCKER_HUB, ImageRef, parse_reference

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
TIMEOUT = 20.0  # seconds for each request (connect, read)
HUB_CONFIG_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")


class RegistryError(DockgenError):
    """A registry cannot give an image's digest: unknown image or tag, unreachable, refused
    credentials or token, an answer that is not a manifest. Exit 2; the message is one line."""


@dataclass(frozen=True)
class Endpoint:
    """Where a reference's manifests are asked for: ``base`` (scheme and host) and repository."""

    base: str
    repository: str
    host: str


def docker_credentials(host: str, config_dir: Path | None = None) -> tuple[str, str] | None:
    """(user, password) for ``host`` from the Docker config, or None (ask anonymously).

    As Docker reads it: the credential helper named for the host (``credHelpers``) or for
    every host (``credsStore``), run as ``docker-credential-NAME get``; else the ``auths``
    entry (``auth``: base64 of ``user:password``, or ``username`` and ``password``).

    Args:
        host: a registry host as images name it (``docker.io`` is looked up under Docker
            Hub's keys, ``https://index.docker.io/v1/`` first).
        config_dir: the config directory; default ``$DOCKER_CONFIG`` or ``~/.docker``.
    Raises:
        RegistryError: the config file exists but is not a JSON object, its entry's ``auth``
            is not base64 ``user:password``, or the credential helper fails.
    """
    directory = config_dir or Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    path = directory / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        auths, helpers = config.get("auths") or {}, config.get("credHelpers") or {}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError) as exc:
        raise RegistryError(f"{path}: cannot read the Docker config: {exc}") from None
    keys = HUB_CONFIG_KEYS if host == DOCKER_HUB else (host, f"https://{host}", f"http://{host}")
    helper = next((helpers[key] for key in keys if key in helpers), None) or config.get("credsStore")
    if helper:
        return _from_helper(str(helper), keys[0])
    entry = next((auths[key] for key in keys if isinstance(auths.get(key), dict)), None)
    if not entry or not (entry.get("auth") or entry.get("username")):
        return None  # no entry, or an empty one (docker login wrote the secret elsewhere)
    if entry.get("username") and entry.get("password"):
        return str(entry["username"]), str(entry["password"])
    try:
        user, _, password = base64.b64decode(entry.get("auth", ""), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        user = password = ""
    if not user or not password:
        raise RegistryError(f"{path}: auths[{host!r}].auth is not base64 of user:password")
    return user, password


def _from_helper(helper: str, server: str) -> tuple[str, str] | None:
    """(user, secret) from ``docker-credential-HELPER get`` for ``server``; None when it has none.

    Raises:
        RegistryError: the helper is not installed or fails otherwise.
    """
    import subprocess

    program = f"docker-credential-{helper}"
    try:
        result = subprocess.run([program, "get"], input=server, capture_output=True, text=True, timeout=60)
    except OSError as exc:
        raise RegistryError(f"the Docker config names the credential helper {program}, which cannot run: "
                            f"{exc.strerror or exc}") from None
    if result.returncode != 0:
        if "credentials not found" in (result.stdout + result.stderr).lower():
            return None
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise RegistryError(f"{program} get {server} exited {result.returncode}: {lines[-1] if lines else 'no output'}")
    try:
        answer = json.loads(result.stdout)
        return str(answer["Username"]), str(answer["Secret"])
    except (ValueError, KeyError, TypeError):
        raise RegistryError(f"{program} get {server} did not answer with Username and Secret") from None


def endpoint(ref: ImageRef, mirror: str | None = None) -> Endpoint:
    """The endpoint of ``ref``: its registry (Docker Hub's API host for docker.io), or
    ``mirror`` (a URL) for Docker Hub images when given.

    Raises:
        RegistryError: the mirror is not an http(s) URL, or is plain http on a host other than this machine's.
    """
    if mirror and ref.registry == DOCKER_HUB:
        parts = urlsplit(mirror)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryError(f"--mirror {mirror}: expected a URL, e.g. https://mirror.example.org")
        local = parse_reference(f"{parts.netloc}/x").loopback
        if parts.scheme == "http" and not local:
            raise RegistryError(f"--mirror {mirror}: plain http is allowed for a registry on this machine only "
                                "(localhost, 127.0.0.0/8); use https")
        return Endpoint(f"{parts.scheme}://{parts.netloc}", ref.repository, parts.netloc)
    return Endpoint(f"https://{ref.api_host}", ref.repository, ref.registry)


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    """The scheme and parameters of a ``WWW-Authenticate`` header (RFC 7235, quoted values)."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), {key.lower(): value for key, value in re.findall(r'(\w+)="?([^",]*)"?', rest)}


class Client:
    """Asks registries for digests; one HTTP connection pool for a whole ``dockgen lock``.

    Args:
        mirror: a URL that serves Docker Hub's images (a pull-through cache), or None.
        config_dir: the Docker config directory (default ``$DOCKER_CONFIG``, ``~/.docker``).
        transport: an httpx transport to use instead of the network (tests: ``httpx.MockTransport``).
    """

    def __init__(self, mirror: str | None = None, config_dir: Path | None = None,
                 transport: httpx.BaseTransport | None = None):
        self.mirror, self.config_dir = mirror, config_dir
        self.http = httpx.Client(timeout=TIMEOUT, follow_redirects=True, transport=transport)
        self.plain: set[str] = set()  # hosts on this machine that answered over plain HTTP

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def digest(self, image: str) -> str:
        """The ``sha256:...`` digest ``image``'s tag points to now: the index digest of a
        multi-arch image, else its manifest's.

        Raises:
            RegistryError: see the class; the message names the image and the registry.
        """
        ref = parse_reference(image)
        if ref.tag is None:
            raise RegistryError(f"{image}: has no tag to resolve (R06)")
        point = endpoint(ref, self.mirror)
        url = f"/v2/{point.repository}/manifests/{ref.tag}"
        response = self._request(point, url, image)
        if response.status_code == 404:
            raise RegistryError(f"{image}: not found at {point.host} (no such repository or tag)")
        if response.status_code != 200:
            raise RegistryError(f"{image}: {point.host} answered {response.status_code} {response.reason_phrase}")
        digest = response.headers.get("docker-content-digest")
        if not digest:
            body = self._send(point, "GET", url, image, response.request.headers.get("authorization"))
            digest = "sha256:" + hashlib.sha256(body.content).hexdigest()
        if not re.fullmatch(r"sha256:[a-f0-9]{64}", digest):
            raise RegistryError(f"{image}: {point.host} gave the digest {digest!r}, not sha256:<64 hex>")
        return digest

    def _request(self, point: Endpoint, url: str, image: str) -> httpx.Response:
        """HEAD the manifest, authenticating once when the registry asks to (401)."""
        response = self._send(point, "HEAD", url, image)
        if response.status_code != 401:
            return response
        scheme, params = _challenge(response.headers.get("www-authenticate", ""))
        credentials = docker_credentials(point.host, self.config_dir)
        if scheme == "bearer" and params.get("realm"):
            authorization = "Bearer " + self._token(point, params, credentials, image)
        elif scheme == "basic" and credentials is not None:
            authorization = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
        elif scheme == "basic":
            raise RegistryError(f"{image}: {point.host} wants a user and password; `docker login {point.host}` "
                                "(they are read from the Docker config's auths)")
        else:
            raise RegistryError(f"{image}: {point.host} asks for authentication dockgen does not speak ({scheme or 'none'})")
        response = self._send(point, "HEAD", url, image, authorization)
        if response.status_code in (401, 403):
            raise RegistryError(f"{image}: {point.host} refused the credentials"
                                f"{' of the Docker config' if credentials else ' (anonymous)'}: "
                                f"{response.status_code} {response.reason_phrase}"
                                + ("" if credentials else "; is the repository private or misspelt?"))
        return response

    def _token(self, point: Endpoint, params: dict[str, str], credentials: tuple[str, str] | None, image: str) -> str:
        """A bearer token for pulling ``point.repository`` from the challenge's realm."""
        query = {"scope": params.get("scope") or f"repository:{point.repository}:pull"}
        if params.get("service"):
            query["service"] = params["service"]
        try:
            response = self.http.get(params["realm"], params=query, auth=credentials)
        except httpx.HTTPError as exc:
            raise RegistryError(f"{image}: cannot reach the token service {params['realm']}: {_reason(exc)}") from None
        if response.status_code != 200:
            raise RegistryError(f"{image}: the token service {params['realm']} refused a token"
                                f"{' for the Docker config credentials' if credentials else ' (anonymous)'}: "
                                f"{response.status_code} {response.reason_phrase}")
        try:
            answer = response.json()
            return str(answer.get("token") or answer["access_token"])
        except (ValueError, KeyError, AttributeError):
            raise RegistryError(f"{image}: the token service {params['realm']} gave no token") from None

    def _send(self, point: Endpoint, method: str, url: str, image: str, authorization: str | None = None) -> httpx.Response:
        """One request with the manifest types accepted; plain HTTP after HTTPS fails on this machine."""
        headers = {"Accept": ", ".join(MANIFEST_TYPES)}
        if authorization:
            headers["Authorization"] = authorization
        netloc = point.base.split("://", 1)[1]
        base = f"http://{netloc}" if netloc in self.plain else point.base
        try:
            try:
                return self.http.request(method, base + url, headers=headers)
            except httpx.TransportError:
                if not (base.startswith("https://") and parse_reference(f"{netloc}/x").loopback):
                    raise
                response = self.http.request(method, f"http://{netloc}{url}", headers=headers)
                self.plain.add(netloc)
                return response
        except httpx.HTTPError as exc:
            raise RegistryError(f"{image}: cannot reach the registry {point.host}: {_reason(exc)}") from None


def resolve(images: list[str], client: Client) -> dict[str, str]:
    """The digest of each of ``images`` now, by image, in order; raises RegistryError at the first that fails."""
    return {image: client.digest(image) for image in images}


def _reason(exc: Exception) -> str:
    """The last line of an httpx error, for a one-line message."""
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
