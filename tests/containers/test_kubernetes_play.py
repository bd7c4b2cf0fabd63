"""Issue 13: the rendered k8s/ manifests run for real with ``podman kube play``.

For two examples (python-notes: a secret, an httpGet probe, resources; php-notebook-debian:
two secrets, a claim, s6 with nginx and php-fpm, a writable /run), the image is built, the
Deployment, Service and claims are rendered with ``render --kubernetes`` and played together
with the Secret that the README's ``kubectl create secret`` line makes (data base64-encoded,
as kubectl writes it). Then: the Pod runs as the spec's uid and gid with no capability and
no new privileges (/proc/1/status), on a read-only root with its writable paths writable,
the app answers HTTP through the published port, each secret is a file where NAME_FILE
points and in no process's environment, and the Pod stops on its stop signal, not by SIGKILL.

What Podman 4.3 (Debian bookworm's) does with the fields is in the README ("Kubernetes");
the ones this test relies on, and why:

- Podman ignores the Service and publishes each ``containerPort`` on the host's same port,
  on every interface, so the app is reached on 127.0.0.1:PORT (the port must be free).
- It writes a played Secret's ``data`` values into the files as they are in the manifest,
  base64 and not decoded (the kubelet decodes them): the file holds base64 of the value.
- ``podman kube down`` stops the Pod with a timeout of 0 (SIGKILL at once), and
  terminationGracePeriodSeconds is not read; so the stop is ``podman pod stop`` (the stop
  signal, then Podman's 10 s), and ``kube down`` then removes what is left.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from container_harness import BUILDABLE, DOCKGEN, Running, example_id, host_pids, proc_status, wait_http

pytestmark = pytest.mark.container

PLAYED = [s for s in BUILDABLE if example_id(s) in ("python-notes", "php-notebook-debian")]
ANSWER = {"python-notes": ("/", '"db_password_set": true'), "php-notebook-debian": ("/index.php", "password set")}
STOP_LIMIT = 2.0  # seconds: the examples stop within a second of their stop signal (R11)


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def secret_manifest(name: str, values: dict[str, str]) -> dict:
    """What ``kubectl create secret generic NAME --from-file=KEY=secrets/KEY`` makes."""
    data = {key.lower(): base64.b64encode(value.encode()).decode() for key, value in values.items()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "type": "Opaque", "data": data}


class Played:
    """The manifests of one example played with podman: its pod, container and documents."""

    def __init__(self, engine, item, out: Path):
        self.engine, self.item = engine, item
        result = subprocess.run([str(DOCKGEN), "render", str(item.spec), "-o", str(out), "--kubernetes"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        self.docs = {p.name: list(yaml.safe_load_all(p.read_text())) for p in sorted((out / "k8s").iterdir())}
        (self.deployment,) = self.docs["deployment.yaml"]
        self.pod_spec = self.deployment["spec"]["template"]["spec"]
        (self.container,) = self.pod_spec["containers"]
        self.name = self.deployment["metadata"]["name"]
        self.pod, self.id = f"{self.name}-pod-0", f"{self.name}-pod-0-{self.name}"
        self.image = "localhost/" + self.container["image"]
        secret = self.item.plan.cluster.secret if self.item.plan.cluster else None
        documents = [*([secret_manifest(f"{self.name}-secrets", item.secrets)] if item.secrets else []),
                     *(d for name in ("deployment.yaml", "service.yaml", "volumes.yaml") for d in self.docs.get(name, []))]
        assert secret is None or documents[0]["metadata"]["name"] == secret
        self.file = out / "played.yaml"
        self.file.write_text(yaml.safe_dump_all(documents, sort_keys=False))

    def leftovers(self) -> list[str]:
        """The named volumes podman makes for this Pod (claims, emptyDirs, the Secret)."""
        return [v.get("persistentVolumeClaim", {}).get("claimName") or v.get("secret", {}).get("secretName") or v["name"]
                for v in self.pod_spec.get("volumes", [])]

    def clean(self) -> None:
        self.engine.run("kube", "down", str(self.file), check=False)
        for volume in self.leftovers():
            self.engine.run("volume", "rm", "-f", volume, check=False)
        if self.item.secrets:
            self.engine.run("secret", "rm", f"{self.name}-secrets", check=False)

    def exec(self, *argv: str) -> subprocess.CompletedProcess:
        return self.engine.run("exec", self.id, *argv, check=False)


@pytest.fixture(params=PLAYED, ids=example_id)
def played(request, engine, built, tmp_path: Path):
    item = built(request.param)
    play = Played(engine, item, tmp_path)
    ports = [p["containerPort"] for p in play.container.get("ports", [])]
    busy = [p for p in ports if not port_is_free(p)]
    assert not busy, f"podman kube play publishes containerPort on the same host port; {busy} is taken on this machine"
    engine.run("tag", item.tag, play.image)
    play.clean()
    try:
        engine.run("kube", "play", str(play.file))
        wait_http(engine, Running(play.id), ports[0], ANSWER[item.name][0])
        yield play
    finally:
        play.clean()
        engine.run("rmi", play.image, check=False)  # the tag only; item.tag keeps the image


def test_issue13_kube_play_applies_the_security_context(played: Played) -> None:
    """uid and gid of runAsUser/runAsGroup, no capability (drop ALL), no new privileges
    (allowPrivilegeEscalation: false), seccomp on, in every process of the Pod's container."""
    user = played.item.plan.spec.user
    pids = host_pids(played.engine, Running(played.id))
    assert len(pids) > 1, "tini and the app"
    for pid in pids:
        status = proc_status(pid)
        assert status["Uid"].split() == [str(user.uid)] * 4, (pid, status["Name"], status["Uid"])
        assert status["Gid"].split() == [str(user.gid)] * 4, (pid, status["Name"], status["Gid"])
        for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(status[key], 16) == 0, (pid, status["Name"], key, status[key])
        assert status["NoNewPrivs"] == "1" and status["Seccomp"] == "2", (pid, status["Name"])


def test_issue13_kube_play_root_is_read_only_and_the_writable_paths_are_writable(played: Played) -> None:
    """readOnlyRootFilesystem: true; each emptyDir and claim takes a file from the app's user (R13)."""
    inspect = json.loads(played.engine.run("inspect", played.id).stdout)[0]
    assert inspect["HostConfig"]["ReadonlyRootfs"] is True
    denied = played.exec("sh", "-c", "touch /usr/x /app/x 2>&1; echo $?")
    assert denied.stdout.count("Read-only file system") == 2, denied.stdout
    for mount in played.container["volumeMounts"]:
        if mount.get("readOnly"):
            continue
        probe = f"{mount['mountPath']}/.k8s-test"
        wrote = played.exec("sh", "-c", f"touch {probe} && rm {probe}")
        assert wrote.returncode == 0, f"{mount['mountPath']}: {wrote.stderr}"


def test_issue13_kube_play_answers_http_through_the_published_port(played: Played) -> None:
    path, text = ANSWER[played.item.name]
    deadline = time.monotonic() + 30  # nginx answers 502 until php-fpm, started beside it by s6, listens
    while True:
        status, body = wait_http(played.engine, Running(played.id), played.container["ports"][0]["containerPort"], path)
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 200 and text in body, body


def test_issue13_r18_kube_play_secret_is_a_file_and_in_no_environment(played: Played) -> None:
    """Each secret is a read-only file where NAME_FILE points (base64 as Podman 4.3 writes a
    played Secret's data), and neither its value nor its base64 is in the container's
    configuration or any process's environment (run.sh unset NAME_FILE too)."""
    env = {e["name"]: e["value"] for e in played.container["env"]}
    inspect = json.dumps(json.loads(played.engine.run("inspect", played.id).stdout)[0]["Config"]["Env"])
    pids = host_pids(played.engine, Running(played.id))
    environs = [Path(f"/proc/{pid}/environ").read_bytes() for pid in pids]
    for name, value in played.item.secrets.items():
        path = env[f"{name}_FILE"]
        content = played.exec("cat", path)
        assert content.returncode == 0, content.stderr
        assert base64.b64decode(content.stdout) == value.encode()
        assert played.exec("sh", "-c", f"echo x >> {path}").returncode != 0, f"{path} is writable"
        encoded = base64.b64encode(value.encode()).decode()
        assert value not in inspect and encoded not in inspect
        for pid, environ in zip(pids, environs):
            assert value.encode() not in environ and encoded.encode() not in environ, f"pid {pid} has {name}"
            assert f"{name}_FILE=".encode() not in environ, f"pid {pid} kept {name}_FILE"


def test_issue13_r11_the_pod_stops_on_its_signal_not_by_sigkill(played: Played) -> None:
    """``podman pod stop`` sends the stop signal; the app ends by itself within STOP_LIMIT,
    not by SIGKILL (exit 137); ``kube down`` then removes the Pod."""
    start = time.monotonic()
    played.engine.run("pod", "stop", played.pod)
    seconds = time.monotonic() - start
    state = json.loads(played.engine.run("inspect", played.id).stdout)[0]["State"]
    assert state["ExitCode"] != 137, f"SIGKILLed after {seconds:.1f} s"
    assert seconds < STOP_LIMIT, f"took {seconds:.1f} s"
    played.engine.run("kube", "down", str(played.file))
    assert played.engine.run("pod", "exists", played.pod, check=False).returncode != 0


def test_issue13_kube_play_applies_the_resources(played: Played) -> None:
    """resources.limits and requests reach the container: memory limit and reservation in bytes,
    the CPU limit as a CFS quota (Podman reads these; the process limit has no Pod field)."""
    limits = played.item.plan.policy.limits
    assert limits is not None, "the played examples carry resources"
    host = json.loads(played.engine.run("inspect", played.id).stdout)[0]["HostConfig"]
    assert host["Memory"] == limits.memory_limit and host["MemoryReservation"] == limits.memory_request
    assert host["CpuQuota"] * 1000 // host["CpuPeriod"] == limits.cpu_limit
