"""No process of a real container, PID 1 included, holds a secret in its environment (R02, R18).

Issue 10, item 4: a secret given as plain ``-e NAME=value`` used to stay in the environment
of tini, PID 1, where the app's own uid could read it in ``/proc/1/environ``. run.sh now
starts first and execs tini with the cleaned environment. Each example with a secret is run
with the compose hardening, the secrets delivered as NAME_FILE (compose's way) or as NAME,
and ``/proc/1/environ`` is read from inside the container as the app's uid (``podman exec``),
and every process's environ from the host.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from container_harness import host_pids, http_get, proc_status, remove, run_args, wait_http
from container_harness import Running
from test_examples import JOB_PATH, WITH_SECRETS, ids

pytestmark = pytest.mark.container


def start_with(engine, item, delivery: str) -> Running:
    """The example's hardened container with its secrets as ``NAME_FILE`` files or ``NAME`` values."""
    args, ports = run_args(item)
    if delivery == "NAME":
        files = {f"--env={name}_FILE=" for name in item.secrets}
        args = [a for a in args if not any(a.startswith(f) for f in files) and not a.startswith("--volume=")]
        args += [f"--env={name}={value}" for name, value in item.secrets.items()]
    result = engine.run("run", "-d", *args, item.tag)
    return Running(result.stdout.strip().splitlines()[-1], ports)


@pytest.mark.parametrize("delivery", ["NAME_FILE", "NAME"])
@pytest.mark.parametrize("spec", WITH_SECRETS, ids=ids)
def test_r02_r18_pid1_environ_holds_no_secret(spec: Path, engine, built, delivery) -> None:
    item = built(spec)
    container = start_with(engine, item, delivery)
    try:
        port = container.ports[min(container.ports)]
        wait_http(engine, container, port, JOB_PATH.get(item.name, "/"))
        status, body = http_get(port, JOB_PATH.get(item.name, "/"))
        assert status == 200, body
        # What the app's uid sees: podman exec runs as the image's USER, PID 1's owner.
        inside = engine.run("exec", container.id, "cat", "/proc/1/environ").stdout
        assert "PATH=" in inside, inside  # it really read PID 1's environment
        pids = host_pids(engine, container)
        assert len(pids) >= 2, "expected tini and the app"
        for pid in pids:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            names = {entry.split(b"=", 1)[0].decode() for entry in environ.split(b"\0") if entry}
            for name, value in item.secrets.items():
                assert value not in inside, f"/proc/1/environ shows {name} inside the container"
                assert value.encode() not in environ, f"pid {pid} ({proc_status(pid)['Name']}) holds {name}'s value"
                assert name not in names and f"{name}_FILE" not in names, (pid, proc_status(pid)["Name"], names)
    finally:
        remove(engine, container)
