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
        assert started.finish(timeout=8) == 0  # stopwaitsecs is grace - 3 = 7 s
        assert "ticker got SIGTERM 100%" in started.out
        assert "quitter got SIGQUIT 100%" in started.out
        # No program was killed; the stateless exit-on-fatal listener is stopped with SIGKILL by design.
        assert not [line for line in started.out if "SIGKILL" in line and "dockgen-exit-on-fatal" not in line], started.output()
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


def test_r01_a_program_that_keeps_dying_brings_supervisord_down(tmp_path):
    """startretries exhausted → FATAL → the dockgen-exit-on-fatal listener stops supervisord,
    which stops the healthy program too: the container exits instead of running half-alive."""
    spec = write_spec(tmp_path, {"steady": {"command": program("steady")},
                                 "crasher": {"command": ["/bin/sh", "-c", "echo crasher starting; exit 3"]}})
    started = start(spec, tmp_path)
    try:
        pids = ready_pids(started, "steady")
        started.wait_for("gave up: crasher entered FATAL state", timeout=30)
        assert started.finish(timeout=15) == 0
        assert len([line for line in started.out if line == "crasher starting"]) >= 4  # 1 start + startretries=3
        assert "steady got SIGTERM 100%" in started.out
        assert not pid_alive(pids["steady"])
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
        assert started.finish(timeout=8) == 0
        assert "ticker got SIGTERM 100%" in started.out and "quitter got SIGQUIT 100%" in started.out
    finally:
        started.kill()


def processes_specs() -> list[Path]:
    """Every example and shared runtime spec that declares ``processes``."""
    return [p for p in EXAMPLES + RUNTIME_CASES if yaml.safe_load(p.read_text()).get("processes")]


@pytest.mark.parametrize("spec", processes_specs(), ids=spec_id)
def test_r11_supervisor_reads_every_rendered_conf(spec, tmp_path):
    """supervisor's own parser reads the conf of every processes spec: foreground, its log and
    each program's output on the container's stdout/stderr, each program's stop signal,
    stopwaitsecs below the grace period, the exit-on-fatal listener."""
    from supervisor.options import ServerOptions

    from dockgen.spec import duration_seconds

    data = yaml.safe_load(spec.read_text())
    files = render(spec, tmp_path / "out")
    options = ServerOptions()
    options.realize(args=["-c", str(files["supervisord.conf"])])
    assert options.nodaemon is True and options.silent is True  # in the foreground, each log line once
    assert options.logfile == "/dev/fd/1" and options.logfile_maxbytes == 0
    groups = {g.name: g for g in options.process_group_configs}
    listener = groups.pop("dockgen-exit-on-fatal")
    assert [e.__name__ for e in listener.pool_events] == ["ProcessStateFatalEvent"]
    assert listener.process_configs[0].command.startswith("/bin/sh -c")
    programs = {name: g.process_configs[0] for name, g in groups.items()}
    assert set(programs) == set(data["processes"])
    grace = duration_seconds(str(data.get("stop_grace_period", "10s")))
    for name, config in programs.items():
        wanted = data["processes"][name]
        assert config.command.split()[0] == wanted["command"][0]
        assert config.stopsignal == getattr(signal, wanted.get("stop_signal", "SIGTERM"))
        assert config.stopwaitsecs < grace
        assert (config.stdout_logfile, config.stdout_logfile_maxbytes) == ("/dev/fd/1", 0)
        assert (config.stderr_logfile, config.stderr_logfile_maxbytes) == ("/dev/fd/2", 0)
        assert config.autorestart and config.stopasgroup and config.killasgroup
