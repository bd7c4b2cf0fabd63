"""The planner's stations: checks in the spec model, OS package managers, phases, run policy."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from support import dockgen, tool
from dockgen.images import family_of
from dockgen.loader import load_text
from dockgen.ospkg import APK, APT, Command, Glob
from dockgen.plan import Copy, Mount, Probe, PublishedPort, Run, SecretFile, System, make_plan
from dockgen.render import Renderer, shell_word
from dockgen.spec import Refusal, Spec

S6 = {"name": "demo", "language": "none", "base": "debian:12-slim", "processes": {"web": {"command": ["web"]}}}


@pytest.mark.parametrize("extra, field", [
    ({"stop_signal": "SIGHUP"}, ("stop_signal",)),
    ({"stop_grace_period": "1999ms"}, ("stop_grace_period",)),
])
def test_r11_s6_stop_checks_need_the_spec_alone(extra: dict, field: tuple):
    """The s6 refusals are the spec model's: validating the mapping raises them, no plan needed."""
    with pytest.raises(Refusal) as caught:
        Spec.model_validate({**S6, **extra})
    assert caught.value.field == field and caught.value.rule == "R11"


def test_r11_a_grace_period_of_exactly_two_seconds_is_enough_for_s6():
    assert Spec.model_validate({**S6, "stop_grace_period": "2s"}).stop_grace_period == "2s"


def test_go_binary_name_is_checked_by_the_spec_model():
    go = {"name": "g", "language": "go", "version": "1.23"}
    with pytest.raises(Refusal) as caught:
        Spec.model_validate({**go, "entrypoint": ["x y"]})
    assert caught.value.field == ("entrypoint", 0) and "binary's name or absolute path" in caught.value.message
    assert Spec.model_validate({**go, "entrypoint": ["/usr/local/bin/pinger", "-v"]}).entrypoint[0] == "/usr/local/bin/pinger"


# --- the run policy -------------------------------------------------------------------

PY = {"name": "demo", "language": "python", "version": "3.12", "entrypoint": ["python", "app.py"]}


def _plan(spec: dict, context: Path):
    return make_plan(load_text(yaml.safe_dump(spec), "dockgen.yaml", context))


def test_r13_r14_r18_policy_values_for_a_spec(tmp_path: Path):
    spec = {**PY, "user": {"name": "svc", "uid": 2000, "gid": 3000}, "writable": ["/tmp", "/app/cache"],
            "volumes": ["/data", "/app/uploads"], "caps": ["NET_BIND_SERVICE"], "secrets": ["DB_PASSWORD"],
            "ports": [8080], "stop_signal": "SIGINT", "stop_grace_period": "1m30s", "init": False,
            "healthcheck": {"command": ["true"], "interval": "1m", "timeout": "500ms", "start_period": "0s"}}
    policy = _plan(spec, tmp_path).policy
    assert (policy.uid, policy.gid, policy.read_only_root, policy.no_new_privileges) == (2000, 3000, True, True)
    assert policy.mounts == (Mount("/app/cache", "tmpfs", 2000, 3000, mode=0o1777), Mount("/tmp", "tmpfs", 2000, 3000, mode=0o1777),
                             Mount("/data", "volume", 2000, 3000, "data", app="demo"),
                             Mount("/app/uploads", "volume", 2000, 3000, "app-uploads", app="demo"))
    # compose scopes `name` to its project; a docker run volume is engine-wide: the app's name too
    assert [m.engine_name for m in policy.volumes] == ["demo-data", "demo-app-uploads"]
    assert (policy.cap_drop, policy.cap_add) == (("ALL",), ("NET_BIND_SERVICE",))
    assert policy.secrets == (SecretFile("DB_PASSWORD", "db_password", "/run/secrets/db_password", "DB_PASSWORD_FILE"),)
    assert policy.probe == Probe(("true",), interval=60, timeout=1, start_period=0, retries=3)
    assert (policy.ports, policy.stop_signal, policy.grace_seconds, policy.init) == (
        (PublishedPort(8080, "127.0.0.1"),), "SIGINT", 90, False)


def test_r13_run_sh_s_runtime_dir_is_a_tmpfs_owned_by_the_user(tmp_path: Path):
    spec = {"name": "demo", "language": "none", "base": "debian:12-slim", "processes": {"web": {"command": ["web"]}}}
    assert _plan(spec, tmp_path).policy.tmpfs == (Mount("/var/lib/dockgen", "tmpfs", 10001, 10001, mode=0o1777),)


def test_r13_no_tmpfs_mount_point_in_the_image_under_podman_s_own_tmpfs(tmp_path: Path):
    """Podman's --read-only mounts a tmpfs on /run, /tmp, /var/tmp and /dev/shm, copying the
    image's directories into it under the umask: a tmpfs mounted on such a copy gets mode 1755,
    which the user cannot write. So a writable path inside one is left to the engine, and
    run.sh's own directory (RUNTIME_DIR) lies outside them all."""
    from dockgen.plan import RUNTIME_DIR
    from dockgen.plan.policy import ENGINE_TMPFS

    assert not any(RUNTIME_DIR.startswith(parent + "/") for parent in ENGINE_TMPFS)
    spec = {**PY, "writable": ["/tmp/cache", "/run/app", "/app/cache"], "processes": {"web": {"command": ["web"]}}}
    spec.pop("entrypoint", None)
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(spec))
    result = dockgen("render", str(tmp_path / "dockgen.yaml"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    dockerfile = (tmp_path / "out" / "Dockerfile").read_text()
    made = next(line for line in dockerfile.splitlines() if "mkdir -p" in line).split()
    assert "/app/cache" in made and RUNTIME_DIR in made and "/tmp/cache" not in made and "/run/app" not in made, made
    tmpfs = yaml.safe_load((tmp_path / "out" / "compose.yaml").read_text())["services"]["demo"]["tmpfs"]
    assert {f"{p}:mode=1777" for p in ("/tmp/cache", "/run/app", "/app/cache", RUNTIME_DIR)} <= set(tmpfs), tmpfs


def test_r11_compose_and_docker_run_read_the_same_whole_seconds(tmp_path: Path):
    """compose.yaml writes the policy's whole seconds (1m30s -> 90s) and docker-compose accepts them;
    --print-run gives docker the same grace period."""
    spec = {**PY, "stop_grace_period": "1m30s", "healthcheck": {"command": ["true"], "interval": "1m30s", "timeout": "2500ms"},
            "writable": ["/tmp"]}
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(spec))
    assert dockgen("render", tmp_path / "dockgen.yaml", "-o", tmp_path / "out").returncode == 0
    result = subprocess.run([tool("docker-compose"), "-f", "compose.yaml", "config", "--format", "json"],
                            cwd=tmp_path / "out", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    service = json.loads(result.stdout)["services"]["demo"]
    assert service["stop_grace_period"] == "1m30s"  # docker-compose's normal form of 90s
    assert (service["healthcheck"]["interval"], service["healthcheck"]["timeout"]) == ("1m30s", "3s")  # rounded up
    assert "stop_grace_period: 90s" in (tmp_path / "out" / "compose.yaml").read_text()
    run = shlex.split(dockgen("render", "--print-run", tmp_path / "dockgen.yaml").stdout.replace("\\\n", " "))
    assert run[run.index("--stop-timeout") + 1] == "90"
    assert run[run.index("--tmpfs") + 1] == "/tmp:mode=1777"
    assert service["tmpfs"] == ["/tmp:mode=1777"]


# --- OS package managers ----------------------------------------------------------------


def test_r04_r08_r10_apt_updates_installs_and_removes_its_lists_in_one_run():
    assert APT.install(("curl", "tini")) == (
        Command(("apt-get", "update")),
        Command(("apt-get", "install", "-y", "--no-install-recommends"), ("curl", "tini")),
        Command(("rm", "-rf", "/var/lib/apt/lists/*")),
    )
    assert isinstance(APT.install(("tini",))[-1].argv[-1], Glob)  # the one word the shell expands
    assert (APT.pin_rule, APT.tini, APT.pinned("curl=8.5.0-2"), APT.pinned("curl")) == ("DL3008", "/usr/bin/tini", True, False)


def test_r04_apk_installs_with_no_cache_and_needs_no_cleanup():
    assert APK.install(("s6", "tini")) == (Command(("apk", "add", "--no-cache"), ("s6", "tini")),)
    assert (APK.pin_rule, APK.tini, APK.pinned("curl=8.5.0-r0")) == ("DL3018", "/sbin/tini", True)


@pytest.mark.parametrize("image, first, second", [
    ("debian:12-slim", ("groupadd", "--gid", "20", "svc"),
     ("useradd", "--no-log-init", "--uid", "10", "--gid", "20", "--no-create-home", "--home-dir", "/nonexistent",
      "--shell", "/usr/sbin/nologin", "svc")),
    ("alpine:3.22", ("addgroup", "-S", "-g", "20", "svc"),
     ("adduser", "-S", "-D", "-H", "-u", "10", "-G", "svc", "-h", "/nonexistent", "-s", "/sbin/nologin", "svc")),
    ("busybox:1.36.1", ("addgroup", "-S", "-g", "20", "svc"),
     ("adduser", "-S", "-D", "-H", "-u", "10", "-G", "svc", "-h", "/nonexistent", "-s", "/sbin/nologin", "svc")),
])
def test_r15_each_family_creates_the_user_with_its_own_tool(image: str, first: tuple, second: tuple):
    assert family_of(image).users.create("svc", 10, 20) == (Command(first), Command(second))


def test_r15_an_image_without_a_shell_gets_no_user_tool_and_no_manager():
    scratch = family_of("scratch")
    assert (scratch.users, scratch.manager, scratch.tini) == (None, None, None)


def test_only_dockgen_s_own_globs_reach_the_shell_unquoted():
    assert shell_word(Glob("/var/lib/apt/lists/*")) == "/var/lib/apt/lists/*"
    assert shell_word("/var/lib/apt/lists/*") == "'/var/lib/apt/lists/*'"
    assert shell_word("it's") == "'it'\"'\"'s'"


def test_r03_the_system_run_prints_one_sorted_package_per_line(tmp_path: Path):
    spec = {**PY, "system_packages": ["zlib1g=1:1.2.13", "curl=8.5.0-2"]}
    dockerfile = Renderer().files(_plan(spec, tmp_path))[0].content.decode()
    run = dockerfile[dockerfile.index("RUN apt-get update"):].split("\n\n")[0].split("\nCOPY")[0]
    assert run.splitlines()[:6] == [
        "RUN apt-get update \\",
        " && apt-get install -y --no-install-recommends \\",
        "      curl=8.5.0-2 \\",
        "      tini \\",
        "      zlib1g=1:1.2.13 \\",
        " && rm -rf /var/lib/apt/lists/* \\",
    ]


# --- phases -------------------------------------------------------------------------------


def test_r07_phases_run_in_order_base_system_dependencies_build_artifacts_final(tmp_path: Path):
    """go: the builder installs its modules from the manifests before it copies the code and
    builds; the final stage takes the binary, then the user, then how it runs."""
    plan = _plan({"name": "g", "language": "go", "version": "1.23", "variant": "alpine"}, tmp_path)
    builder, final = plan.stages[-2], plan.stages[-1]
    assert (builder.name, final.name) == ("builder", None)
    kinds = [s.kind for s in builder.steps]
    manifests = next(i for i, s in enumerate(builder.steps) if isinstance(s, Copy) and s.sources != (".",))
    code = next(i for i, s in enumerate(builder.steps) if isinstance(s, Copy) and s.sources == (".",))
    install, build = [i for i, s in enumerate(builder.steps) if isinstance(s, Run)]
    assert kinds[0] == "from_" and manifests < install < code < build
    final_kinds = [s.kind for s in final.steps]
    assert final_kinds[:2] == ["from_", "system"]
    artifact = next(i for i, s in enumerate(final.steps) if isinstance(s, Copy) and s.stage == "builder")
    assert final_kinds.index("workdir") < artifact < final_kinds.index("user") < final_kinds.index("entrypoint")
    # the label ARGs after the last RUN and COPY: a new REVISION re-runs nothing (R07, R16)
    assert final_kinds.index("user") < final_kinds.index("arg") < final_kinds.index("label") < final_kinds.index("entrypoint")


def test_r02_an_image_without_tini_gets_it_from_a_debian_stage_first(tmp_path: Path):
    plan = _plan({"name": "b", "language": "none", "base": "busybox:1.36.1", "entrypoint": ["httpd", "-f"]}, tmp_path)
    init = plan.stages[0]
    assert init.name == "init" and isinstance(init.steps[1], System)
    assert init.steps[1].commands == APT.install(("tini",)) and init.steps[1].ignore == ("DL3008",)
    final = plan.stages[-1].steps
    assert any(isinstance(s, Copy) and s.stage == "init" and s.dest == "/sbin/tini" for s in final)
    assert final[-1].argv[:3] == ("/usr/local/bin/run.sh", "/sbin/tini", "--")  # run.sh first (R18)
