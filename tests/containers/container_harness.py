"""Helpers of the container tier (issue 4): which examples can be built, building them into
a decoyed copy of their directory, running containers the way compose.yaml says, and
looking inside containers and images.

Which examples are built: every ``specs/*/dockgen.yaml`` whose rendered FROM lines can be
stood in from Debian packages (see standins.py). Alpine-based examples cannot be:
``specs/php-notebook`` (php-fpm-alpine + nginx) and ``specs/python-cli`` (python alpine).
Their Debian twins ``specs/php-notebook-debian`` and ``specs/python-cli-debian`` carry the
same apps and are built instead; test_examples.py checks that nothing else is left out.
"""

from __future__ import annotations

import json
import secrets as random_secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from dockgen.loader import load_spec  # noqa: E402
from dockgen.plan import make_plan  # noqa: E402
from standins import Engine, full_name, recipe_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("specs/*/dockgen.yaml"))
DOCKGEN = Path(sys.executable).parent / "dockgen"
TAG_PREFIX = "localhost/dockgen-test/"
LABEL = "dockgen-test=1"


def from_images(spec: Path) -> list[str]:
    """Every FROM image of the Dockerfile dockgen plans for ``spec`` (stage aliases left out)."""
    plan = make_plan(load_spec(spec))
    aliases = {stage.name for stage in plan.stages if stage.name}
    return [step.image for stage in plan.stages for step in stage.steps
            if step.kind == "from_" and step.image not in aliases]


def why_not_buildable(spec: Path) -> str | None:
    """None when every FROM image of ``spec`` has a stand-in; else the reason it has not."""
    for image in from_images(spec):
        try:
            recipe_for(image)
        except LookupError as exc:
            return str(exc)
    return None


BUILDABLE = [spec for spec in EXAMPLES if why_not_buildable(spec) is None]
NOT_BUILDABLE = {spec.parent.name: why_not_buildable(spec) for spec in EXAMPLES if spec not in BUILDABLE}


def example_id(spec: Path) -> str:
    """``python-notes`` for ``specs/python-notes/dockgen.yaml``."""
    return spec.parent.name


@dataclass
class Built:
    """One example rendered into a copy of its directory and built.

    Attributes:
        name: the example (directory) name; spec: its spec file in the copy.
        context: the build context (the copy, with decoys: a .git dir, a .env file and
            secrets/ holding the secret values, none of which may reach the image).
        tag: the image tag; log: podman build's output; seconds: wall time of the build.
        service: the compose service (dict) of the rendered compose.yaml.
        secrets: secret NAME -> value written to secrets/<file> (random, unique).
        marker: a random string written into every decoy; no image file may hold it.
        plan: dockgen's plan of the spec.
    """

    name: str
    spec: Path
    context: Path
    tag: str
    log: str
    seconds: float
    service: dict
    secrets: dict[str, str]
    marker: str
    plan: object

    @property
    def dockerfile(self) -> str:
        """The rendered Dockerfile's text."""
        return (self.context / "Dockerfile").read_text()


def prepare_context(spec_dir: Path, target: Path) -> tuple[Path, dict, dict[str, str], str]:
    """Copy an example to ``target``, render it there and add the decoys (R18, R19).

    Returns:
        (spec path, compose service dict, secret NAME -> value, marker).
    """
    shutil.copytree(spec_dir, target, ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([str(DOCKGEN), "render", str(target / "dockgen.yaml"), "-o", str(target)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    files = {p.name: p for p in target.iterdir()}
    compose = yaml.safe_load(files["compose.yaml"].read_text())
    (service,) = compose["services"].values()
    marker = "decoy-" + random_secrets.token_hex(12)
    (target / ".git").mkdir()
    (target / ".git" / "config").write_text(f"[core]\n\tsecret = {marker}\n")
    (target / ".env").write_text(f"DB_PASSWORD={marker}\n")
    values = {}
    secret_dir = target / "secrets"
    secret_dir.mkdir()
    for name, path in (service.get("environment") or {}).items():
        if name.endswith("_FILE") and path.startswith("/run/secrets/"):
            value = f"{marker}-{name[:-5].lower()}"
            file = secret_dir / path.rsplit("/", 1)[1]
            file.write_text(value)
            file.chmod(0o444)  # read by the container's non-root uid through a bind mount
            values[name[:-5]] = value
    return target / "dockgen.yaml", service, values, marker


# --- running containers the compose way ----------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    """A container started by :func:`start`: its id, host ports (container port -> host port)."""

    id: str
    ports: dict[int, int] = field(default_factory=dict)


def run_args(item: Built) -> tuple[list[str], dict[int, int]]:
    """``podman run`` options that apply the compose service's hardening (R13, R14, R15, R18, R11).

    Each port is published on compose's host address, on a free host port. Returns (options, ports).
    Raises AssertionError when compose.yaml lacks the hardening it must have.
    """
    service = item.service
    assert service["read_only"] is True, "compose.yaml must set read_only (R13)"
    assert service["cap_drop"] == ["ALL"], "compose.yaml must drop every capability (R14)"
    assert "no-new-privileges:true" in service["security_opt"], "compose.yaml must set no-new-privileges (R14)"
    # --read-only as compose's read_only gives it: Podman then mounts its own tmpfs on /run,
    # /tmp, /var/tmp and /dev/shm too (read_only_tmpfs), and the image must work with them.
    args = ["--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges",
            f"--user={service['user']}", f"--label={LABEL}"]
    args += [f"--cap-add={cap}" for cap in service.get("cap_add", [])]
    # R13, issue 10 item 11: compose's tmpfs entries as written: podman refuses options it
    # does not know (Docker's uid=/gid=), so a form only Docker takes fails here.
    args += [f"--tmpfs={entry}" for entry in service.get("tmpfs", [])]
    for entry in service.get("volumes", []):
        _, path = entry.split(":", 1)
        args.append(f"--mount=type=volume,dst={path}")  # an anonymous volume, removed with the container
    ports = {}
    for entry in service.get("ports", []):  # compose's long syntax; the host address as written
        assert entry["published"] == entry["target"], entry
        ports[entry["target"]] = free_port()
        host = f"[{entry['host_ip']}]" if ":" in entry["host_ip"] else entry["host_ip"]
        args.append(f"--publish={host}:{ports[entry['target']]}:{entry['target']}")
    for name, value in (service.get("environment") or {}).items():
        args.append(f"--env={name}={value}")
    for secret in service.get("secrets", []):
        args.append(f"--volume={item.context / 'secrets' / secret}:/run/secrets/{secret}:ro")
    # Issue 13: compose's resource keys as written (podman takes Docker's units)
    for key, flag in (("mem_limit", "--memory"), ("mem_reservation", "--memory-reservation"), ("cpus", "--cpus"),
                      ("pids_limit", "--pids-limit")):
        if key in service:
            args.append(f"{flag}={service[key]}")
    args.append(f"--stop-signal={service['stop_signal']}")
    grace = str(service["stop_grace_period"])
    assert grace.endswith("s") and grace[:-1].isdigit(), f"unexpected stop_grace_period {grace}"
    args.append(f"--stop-timeout={grace[:-1]}")
    return args, ports


def print_run_args(item: Built) -> tuple[list[str], dict[int, int]]:
    """The options of ``dockgen render --print-run`` for ``item``, as ``podman run`` options.

    Passed as printed (issue 10, item 11: a tmpfs, mount or publish form podman refuses fails
    the start), except what a test run must own: ``--rm`` and ``--name`` are left out (the
    harness removes its containers), ``$PWD`` is the build context, a named volume becomes an
    anonymous one (removed with the container) and each published port gets a free host port
    on the host address printed; the label marks the container for clean-up. Podman's own tmpfs
    mounts of --read-only (/run, /tmp, /var/tmp) stay, as a user's run has them. Returns (options, ports).
    """
    result = subprocess.run([str(DOCKGEN), "render", "--print-run", str(item.spec)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    words = shlex.split(result.stdout.replace("\\\n", " ").replace("$PWD", str(item.context)))
    assert words[:2] == ["docker", "run"] and words[-1] == item.plan.policy.image, words
    args, ports, options = [f"--label={LABEL}"], {}, iter(words[2:-1])
    for flag in options:
        if flag == "--rm":
            continue
        if flag == "--read-only":  # the one other option without a value
            args.append(flag)
            continue
        value = next(options)
        if flag == "--name":
            continue
        if flag == "--mount" and value.startswith("type=volume,"):
            value = ",".join(part for part in value.split(",") if not part.startswith("src="))
        if flag == "--publish":
            head, _, target = value.rpartition(":")  # [HOST_IP:]HOST_PORT:CONTAINER_PORT
            host_ip = head.rpartition(":")[0]
            ports[int(target)] = free_port()
            value = f"{host_ip}:{ports[int(target)]}:{target}" if host_ip else f"{ports[int(target)]}:{target}"
        args += [flag, value]
    return args, ports


def start(engine: Engine, item: Built, *command: str, interactive: bool = False,
          options: Callable[[Built], tuple[list[str], dict[int, int]]] = run_args) -> Running:
    """Start ``item``'s image detached with the compose hardening; ``command`` overrides CMD.

    ``interactive`` keeps the container's standard input open (a tool that reads it waits);
    ``options`` makes the run options: :func:`run_args` (compose.yaml's) or :func:`print_run_args`.
    """
    args, ports = options(item)
    result = engine.run("run", "-d", *(["-i"] if interactive else []), *args, item.tag, *command)
    return Running(result.stdout.strip().splitlines()[-1], ports)


def remove(engine: Engine, running: Running) -> None:
    """Remove a container and its anonymous volumes, whatever its state."""
    engine.run("rm", "-f", "-v", "-t", "0", running.id, check=False)


def http_get(port: int, path: str = "/", timeout: float = 5) -> tuple[int, str]:
    """GET http://127.0.0.1:port/path from the host; returns (status, body text)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def wait_http(engine: Engine, running: Running, port: int, path: str = "/", deadline: float = 60) -> tuple[int, str]:
    """Poll ``path`` on the host port until it answers; fails with the container's log if it dies."""
    end = time.monotonic() + deadline
    last: Exception | None = None
    while time.monotonic() < end:
        try:
            return http_get(port, path)
        except (OSError, urllib.error.URLError) as exc:
            last = exc
        state = engine.run("inspect", "--format", "{{.State.Running}}", running.id, check=False).stdout.strip()
        if state != "true":
            logs = engine.run("logs", running.id, check=False)
            pytest.fail(f"the container stopped before answering: {logs.stdout}{logs.stderr}")
        time.sleep(0.3)
    logs = engine.run("logs", running.id, check=False)
    pytest.fail(f"no HTTP answer on port {port} within {deadline} s ({last}): {logs.stdout}{logs.stderr}")


# --- looking inside --------------------------------------------------------------------


def host_pids(engine: Engine, running: Running) -> list[int]:
    """Host PIDs of every process of the container: PID 1 first, then its descendants."""
    pid = int(engine.run("inspect", "--format", "{{.State.Pid}}", running.id).stdout.strip())
    pids, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo.extend(int(child) for child in task.read_text().split())
    return pids


def proc_status(pid: int) -> dict[str, str]:
    """``/proc/PID/status`` as a dict (key -> value text)."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def image_config(engine: Engine, tag: str) -> dict:
    """``podman image inspect`` of ``tag`` (the first and only object)."""
    return json.loads(engine.run("image", "inspect", tag).stdout)[0]


def image_files(engine: Engine, image: str, marker: str | None = None) -> tuple[dict[str, tarfile.TarInfo], list[str]]:
    """Walk the file system of ``image`` through ``podman export``.

    Returns:
        (path -> TarInfo for every entry, plus the key ``"#dpkg-status"`` holding the bytes of
        var/lib/dpkg/status when the image has one; paths of regular files whose content
        holds ``marker``).
    """
    container = engine.run("create", f"--label={LABEL}", image, "/none").stdout.strip().splitlines()[-1]
    entries: dict[str, tarfile.TarInfo] = {}
    holding: list[str] = []
    try:
        process = subprocess.Popen([engine.podman, "export", container], env=engine.env, stdout=subprocess.PIPE)
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            for member in archive:
                path = member.name.lstrip("./")
                entries[path] = member
                if marker and member.isfile() and member.size:
                    data = archive.extractfile(member).read()
                    if marker.encode() in data:
                        holding.append(path)
                    if path == "var/lib/dpkg/status":
                        entries["#dpkg-status"] = data  # type: ignore[assignment]
                elif member.isfile() and path == "var/lib/dpkg/status":
                    entries["#dpkg-status"] = archive.extractfile(member).read()  # type: ignore[assignment]
        assert process.wait() == 0, "podman export failed"
    finally:
        engine.run("rm", "-f", container, check=False)
    return entries, holding


def dpkg_packages(status: bytes | None) -> set[str]:
    """Installed package names from a dpkg status file's bytes (empty without one)."""
    if not status:
        return set()
    packages, name = set(), None
    for line in status.decode().splitlines():
        if line.startswith("Package: "):
            name = line.split(": ", 1)[1]
        elif line.startswith("Status: ") and line.endswith(" installed") and name:
            packages.add(name)
    return packages


def build_steps(log: str) -> list[tuple[str, bool]]:
    """(instruction, cached) per step of a podman build log, in order.

    buildah prints ``[k/n] STEP i/m: INSTRUCTION`` and, for a step taken from the layer
    cache, ``--> Using cache <id>`` before the next step.
    """
    steps: list[tuple[str, bool]] = []
    for line in log.splitlines():
        head, sep, instruction = line.partition("STEP ")
        if sep and (head == "" or head.startswith("[")) and ": " in instruction:
            steps.append((instruction.split(": ", 1)[1], False))
        elif line.startswith("--> Using cache") and steps:
            steps[-1] = (steps[-1][0], True)
    return steps


def fresh_copy(item: Built, target: Path) -> Path:
    """A copy of ``item``'s build context (rendered files and decoys included)."""
    shutil.copytree(item.context, target, symlinks=True)
    return target


def base_image(item: Built) -> str:
    """The final stage's FROM image, fully qualified (``scratch`` stays ``scratch``)."""
    image = from_images(item.spec)[-1]
    return image if image == "scratch" else full_name(image)
