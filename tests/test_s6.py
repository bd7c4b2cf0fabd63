"""s6 runs the programs of a ``processes`` spec for real (R01, R02, R11, R18).

Each test renders a processes spec with the CLI and starts the image's ENTRYPOINT chain on
the host, in a private mount namespace (sandbox.py): the rendered run.sh is bound at its
image path, /usr/local/bin/run.sh, which every s6 service's ``run`` and ``finish`` link to,
and a test directory is bound at /var/lib/dockgen, where run.sh writes the scan directory. run.sh
(dash) then execs Debian's ``s6-svscan``. The programs are small python programs that print
to the container's stdout, which is the pipe the test reads.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from support import EXAMPLES, RUNTIME_CASES, render, spec_id
from sandbox import RUN_SH, Started, host_entrypoint, make_shell, pid_alive, sandbox

PYTHON = "/usr/bin/python3"
GRACE = 10  # seconds: the default stop_grace_period, after which docker sends SIGKILL (R11)
SLOW = 60  # seconds: generous bound for waits that only prove something happens (the suite runs under load)
EX_CONFIG = 78  # run.sh's exit code for a configuration error


def program(name: str, stop_signal: str = "SIGTERM", ignore_term: bool = False) -> list[str]:
    """A python program that prints ``<name> ready <pid> <secret seen?>`` (one write: programs
    share the container's stdout, so a line written piecemeal could interleave) and, on ``stop_signal``,
    ``<name> got <signal> 100% 'quoted'`` (quoting survives run.sh), then exits 0."""
    code = (
        "import os, signal, time; "
        + ("signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_term else "")
        + f"signal.signal(signal.{stop_signal}, lambda *a: (os.write(1, b\"{name} got {stop_signal} 100% 'quoted'\\n\"), os._exit(0))); "
        + f"os.write(1, f'{name} ready {{os.getpid()}} {{\"DB_PASSWORD\" in os.environ or \"DB_PASSWORD_FILE\" in os.environ}}\\n'.encode()); "
        + "[time.sleep(1) for _ in iter(int, 1)]"
    )
    return [PYTHON, "-u", "-c", code]


def write_spec(root: Path, processes: dict, grace: str = "10s", init: bool = False) -> Path:
    """A processes spec (with one secret) in ``root``."""
    spec = {"name": "two-programs", "language": "none", "base": "alpine:3.20", "secrets": ["DB_PASSWORD"],
            "processes": processes, "stop_grace_period": grace, "init": init}
    path = root / "dockgen.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def image_paths(files: dict[str, Path], root: Path, workdir: str = "/app") -> list[tuple[Path, str, str]]:
    """Binds that put run.sh at its image path, a writable /var/lib/dockgen and the workdir in place."""
    bin_dir, runtime, work = root / "image-bin", root / "run-dockgen", root / "workdir"
    for directory, mount_point in ((bin_dir, None), (runtime, "/var/lib/dockgen"), (work, workdir)):
        directory.mkdir()
        if mount_point:
            os.makedirs(mount_point, exist_ok=True)
    shutil.copy2(files["run.sh"], bin_dir / "run.sh")
    return [(bin_dir, str(Path(RUN_SH).parent), "ro"), (runtime, "/var/lib/dockgen", "rw"), (work, workdir, "ro")]


def start(spec: Path, root: Path, pid_namespace: bool = False) -> Started:
    """Render ``spec`` and start its ENTRYPOINT (run.sh → s6-svscan) on the host, with the
    spec's ``env`` as the image's ENV would set it."""
    files = render(spec, root / "out")
    argv = host_entrypoint(files["Dockerfile"], Path(RUN_SH), make_shell("dash", root))
    secret = root / "db_password"
    secret.write_text("pw\n")
    env = {**yaml.safe_load(spec.read_text()).get("env", {}), "PATH": "/usr/bin:/bin", "DB_PASSWORD_FILE": str(secret)}
    return Started.start(sandbox(argv, image_paths(files, root), pid_namespace=pid_namespace), env)


def ready_pids(started: Started, *names: str) -> dict[str, int]:
    """Wait for each program's ready line; returns their PIDs (host PIDs outside a PID namespace)."""
    pids = {}
    for name in names:
        line = started.wait_for(f"{name} ready")[0].split()
        assert line[-1] == "False", f"{name} sees a secret in its environment (R18)"
        pids[name] = int(line[-2])
    return pids


def comm(pid: int) -> str:
    """The program name of ``pid`` (/proc/PID/comm)."""
    return Path(f"/proc/{pid}/comm").read_text().strip()


def test_r01_r11_two_programs_log_to_stdout_and_stop_with_their_own_signals(tmp_path):
    """Both programs start and print to stdout; SIGTERM to s6-svscan (run.sh exec'd it: same
    PID, no shell left) stops each with its own down-signal (quitter ignores SIGTERM and only
    ends on SIGQUIT) at once, never by SIGKILL; the exit code is 0 and no program outlives it."""
    spec = write_spec(tmp_path, {"ticker": {"command": program("ticker")},
                                 "quitter": {"command": program("quitter", "SIGQUIT", ignore_term=True), "stop_signal": "SIGQUIT"}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "ticker", "quitter")
        assert comm(started.proc.pid) == "s6-svscan"
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0, started.output()
        assert "ticker got SIGTERM 100% 'quoted'" in started.out
        assert "quitter got SIGQUIT 100% 'quoted'" in started.out
        assert not [line for line in started.err if "ended with exit code" in line], started.output()
        assert [name for name, pid in pids.items() if pid_alive(pid)] == []
    finally:
        started.kill()


def test_r11_timeout_kill_ends_a_program_that_ignores_its_stop_signal(tmp_path):
    """The limit is real: a program that ignores its stop signal is SIGKILLed after the grace
    period minus 1 s (grace 3 s → timeout-kill 2000 ms), so s6-svscan still exits, with 0,
    before docker's SIGKILL at the grace period."""
    spec = write_spec(tmp_path, {"stubborn": {"command": program("stubborn", "SIGUSR1", ignore_term=True)}}, grace="3s")
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "stubborn")
        sent = time.monotonic()
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0, started.output()
        assert 1.5 < time.monotonic() - sent < 3, "SIGKILL came before timeout-kill or after the grace period"
        assert not pid_alive(pids["stubborn"])
    finally:
        started.kill()


def test_r01_a_program_that_fails_at_once_brings_the_container_down_with_its_exit_code(tmp_path):
    """Let it crash: a program that exits 3 at once is not started again; the other program is
    stopped with its own signal and the container exits 3, so the orchestrator sees the failure."""
    spec = write_spec(tmp_path, {"steady": {"command": program("steady")},
                                 "crasher": {"command": ["/bin/sh", "-c", "sleep 0.5; echo crasher starting; exit 3"]}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "steady")
        assert started.finish(timeout=SLOW) == 3, started.output()
        assert started.out.count("crasher starting") == 1, started.output()  # never restarted
        assert "run.sh: crasher ended with exit code 3; stopping the container" in started.err, started.output()
        assert "steady got SIGTERM 100% 'quoted'" in started.out
        assert not pid_alive(pids["steady"])
    finally:
        started.kill()


def test_r01_a_program_that_ends_cleanly_still_stops_the_container(tmp_path):
    """A program that ran a while and exits 0 is not restarted either: the other one is stopped
    with its own signal (SIGQUIT) and the container exits 0."""
    spec = write_spec(tmp_path, {"quitter": {"command": program("quitter", "SIGQUIT", ignore_term=True), "stop_signal": "SIGQUIT"},
                                 "leaver": {"command": ["/bin/sh", "-c", "echo leaver ready; sleep 2; echo leaver leaving"]}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "quitter")
        assert started.finish(timeout=SLOW) == 0, started.output()
        assert started.out.count("leaver ready") == 1, started.output()
        assert "quitter got SIGQUIT 100% 'quoted'" in started.out
        assert not pid_alive(pids["quitter"])
    finally:
        started.kill()


def test_r01_a_program_killed_by_a_signal_gives_128_plus_its_number(tmp_path):
    """A program that a signal ends (here SIGKILL from outside, like the kernel's OOM killer)
    brings the container down with 128 + 9 = 137, the shell's convention."""
    spec = write_spec(tmp_path, {"victim": {"command": program("victim")}, "steady": {"command": program("steady")}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "victim", "steady")
        os.kill(pids["victim"], signal.SIGKILL)
        assert started.finish(timeout=SLOW) == 128 + signal.SIGKILL, started.output()
        assert "steady got SIGTERM 100% 'quoted'" in started.out
    finally:
        started.kill()


# Each program, on SIGTERM, makes the other one exit by itself (SIGUSR1 through the pid file
# the other wrote), then takes 1 s to stop: the other program ends while the stop is going on.
ENTANGLED = (
    "import os, signal, sys, time; here, other = sys.argv[1], sys.argv[2]; "
    "signal.signal(signal.SIGUSR1, lambda *a: (os.write(1, (here + ' leaves on its own\\n').encode()), os._exit(5))); "
    "term = lambda *a: (os.write(1, (here + ' got SIGTERM\\n').encode()), "
    "os.kill(int(open(sys.argv[3] + '/' + other).read()), signal.SIGUSR1), time.sleep(1), os._exit(0)); "
    "signal.signal(signal.SIGTERM, term); "
    "open(sys.argv[3] + '/' + here, 'w').write(str(os.getpid())); os.write(1, (here + ' ready\\n').encode()); "
    "[time.sleep(1) for _ in iter(int, 1)]"
)


def test_r11_a_program_ending_while_the_container_stops_keeps_exit_code_0(tmp_path):
    """A program that ends (exit 5) after the stop began was asked to stop (s6 wants it down):
    it is not taken for a crash, and the container exits 0."""
    pids_dir = tmp_path / "pids"
    pids_dir.mkdir()
    spec = write_spec(tmp_path, {"alpha": {"command": [PYTHON, "-u", "-c", ENTANGLED, "alpha", "omega", str(pids_dir)]},
                                 "omega": {"command": [PYTHON, "-u", "-c", ENTANGLED, "omega", "alpha", str(pids_dir)]}})
    started = start(spec, tmp_path)
    try:
        started.wait_for("alpha ready")
        started.wait_for("omega ready")
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0, started.output()
        assert any(line.endswith(" got SIGTERM") for line in started.out), started.output()
        assert not [line for line in started.err if "ended with exit code" in line], started.output()
    finally:
        started.kill()


def test_r02_tini_run_sh_s6_chain_as_pid_1(tmp_path):
    """The whole ENTRYPOINT (run.sh, tini, s6-svscan) with ``init: true`` in a fresh PID
    namespace: run.sh execs tini, so tini is PID 1, and s6-svscan its one child; SIGTERM to
    PID 1 stops both programs with their own signals and tini exits with s6-svscan's status, 0."""
    spec = write_spec(tmp_path, {"ticker": {"command": program("ticker")},
                                 "quitter": {"command": program("quitter", "SIGQUIT", ignore_term=True), "stop_signal": "SIGQUIT"}},
                      init=True)
    started = start(spec, tmp_path, pid_namespace=True)
    try:
        ready_pids(started, "ticker", "quitter")
        init = started.init_pid()
        assert Path(f"/proc/{init}/exe").resolve().name.startswith("tini")
        (child,) = Path(f"/proc/{init}/task/{init}/children").read_text().split()
        assert comm(int(child)) == "s6-svscan"
        os.kill(init, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0, started.output()
        assert "ticker got SIGTERM 100% 'quoted'" in started.out and "quitter got SIGQUIT 100% 'quoted'" in started.out
    finally:
        started.kill()


def processes_specs() -> list[Path]:
    """Every example and shared runtime spec that declares ``processes``."""
    return [p for p in EXAMPLES + RUNTIME_CASES if yaml.safe_load(p.read_text()).get("processes")]


STUB = "#!/bin/sh\nprintf '%s\\n' \"$PWD\" \"$@\" > /var/lib/dockgen/argv\n"


@pytest.mark.parametrize("spec", processes_specs(), ids=spec_id)
def test_r01_each_service_runs_exactly_its_program_in_the_workdir(spec, tmp_path):
    """For every processes spec, the rendered run.sh run as a service's ``./run`` (as
    s6-supervise does, in the service directory) execs exactly that program's argv, in the
    spec's workdir, without the startup work (no secret needed); an unknown service is a
    configuration error (78). The programs are stubs first on PATH that record their argv."""
    data = yaml.safe_load(spec.read_text())
    files = render(spec, tmp_path / "out")
    workdir = data.get("workdir", "/app")
    binds = image_paths(files, tmp_path, workdir)
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, process in data["processes"].items():
        command = process["command"]
        assert "/" not in command[0], f"{name}: this test stubs programs found on PATH"
        (stubs / command[0]).write_text(STUB)
        (stubs / command[0]).chmod(0o755)
    for name in [*data["processes"], "not-a-program"]:
        service = tmp_path / "run-dockgen" / "s6" / name
        service.mkdir(parents=True)
        (service / "run").symlink_to(RUN_SH)
        script = f"cd /var/lib/dockgen/s6/{name} && exec ./run {name}"
        result = subprocess.run(sandbox(["/bin/sh", "-c", script], binds), env={"PATH": f"{stubs}:/usr/bin:/bin"},
                                capture_output=True, text=True, timeout=SLOW)
        if name == "not-a-program":
            assert result.returncode == EX_CONFIG
            assert result.stderr == "run.sh: no program for the s6 service not-a-program\n"
            continue
        assert result.returncode == 0, result.stderr
        recorded = (tmp_path / "run-dockgen" / "argv").read_text().split("\n")[:-1]
        assert recorded == [workdir, *data["processes"][name]["command"][1:]]


def test_r01_awkward_names_and_the_specs_env_reach_the_programs_unchanged(tmp_path):
    """Process names that are shell keywords (``esac``, ``do``) still work, and env values the
    script could have clobbered with its own variables (``service``, ``dir``, ``code``) reach
    every program exactly as the spec sets them."""
    show = [PYTHON, "-u", "-c", "import os, sys, time; e = os.environ.get; "
            "os.write(1, f'{sys.argv[1]} sees {e(\"service\")} {e(\"dir\")} {e(\"code\")}\\n'.encode()); time.sleep(60)"]
    spec = write_spec(tmp_path, {"esac": {"command": [*show, "esac"]}, "do": {"command": [*show, "do"]}})
    data = yaml.safe_load(spec.read_text())
    data["env"] = {"service": "svc-1", "dir": "/data", "code": "c0de"}
    spec.write_text(yaml.safe_dump(data))
    started = start(spec, tmp_path)
    try:
        for name in ("esac", "do"):
            assert started.wait_for(f"{name} sees") == [f"{name} sees svc-1 /data c0de"]
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0, started.output()
    finally:
        started.kill()


def test_r01_of_two_programs_ending_together_the_failing_one_sets_the_exit_code(tmp_path):
    """Two programs end by themselves at the same moment, one cleanly and one with 5: the
    container exits 5 whichever finished first (a clean exit never hides a failure)."""
    spec = write_spec(tmp_path, {"clean": {"command": ["/bin/sh", "-c", "sleep 1; exit 0"]},
                                 "failing": {"command": ["/bin/sh", "-c", "sleep 1; exit 5"]},
                                 "steady": {"command": program("steady")}})
    started = start(spec, tmp_path)
    try:
        assert started.finish(timeout=SLOW) == 5, started.output()
    finally:
        started.kill()


@pytest.mark.parametrize("init", [False, True], ids=["no-init", "init"])
def test_r12_arguments_given_to_a_processes_image_are_refused(tmp_path, init):
    """``docker run image ARGS`` cannot replace the spec's processes: run.sh stops with 78
    instead of starting s6 and silently dropping the arguments (with ``init``, run.sh gets
    ``tini --`` before s6-svscan's two words: still refused)."""
    spec = write_spec(tmp_path, {"ticker": {"command": program("ticker")}}, init=init)
    files = render(spec, tmp_path / "out")
    argv = host_entrypoint(files["Dockerfile"], Path(RUN_SH), make_shell("dash", tmp_path)) + ["sh", "-c", "echo hi"]
    result = subprocess.run(sandbox(argv, image_paths(files, tmp_path)), capture_output=True, text=True, timeout=SLOW,
                            env={"PATH": "/usr/bin:/bin", "DB_PASSWORD": "pw"})
    assert result.returncode == EX_CONFIG
    assert result.stderr == "run.sh: this image runs the spec's processes under s6 and takes no arguments\n"
