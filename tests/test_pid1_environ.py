"""No process of the container, PID 1 included, holds a secret in its environment (R02, R18).

A secret may arrive as NAME_FILE or as plain NAME (``docker run -e NAME=...``). run.sh is the
ENTRYPOINT's first program: it reads the secret, writes the config files, unsets NAME and
NAME_FILE and only then execs tini (or the app, or s6-svscan), so the environment PID 1
starts with is already clean, and ``/proc/1/environ``, which the app's own uid may read,
never shows the value (issue 10, item 4). Each test starts the rendered ENTRYPOINT chain as
PID 1 of a fresh PID namespace (sandbox.py), with run.sh bound at its image path (the s6
services link there), and reads ``/proc/<pid>/environ`` of every process in it from the host.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest
import yaml

from support import render
from sandbox import RUN_SH, Started, host_entrypoint, make_shell, sandbox, startup_prefix

PYTHON = "/usr/bin/python3"
SECRET = "s3cr3t-in-pid1-test"
# The app: says it is ready, then waits for SIGTERM.
# One write, as programs under s6 share the container's stdout.
APP = [PYTHON, "-u", "-c", "import os, signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); "
       "os.write(1, b'probe: ready\\n'); [time.sleep(1) for _ in iter(int, 1)]"]


def write_spec(root: Path, init: bool, processes: bool) -> Path:
    """A spec with the secret DB_PASSWORD in a config file; one program, or two under s6."""
    spec = {"name": "pid1-environ", "language": "none", "base": "debian:12-slim", "secrets": ["DB_PASSWORD"],
            "config": [{"source": "app.tmpl", "target": "/etc/app/app.ini"}], "init": init}
    if processes:
        spec["processes"] = {"one": {"command": list(APP)}, "two": {"command": list(APP)}}
    else:
        spec["entrypoint"] = [PYTHON]
    (root / "app.tmpl").write_text("password=${DB_PASSWORD}\n")
    path = root / "dockgen.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def image_binds(run_sh: Path, root: Path) -> list[tuple[Path, str, str]]:
    """run.sh at /usr/local/bin/run.sh, a writable /var/lib/dockgen and an /app to start in."""
    binds = []
    for name, target, mode in (("image-bin", str(Path(RUN_SH).parent), "ro"), ("run-dockgen", "/var/lib/dockgen", "rw"),
                               ("workdir", "/app", "ro")):
        (root / name).mkdir()
        os.makedirs(target, exist_ok=True)
        binds.append((root / name, target, mode))
    shutil.copy2(run_sh, root / "image-bin" / "run.sh")
    return binds


def start(root: Path, init: bool, processes: bool, delivery: str, path: str = "/usr/bin:/bin") -> Started:
    """Start the rendered ENTRYPOINT (the app in place of the spec's program) with the secret
    delivered as ``NAME`` or ``NAME_FILE``."""
    files = render(write_spec(root, init, processes), root / "out")
    entrypoint = host_entrypoint(files["Dockerfile"], Path(RUN_SH), make_shell("dash", root))
    argv = entrypoint if processes else [*startup_prefix(entrypoint, Path(RUN_SH)), *APP]
    env = {"PATH": path}
    if delivery == "NAME":
        env["DB_PASSWORD"] = SECRET
    else:
        (root / "db_password").write_text(SECRET + "\n")
        env["DB_PASSWORD_FILE"] = str(root / "db_password")
    return Started.start(sandbox(argv, image_binds(files["run.sh"], root), pid_namespace=True), env)


def namespace_pids(init: int) -> list[int]:
    """PID 1 of the sandbox (its host PID) and all its descendants."""
    pids, todo = [], [init]
    while todo:
        pid = todo.pop(0)
        pids.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            todo.extend(int(child) for child in task.read_text().split())
    return pids


@pytest.mark.parametrize("delivery", ["NAME", "NAME_FILE"])
@pytest.mark.parametrize("init", [True, False], ids=["init", "no-init"])
@pytest.mark.parametrize("processes", [False, True], ids=["one-program", "s6"])
def test_r02_r18_no_process_not_even_pid1_has_the_secret_in_its_environ(tmp_path, delivery, init, processes):
    started = start(tmp_path, init, processes, delivery)
    try:
        started.wait_for("probe: ready", count=2 if processes else 1)
        pid1 = started.init_pid()
        expected = "tini" if init else ("s6-svscan" if processes else "python3")
        assert Path(f"/proc/{pid1}/comm").read_text().strip() == expected
        pids = namespace_pids(pid1)
        assert len(pids) >= (3 if processes else 1), pids
        for pid in pids:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            names = {entry.split(b"=", 1)[0] for entry in environ.split(b"\0") if entry}
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            assert SECRET.encode() not in environ, f"pid {pid} ({comm}) holds the secret in its environment"
            assert b"DB_PASSWORD" not in names and b"DB_PASSWORD_FILE" not in names, (pid, comm, names)
        assert (tmp_path / "run-dockgen" / "app.ini").read_text() == f"password={SECRET}\n"
    finally:
        started.kill()


def test_r02_r11_stop_signal_while_run_sh_is_pid1_ends_the_start(tmp_path):
    """Until it execs tini, run.sh is PID 1, which gets no default action for SIGTERM: its
    trap ends the start (exit 143) instead of the app starting and the stop waiting for
    SIGKILL. A slow ``cat`` (reading the secret file) holds run.sh while the signal comes."""
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "cat").write_text(f"#!/bin/sh\n: > {tmp_path}/reading\nsleep 1\nexec /bin/cat \"$@\"\n")
    (fake / "cat").chmod(0o755)
    started = start(tmp_path, True, False, "NAME_FILE", path=f"{fake}:/usr/bin:/bin")
    try:
        deadline = time.monotonic() + 15
        while not (tmp_path / "reading").exists() and started.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (tmp_path / "reading").exists(), started.output()
        os.kill(started.init_pid(), signal.SIGTERM)
        assert started.finish(timeout=5) == 128 + signal.SIGTERM, started.output()
        assert "probe: ready" not in started.out
    finally:
        started.kill()
