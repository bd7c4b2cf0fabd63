"""Run generated startup files for real on the host, inside fresh Linux namespaces.

Used by test_runsh.py and test_s6.py (R02, R11, R17, R18). The tests run as root
(``make test`` in CI), so ``unshare`` can give each run:

- a private mount namespace, where a test directory is bind-mounted over each directory
  the rendered run.sh writes into (``/var/lib/dockgen`` ...): the script runs unchanged, with
  its real absolute paths, and the host is not touched;
- optionally a fresh PID namespace (``--pid --fork --mount-proc``), where the first
  program is PID 1 exactly as in a container (tini, or the app itself with ``init: false``).

Shells: ``dash`` (Debian's /bin/sh, with mawk and coreutils), ``busybox`` (``busybox sh``
with a PATH holding only BusyBox applets, as on Alpine) and ``bash``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

UNSHARE = "/usr/bin/unshare"
MOUNT = "/usr/bin/mount"
SETPRIV = "/usr/bin/setpriv"
RUN_SH = "/usr/local/bin/run.sh"  # where the Dockerfile puts run.sh (plan.RUN_SH)
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
BUSYBOX_APPLETS = ("awk", "cat", "chmod", "rm", "sh", "kill", "sleep", "printf", "wc")

# Mount binds (src dst rw|ro ...) then "--", then the command; runs as the namespace's first program.
_SETUP = (
    'set -e; while [ "$1" != -- ]; do '
    f'{MOUNT} --bind "$1" "$2"; '
    f'if [ "$3" = ro ]; then {MOUNT} -o remount,bind,ro "$2"; fi; '
    'shift 3; done; shift; exec "$@"'
)


def host_tool(name: str) -> str:
    """Absolute path of a system command (tini, busybox, dash ...); fails the test when missing."""
    found = shutil.which(name, path=SYSTEM_PATH + ":/sbin:/usr/sbin")
    if not found:
        pytest.fail(f"{name} is not installed: run `make test` (scripts/system-deps.sh installs it)")
    return found


@dataclass(frozen=True)
class Shell:
    """A /bin/sh to run run.sh with: its argv and the PATH its tools (awk, cat, chmod) come from."""

    name: str
    argv: tuple[str, ...]
    path: str


def make_shell(name: str, workdir: Path) -> Shell:
    """The shell called ``name`` (dash, busybox or bash); ``workdir`` holds BusyBox's applet links."""
    if name == "busybox":
        busybox = host_tool("busybox")
        applets = workdir / "dockgen-busybox-bin"  # readable by the image uid too (R15)
        applets.mkdir(parents=True, exist_ok=True)
        for applet in BUSYBOX_APPLETS:
            link = applets / applet
            if not link.exists():
                link.symlink_to(busybox)
        return Shell(name, (busybox, "sh"), str(applets))
    return Shell(name, (host_tool(name),), SYSTEM_PATH)


SHELLS = ("dash", "busybox", "bash")


@pytest.fixture(params=SHELLS)
def shell(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Shell:
    """Each shell run.sh must work on: dash (Debian), busybox sh (Alpine), bash."""
    return make_shell(request.param, Path("/tmp"))


@pytest.fixture
def open_tmp() -> Path:
    """A fresh directory under /tmp that every user may traverse (pytest's own are 0700,
    root-only): for runs that drop to the image's uid (R15)."""
    path = Path(tempfile.mkdtemp(prefix="dockgen-test-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def sandbox(command: list[str], binds: list[tuple[Path, str, str]] = (), pid_namespace: bool = False,
            user: tuple[int, int] | None = None) -> list[str]:
    """The argv that runs ``command`` in a new mount (and optionally PID) namespace.

    Args:
        command: what to run once the mounts are in place (exec'd: same PID).
        binds: (host directory, path in the namespace, "rw" or "ro") bind mounts.
        pid_namespace: also a new PID namespace, where ``command`` is PID 1.
        user: (uid, gid) to drop to before ``command`` (``setpriv``), or None for root.
    """
    argv = [UNSHARE, "--mount"]
    if pid_namespace:
        argv += ["--pid", "--fork", "--mount-proc"]
    argv += ["/bin/sh", "-c", _SETUP, "setup"]
    for source, target, mode in binds:
        argv += [str(source), target, mode]
    argv.append("--")
    if user:
        argv += [SETPRIV, f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", "--"]
    return argv + list(command)


def bind_dirs(paths: list[str], root: Path, owner: tuple[int, int] | None = None) -> tuple[list[tuple[Path, str, str]], dict[str, Path]]:
    """Host directories to bind over the directories of ``paths`` (config files run.sh writes).

    A directory missing on the host (``/var/lib/app``) is created empty as a mount point.
    Returns (the binds for :func:`sandbox`, the host directory for each path's directory).
    """
    binds, hosts = [], {}
    for directory in sorted({os.path.dirname(p) for p in paths}):
        host = root / ("bind" + directory.replace("/", "_"))
        host.mkdir(parents=True, exist_ok=True)
        if owner:
            os.chown(host, *owner)
        os.makedirs(directory, exist_ok=True)
        binds.append((host, directory, "rw"))
        hosts[directory] = host
    return binds, hosts


def startup_prefix(argv: list[str], run_sh: Path) -> list[str]:
    """The part of a host entrypoint (see :func:`host_entrypoint`) before the program:
    up to tini's ``--`` (after run.sh, or alone in an image without a shell), else up to
    run.sh (``init: false``), else nothing."""
    if "--" in argv:
        return argv[: argv.index("--") + 1]
    if str(run_sh) in argv:
        return argv[: argv.index(str(run_sh)) + 1]
    return []


def host_entrypoint(dockerfile: Path, run_sh: Path, shell: Shell, replace: dict[str, str] | None = None) -> list[str]:
    """The final ENTRYPOINT of a rendered Dockerfile, with image paths mapped to the host.

    tini (the first program, or the one run.sh execs) becomes the host's tini,
    ``/usr/local/bin/run.sh`` becomes ``shell run.sh``, and ``replace`` maps any other image
    path. Fails when the Dockerfile has no exec-form ENTRYPOINT (R12).
    """
    lines = [line for line in dockerfile.read_text().splitlines() if line.startswith("ENTRYPOINT ")]
    assert lines, f"{dockerfile} has no ENTRYPOINT"
    argv = json.loads(lines[-1].removeprefix("ENTRYPOINT "))
    out: list[str] = []
    for arg in argv:
        if os.path.basename(arg) == "tini" and "--" not in out:
            out.append(host_tool("tini"))
        elif arg == RUN_SH:
            out += [*shell.argv, str(run_sh)]
        else:
            out.append((replace or {}).get(arg, arg))
    return out


@dataclass
class Started:
    """A running sandbox: its Popen and every line it printed so far (read by threads)."""

    proc: subprocess.Popen
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    _lines: queue.Queue = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> "Started":
        """Start ``argv`` with exactly ``env`` as its environment; stdout/stderr are collected."""
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace")
        started = cls(proc)
        for stream, sink in ((proc.stdout, started.out), (proc.stderr, started.err)):
            threading.Thread(target=started._read, args=(stream, sink), daemon=True).start()
        return started

    def _read(self, stream, sink: list[str]) -> None:
        for line in stream:
            sink.append(line.rstrip("\n"))
            self._lines.put(line)

    def output(self) -> str:
        """Everything printed so far, stdout then stderr (for assertion messages)."""
        return "\n".join(["--- stdout", *self.out, "--- stderr", *self.err])

    def wait_for(self, text: str, timeout: float = 15, count: int = 1) -> list[str]:
        """Block until ``count`` stdout lines contain ``text``; fails if the process ends first."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.out if text in line]
            if len(found) >= count:
                return found
            if self.proc.poll() is not None and self._lines.empty():
                time.sleep(0.1)
                found = [line for line in self.out if text in line]
                if len(found) >= count:
                    return found
                pytest.fail(f"exited ({self.proc.returncode}) before printing {text!r}\n{self.output()}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"no {text!r} within {timeout}s\n{self.output()}")
            try:
                self._lines.get(timeout=0.05)
            except queue.Empty:
                pass

    def init_pid(self) -> int:
        """Host PID of PID 1 in the sandbox's PID namespace (the one child of ``unshare --fork``)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def finish(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the exit; fails (after killing it) when it does not end."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"still running {timeout}s later\n{self.output()}")
        time.sleep(0.05)  # let the reader threads drain the pipes
        return code

    def kill(self) -> None:
        """SIGKILL the whole sandbox (its PID namespace dies with its PID 1)."""
        if self.proc.poll() is None:
            try:
                os.kill(self.init_pid(), signal.SIGKILL)
            except (OSError, AssertionError, ValueError):
                pass
            self.proc.kill()
            self.proc.wait(timeout=5)


def pid_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
