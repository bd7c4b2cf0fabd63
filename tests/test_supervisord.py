"""supervisord from PyPI runs the rendered supervisord.conf for real (R01, R02, R11, R18).

Each test renders a ``processes`` spec with the CLI, then starts the image's ENTRYPOINT
chain on the host: run.sh (dash), which execs ``supervisord -c supervisord.conf`` with two
small python programs. The pid file goes to /run/dockgen as in the image: a private mount
namespace binds a test directory there (see sandbox.py). Programs print to the container's
stdout, which is the pipe the test reads.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import yaml

from support import EXAMPLES, RUNTIME_CASES, render, spec_id, tool
from sandbox import Started, bind_dirs, host_entrypoint, make_shell, pid_alive, sandbox

SUPERVISOR_CONF = "/etc/dockgen/supervisord.conf"  # where the Dockerfile puts it (plan.SUPERVISOR_CONF)
PYTHON = "/usr/bin/python3"
LISTENER = "dockgen-stop-on-exit"  # the eventlistener that stops supervisord when a program ends (R01)
GRACE = 10  # seconds: the default stop_grace_period, after which docker sends SIGKILL (R11)
SLOW = 60  # seconds: generous bound for waits that only prove something happens (the suite runs under load)


def program(name: str, stop_signal: str = "SIGTERM", ignore_term: bool = False) -> list[str]:
    """A python program that prints ``<name> ready <pid> <secret seen?>`` and, on ``stop_signal``,
    ``<name> got <signal> 100%`` (``%`` checks the supervisor quoting), then exits 0."""
    code = (
        "import os, signal, time; "
        + ("signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_term else "")
        + f"signal.signal(signal.{stop_signal}, lambda *a: (os.write(1, b'{name} got {stop_signal} 100%\\n'), os._exit(0))); "
        + f"print('{name} ready', os.getpid(), 'DB_PASSWORD' in os.environ or 'DB_PASSWORD_FILE' in os.environ, flush=True); "
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


def start(spec: Path, root: Path, pid_namespace: bool = False) -> Started:
    """Render ``spec`` and start its ENTRYPOINT (run.sh → supervisord) on the host."""
    files = render(spec, root / "out")
    shell = make_shell("dash", root)
    argv = host_entrypoint(files["Dockerfile"], files["run.sh"], shell, {SUPERVISOR_CONF: str(files["supervisord.conf"])})
    binds, _ = bind_dirs(["/run/dockgen/supervisord.pid"], root)
    secret = root / "db_password"
    secret.write_text("pw\n")
    env = {"PATH": f"{Path(tool('supervisord')).parent}:/usr/bin:/bin", "DB_PASSWORD_FILE": str(secret)}
    return Started.start(sandbox(argv, binds, pid_namespace=pid_namespace), env)


def ready_pids(started: Started, *names: str) -> dict[str, int]:
    """Wait for each program's ready line; returns their PIDs (host PIDs outside a PID namespace)."""
    pids = {}
    for name in names:
        line = started.wait_for(f"{name} ready")[0].split()
        assert line[-1] == "False", f"{name} sees a secret in its environment (R18)"
        pids[name] = int(line[-2])
    return pids


def listener_fired(started: Started) -> list[str]:
    """The payloads of the events on which the listener stopped supervisord (its stderr lines)."""
    prefix = f"{LISTENER}: "
    return [line.removeprefix(prefix).removesuffix(": the program ended, stopping supervisord")
            for line in started.err if line.startswith(prefix)]


def assert_stopped_gracefully(started: Started) -> None:
    """No program was killed with SIGKILL (only the stateless listener is, by design: stopsignal=KILL)."""
    killed = [line for line in started.out if "SIGKILL" in line and LISTENER not in line]
    assert not killed, started.output()


def test_r01_r11_two_programs_log_to_stdout_and_stop_with_their_own_signals(tmp_path):
    """Both programs start and print to stdout; SIGTERM to supervisord stops each with its own
    stopsignal (quitter ignores SIGTERM and only ends on SIGQUIT) well within the grace
    period, never by SIGKILL, and no program outlives supervisord."""
    spec = write_spec(tmp_path, {"ticker": {"command": program("ticker")},
                                 "quitter": {"command": program("quitter", "SIGQUIT", ignore_term=True), "stop_signal": "SIGQUIT"}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "ticker", "quitter")
        # supervisord's own log reaches stdout too, each line once
        assert len(started.wait_for("supervisord started with pid")) == 1
        assert started.proc.pid == int(started.wait_for("supervisord started with pid")[0].split()[-1])  # exec'd by run.sh
        started.wait_for("success: quitter entered RUNNING")
        started.wait_for("success: ticker entered RUNNING")
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0  # before docker's SIGKILL at the grace period
        assert "ticker got SIGTERM 100%" in started.out
        assert "quitter got SIGQUIT 100%" in started.out
        assert_stopped_gracefully(started)
        assert not listener_fired(started), started.output()  # STOPPING -> STOPPED is no exit
        assert [name for name, pid in pids.items() if pid_alive(pid)] == []
    finally:
        started.kill()


def test_r11_stopwaitsecs_ends_a_program_that_ignores_its_stop_signal(tmp_path):
    """The limit is real: a program that ignores its stop signal is killed after stopwaitsecs
    (grace 5 s → 3 s), so supervisord still exits before docker's SIGKILL at the grace period."""
    spec = write_spec(tmp_path, {"stubborn": {"command": program("stubborn", "SIGUSR1", ignore_term=True)}}, grace="5s")
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "stubborn")
        started.wait_for("success: stubborn entered RUNNING")
        sent = time.monotonic()
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=5) == 0
        assert time.monotonic() - sent < 5
        assert any("killing 'stubborn'" in line and "SIGKILL" in line for line in started.out), started.output()
        assert not pid_alive(pids["stubborn"])
    finally:
        started.kill()


def test_r01_a_program_that_crashes_at_once_is_retried_then_brings_supervisord_down(tmp_path):
    """A start failure (exit within startsecs=3) is retried startretries=3 times, then FATAL →
    the listener stops supervisord, which stops the healthy program with its own signal:
    the container exits instead of running half-alive."""
    spec = write_spec(tmp_path, {"steady": {"command": program("steady")},
                                 "crasher": {"command": ["/bin/sh", "-c", "echo crasher starting; exit 3"]}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "steady")
        started.wait_for("gave up: crasher entered FATAL state", timeout=SLOW)
        assert started.finish(timeout=SLOW) == 0
        assert len([line for line in started.out if line == "crasher starting"]) == 4  # 1 start + startretries=3
        assert not [line for line in started.out if "success: crasher" in line], started.output()
        assert listener_fired(started) == ["processname:crasher groupname:app from_state:BACKOFF"], started.output()
        assert "steady got SIGTERM 100%" in started.out
        assert_stopped_gracefully(started)
        assert not pid_alive(pids["steady"])
    finally:
        started.kill()


def test_r01_r11_a_program_that_ends_after_startsecs_brings_supervisord_down(tmp_path):
    """Let it crash: a program that ran 5 s (past startsecs=3, RUNNING) and then exits, even with
    status 0, is not restarted; supervisord stops the other program with its own signal
    (quitter ignores SIGTERM, ends on SIGQUIT) and exits, so the orchestrator restarts the
    container. Before this policy (autorestart=true) it was restarted forever."""
    spec = write_spec(tmp_path, {"quitter": {"command": program("quitter", "SIGQUIT", ignore_term=True), "stop_signal": "SIGQUIT"},
                                 "leaver": {"command": ["/bin/sh", "-c", "echo leaver ready; sleep 5; echo leaver leaving; exit 0"]}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "quitter")
        started.wait_for("success: leaver entered RUNNING", timeout=SLOW)
        started.wait_for("exited: leaver (exit status 0; expected)", timeout=SLOW)
        assert started.finish(timeout=SLOW) == 0
        assert started.out.count("leaver ready") == 1, started.output()  # never restarted
        (fired,) = listener_fired(started)
        assert fired.startswith("processname:leaver groupname:app from_state:RUNNING expected:1 pid:"), started.output()
        assert "quitter got SIGQUIT 100%" in started.out
        assert_stopped_gracefully(started)
        assert not pid_alive(pids["quitter"])
    finally:
        started.kill()


# Each program, on SIGTERM, makes the other one exit on its own (SIGUSR1 through the pid file
# the other wrote), then takes 2 s to stop. supervisord stops one program at a time, so the
# other is still RUNNING and ends by itself (EXITED) while supervisord is shutting down.
ENTANGLED = (
    "import os, signal, sys, time; here, other = sys.argv[1], sys.argv[2]; "
    "signal.signal(signal.SIGUSR1, lambda *a: (os.write(1, (here + ' leaves on its own\\n').encode()), os._exit(0))); "
    "term = lambda *a: (os.write(1, (here + ' got SIGTERM\\n').encode()), "
    "os.kill(int(open(sys.argv[3] + '/' + other).read()), signal.SIGUSR1), time.sleep(2), os._exit(0)); "
    "signal.signal(signal.SIGTERM, term); "
    "open(sys.argv[3] + '/' + here, 'w').write(str(os.getpid())); print(here, 'ready', flush=True); "
    "[time.sleep(1) for _ in iter(int, 1)]"
)


def test_r11_a_program_ending_while_supervisord_stops_does_not_trip_the_listener(tmp_path):
    """Once supervisord is stopping (SUPERVISOR_STATE_CHANGE_STOPPING), the listener ignores
    the EXITED events it still gets; the stop completes within the grace period with 0."""
    pids_dir = tmp_path / "pids"
    pids_dir.mkdir()
    spec = write_spec(tmp_path, {"alpha": {"command": [PYTHON, "-u", "-c", ENTANGLED, "alpha", "omega", str(pids_dir)]},
                                 "omega": {"command": [PYTHON, "-u", "-c", ENTANGLED, "omega", "alpha", str(pids_dir)]}})
    started = start(spec, tmp_path)
    try:
        started.wait_for("success: alpha entered RUNNING", timeout=SLOW)
        started.wait_for("success: omega entered RUNNING", timeout=SLOW)
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0
        # The programs are one group, so both get SIGTERM together; whichever handles it first
        # makes the other one leave by itself, which may reach supervisord as EXITED.
        assert 1 <= len([line for line in started.out if line.endswith(" got SIGTERM")]) <= 2, started.output()
        assert not listener_fired(started), started.output()
        assert_stopped_gracefully(started)
    finally:
        started.kill()


def test_r02_tini_run_sh_supervisord_chain_as_pid_1(tmp_path):
    """The whole ENTRYPOINT with ``init: true`` in a fresh PID namespace: tini is PID 1,
    supervisord its child; SIGTERM to PID 1 stops both programs gracefully and tini exits
    with supervisord's status."""
    spec = write_spec(tmp_path, {"ticker": {"command": program("ticker")},
                                 "quitter": {"command": program("quitter", "SIGQUIT", ignore_term=True), "stop_signal": "SIGQUIT"}},
                      init=True)
    started = start(spec, tmp_path, pid_namespace=True)
    try:
        ready_pids(started, "ticker", "quitter")
        started.wait_for("success: ticker entered RUNNING")
        init = started.init_pid()
        assert Path(f"/proc/{init}/exe").resolve().name.startswith("tini")
        # tini's one child is supervisord itself: run.sh exec'd it, no shell stays between.
        (child,) = Path(f"/proc/{init}/task/{init}/children").read_text().split()
        assert b"supervisord" in Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[1]
        os.kill(init, signal.SIGTERM)
        assert started.finish(timeout=GRACE) == 0
        assert "ticker got SIGTERM 100%" in started.out and "quitter got SIGQUIT 100%" in started.out
        assert not listener_fired(started), started.output()
    finally:
        started.kill()


def processes_specs() -> list[Path]:
    """Every example and shared runtime spec that declares ``processes``."""
    return [p for p in EXAMPLES + RUNTIME_CASES if yaml.safe_load(p.read_text()).get("processes")]


@pytest.mark.parametrize("spec", processes_specs(), ids=spec_id)
def test_r11_supervisor_reads_every_rendered_conf(spec, tmp_path):
    """supervisor's own parser reads the conf of every processes spec: foreground, its log and
    each program's output on the container's stdout/stderr, each program's stop signal,
    stopwaitsecs below the grace period, no restart by supervisord (let it crash, R01) and the
    listener that stops supervisord when a program ends."""
    from supervisor.options import ServerOptions

    from dockgen.spec import duration_seconds

    data = yaml.safe_load(spec.read_text())
    files = render(spec, tmp_path / "out")
    options = ServerOptions()
    options.realize(args=["-c", str(files["supervisord.conf"])])
    assert options.nodaemon is True and options.silent is True  # in the foreground, each log line once
    assert options.logfile == "/dev/fd/1" and options.logfile_maxbytes == 0
    groups = {g.name: g for g in options.process_group_configs}
    listener = groups.pop(LISTENER)
    assert sorted(e.__name__ for e in listener.pool_events) == ["ProcessStateExitedEvent", "ProcessStateFatalEvent",
                                                                 "SupervisorStoppingEvent"]
    assert listener.process_configs[0].command.startswith("/bin/sh -c")
    assert list(groups) == ["app"]  # one group: a stop signals every program at once (R11)
    programs = {p.name: p for p in groups["app"].process_configs}
    assert set(programs) == set(data["processes"])
    grace = duration_seconds(str(data.get("stop_grace_period", "10s")))
    for name, config in programs.items():
        wanted = data["processes"][name]
        assert config.command.split()[0] == wanted["command"][0]
        assert config.stopsignal == getattr(signal, wanted.get("stop_signal", "SIGTERM"))
        assert config.stopwaitsecs < grace
        assert (config.stdout_logfile, config.stdout_logfile_maxbytes) == ("/dev/fd/1", 0)
        assert (config.stderr_logfile, config.stderr_logfile_maxbytes) == ("/dev/fd/2", 0)
        assert config.autorestart is False and config.stopasgroup and config.killasgroup
        assert (config.startsecs, config.startretries) == (3, 3)
