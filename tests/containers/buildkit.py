"""A private Docker daemon for the BuildKit tier (issue 14): Debian's ``docker.io``.

``dockerd`` runs with its own ``--data-root`` (kept between runs under
``/var/tmp/dockgen-docker``, like the podman storage, so the stand-ins and BuildKit's cache
survive), and ``--exec-root``, ``--pidfile`` and API socket under a new temporary directory.
``--iptables=false --bridge=none`` leave the host's and Podman's networking alone, so
builds run with ``--network host`` and containers with ``--network none`` (a test reaches
a container's port from inside its network namespace, see :func:`http_in_netns`).
``DOCKER_BUILDKIT=1`` makes ``docker build`` use BuildKit. The client is Debian's
``/usr/bin/docker`` (the same release as the daemon), with a private ``DOCKER_CONFIG``.

The stand-in base images cross from the podman storage with ``podman save | docker load``
(:meth:`Docker.load`), skipped when the daemon already has an image with the same id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from standins import Engine, EngineError, full_name

DATA_ROOT = Path(os.environ.get("DOCKGEN_DOCKER_DIR", "/var/tmp/dockgen-docker"))
DOCKERD = "/usr/sbin/dockerd"
CLIENT = "/usr/bin/docker"  # Debian's client, not another one earlier on PATH


class Docker:
    """A ``dockerd`` this process started; :meth:`stop` ends it.

    Args:
        data_root: the daemon's ``--data-root`` (images and BuildKit's cache).
        mirrors: registries (``host:port``) that serve Docker Hub's images, over plain
            http: written to the daemon config as ``registry-mirrors`` (``http://host:port``)
            and ``insecure-registries`` (dockerd speaks https to a registry unless told
            otherwise), so ``FROM debian:12-slim@sha256:...`` is pulled from there
            (test_lock_registry.py); none by default.

    Raises:
        EngineError: dockerd is not installed, or its API did not come up within 60 s
            (the message holds the end of its log).
    """

    def __init__(self, data_root: Path = DATA_ROOT, mirrors: tuple[str, ...] = ()) -> None:
        for program in (DOCKERD, CLIENT):
            if not Path(program).exists():
                raise EngineError(f"{program} is missing: run scripts/system-deps.sh (make test does)")
        self.data_root = data_root
        data_root.mkdir(parents=True, exist_ok=True)
        self.run_dir = Path(tempfile.mkdtemp(prefix="dockgen-dockerd-"))  # a socket path must stay short
        config = {"registry-mirrors": [f"http://{m}" for m in mirrors], "insecure-registries": list(mirrors)} if mirrors else {}
        (self.run_dir / "daemon.json").write_text(json.dumps(config) + "\n")
        (self.run_dir / "config").mkdir()
        self.socket = self.run_dir / "docker.sock"
        self.env = dict(os.environ, DOCKER_HOST=f"unix://{self.socket}", DOCKER_BUILDKIT="1",
                        DOCKER_CONFIG=str(self.run_dir / "config"))
        self.log = open(self.run_dir / "dockerd.log", "w")  # noqa: SIM115 - open while the daemon runs
        self.process = subprocess.Popen(
            [DOCKERD, f"--data-root={data_root}", f"--exec-root={self.run_dir / 'exec'}",
             f"--pidfile={self.run_dir / 'dockerd.pid'}", f"--host=unix://{self.socket}",
             f"--config-file={self.run_dir / 'daemon.json'}", "--iptables=false", "--ip6tables=false",
             "--bridge=none", "--ip-forward=false", "--ip-masq=false", "--storage-driver=overlay2"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while self.run("version", check=False).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise EngineError(f"dockerd did not start:\n{(self.run_dir / 'dockerd.log').read_text()[-3000:]}")
            time.sleep(0.5)

    def run(self, *args: str, check: bool = True, timeout: float = 900,
            input: str | None = None) -> subprocess.CompletedProcess:
        """``docker ARGS`` against this daemon; text output captured.

        Raises:
            EngineError: when ``check`` and docker exits non-zero (with its output's tail).
        """
        result = subprocess.run([CLIENT, *args], env=self.env, capture_output=True, text=True, timeout=timeout,
                                input=input)
        if check and result.returncode != 0:
            raise EngineError(f"docker {' '.join(args)} exited {result.returncode}:\n"
                              f"{(result.stdout + result.stderr)[-3000:]}")
        return result

    def build(self, context: Path, tag: str, *extra: str, timeout: float = 1800) -> tuple[str, float]:
        """``docker build`` with BuildKit, ``--network host`` and plain progress.

        Returns:
            (the build log, wall seconds). Raises EngineError on failure.
        """
        start = time.monotonic()
        result = subprocess.run([CLIENT, "build", "--network", "host", "--progress", "plain", "-t", tag, *extra,
                                 str(context)], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=timeout)
        seconds = time.monotonic() - start
        if result.returncode != 0:
            raise EngineError(f"docker build of {context} exited {result.returncode}:\n{result.stdout[-4000:]}")
        return result.stdout, seconds

    def image_id(self, image: str) -> str | None:
        """The image's id (``sha256:...``), or None when the daemon lacks it."""
        result = self.run("image", "inspect", "--format", "{{.Id}}", image, check=False)
        return result.stdout.strip() if result.returncode == 0 else None

    def load(self, engine: Engine, image: str) -> None:
        """Copy ``image`` from podman's storage: ``podman save`` piped into ``docker load``.

        Skipped when this daemon has the image under the same id already.
        Raises:
            EngineError: either side failed.
        """
        name = full_name(image)
        podman_id = engine.run("image", "inspect", "--format", "{{.Id}}", name).stdout.strip()
        if self.image_id(name) == f"sha256:{podman_id}":
            return
        save = subprocess.Popen([engine.podman, "save", "--format", "docker-archive", name], env=engine.env,
                                stdout=subprocess.PIPE)
        loaded = subprocess.run([CLIENT, "load"], env=self.env, stdin=save.stdout, capture_output=True, text=True,
                                timeout=900)
        save.stdout.close()
        if save.wait() != 0 or loaded.returncode != 0:
            raise EngineError(f"podman save {name} | docker load failed: {loaded.stderr[-2000:]}")

    def inspect(self, name: str) -> dict:
        """``docker inspect`` of an image or container (the first object)."""
        return json.loads(self.run("inspect", name).stdout)[0]

    def stop(self) -> None:
        """End the daemon (SIGTERM, then SIGKILL after 30 s) and remove its run directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.log.close()
        subprocess.run(["umount", "-R", "-l", str(self.run_dir / "exec")], capture_output=True, check=False)
        shutil.rmtree(self.run_dir, ignore_errors=True)


def http_in_netns(pid: int, port: int, path: str = "/", timeout: float = 5) -> tuple[int, str]:
    """GET http://127.0.0.1:port/path inside the network namespace of host process ``pid``.

    The container runs with ``--network none`` (the daemon has no bridge), so only its own
    loopback reaches it; ``nsenter --net`` runs this machine's Python there.
    Returns (status, body); (0, error text) when nothing answers.
    """
    code = ("import sys, urllib.request, urllib.error\n"
            f"try:\n  r = urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout={timeout})\n"
            "  print(r.status); sys.stdout.write(r.read().decode(errors='replace'))\n"
            "except urllib.error.HTTPError as e:\n  print(e.code); sys.stdout.write(e.read().decode(errors='replace'))\n"
            "except OSError as e:\n  print(0); sys.stdout.write(str(e))\n")
    result = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", shutil.which("python3") or "python3", "-c", code],
                            capture_output=True, text=True, timeout=timeout + 10)
    status, _, body = result.stdout.partition("\n")
    return (int(status) if status.strip().isdigit() else 0), body or result.stderr
