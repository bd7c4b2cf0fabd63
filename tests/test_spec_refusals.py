"""Specs that a reviewer used to break dockgen: each is now refused (exit 2, named rule) or
rendered right. One test per finding, through the CLI or the plan, as a user would meet it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from dockgen.errors import SpecError
from dockgen.loader import load_text
from dockgen.plan import make_plan
from support import dockgen

BASE = {"name": "demo", "language": "python", "version": "3.12", "entrypoint": ["python", "app.py"]}

REFUSED = {
    # R15/R07: COPY flags smuggled in through a build-context path
    "copy-flag": ({"copy": ["--chown=10001:10001", "--chmod=777", "."]}, ["copy[0]", "relative path"]),
    "dependency-flag": ({"dependencies": ["--from=evil:1"]}, ["dependencies[0]"]),
    # R09: names apt or apk resolve to an ssh server
    "ssh-metapackage": ({"system_packages": ["ssh"]}, ["R09"]),
    "ssh-apt-pattern-dot": ({"system_packages": ["openssh.server"]}, ["R09"]),
    "ssh-apt-pattern-plus": ({"system_packages": ["openssh-server+"]}, ["R09"]),
    "ssh-dropbear-bin": ({"build_packages": ["dropbear-bin"]}, ["R09"]),
    "ssh-tinyssh": ({"system_packages": ["tinyssh"]}, ["R09"]),
    "ssh-case": ({"system_packages": ["OpenSSH-Server"]}, ["R09"]),
    # R13/R14: mount syntax in a volume path (a host bind of /), paths that hide the app
    "volume-mount-options": ({"volumes": ["/mnt,type=bind,source=/"]}, ["volumes[0]", "absolute path"]),
    "volume-colon": ({"volumes": ["/data:/etc"]}, ["volumes[0]"]),
    "volume-dotdot": ({"volumes": ["/a/../etc"]}, ["volumes[0]", ".."]),
    "writable-root": ({"writable": ["/"]}, ["writable[0]", "R13"]),
    "writable-workdir": ({"writable": ["/app"]}, ["writable[0]", "R13"]),
    "writable-parent-of-workdir": ({"workdir": "/srv/app", "writable": ["/srv"]}, ["writable[0]", "R13"]),
    # R12: the exec form's program is one word (a reviewer's `[""]` and `["node --inspect"]`)
    "entrypoint-empty": ({"entrypoint": [""]}, ["entrypoint[0]", "is empty", "R12"]),
    "entrypoint-with-spaces": ({"entrypoint": ["python app.py"]}, ["entrypoint[0]", "[python, app.py]", "R12"]),
    # R11: a stop must be graceful
    "stop-signal-kill": ({"stop_signal": "SIGKILL"}, ["stop_signal"]),
    "stop-signal-stop": ({"stop_signal": "SIGSTOP"}, ["stop_signal"]),
    # R06: the tag must start with the software's version
    "tag-alpine-version-only": ({"base": "python:alpine3.20"}, ["base", "R06"]),
    "tag-lts": ({"base": "node:lts-alpine3.20"}, ["base", "R06"]),
    "tag-latest3": ({"base": "alpine:latest3"}, ["base", "R06"]),
    # R18: secrets under other names, or inside a URL
    "env-pass": ({"env": {"DB_PASS": "hunter2"}}, ["env.DB_PASS", "R18"]),
    "env-pwd": ({"env": {"MYSQL_PWD": "x"}}, ["env.MYSQL_PWD", "R18"]),
    "env-url-password": ({"env": {"DATABASE_URL": "postgres://u:hunter2@db/x"}}, ["env.DATABASE_URL", "R18"]),
    "secret-twice": ({"secrets": ["DB", "db"]}, ["secrets", "twice"]),
    "secret-reserved": ({"secrets": ["PATH"]}, ["secrets[0]", "PATH"]),
    # R15: an account the base image already has
    "user-www-data": ({"user": {"name": "www-data"}}, ["user.name", "www-data", "python:3.12-slim"]),
    # compose would reject these
    "port-twice": ({"ports": [80, 80]}, ["ports", "twice"]),
    "volume-twice": ({"volumes": ["/data", "/data/"]}, ["volumes", "twice"]),
    # R13: dockgen's runtime directory is its own tmpfs; a mount there would be a second one on one path
    "runtime-dir-volume": ({"volumes": ["/var/lib/dockgen"]}, ["volumes[0]", "is dockgen's runtime directory", "(R13)"]),
    "runtime-dir-writable": ({"writable": ["/var/lib/dockgen/cache"]}, ["writable[0]", "inside dockgen's runtime directory"]),
    # R17: run.sh makes s6's scan directory anew at start
    "config-in-scan-dir": ({"config": [{"source": "a.tmpl", "target": "/var/lib/dockgen/s6/x"}]},
                           ["config[0].target", "s6's scan directory", "(R17)"]),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_exit_2_and_named_field(case: str, tmp_path: Path):
    extra, expected = REFUSED[case]
    spec = {**BASE, **extra}
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(spec))
    result = dockgen("render", tmp_path / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    for part in expected:
        assert part in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_r01_process_commands_keep_every_character(tmp_path: Path):
    """A process command is one line of sh in run.sh, quoted word by word: `;`, `#`, `%` and
    line breaks are the program's arguments, not syntax (they were refused under supervisord)."""
    words = ["sh", "-c", "echo start ;exec sleep 1000 # 100%", "two\nlines", "it's"]
    spec = {"name": "demo", "language": "none", "base": "debian:12-slim", "processes": {"web": {"command": words}}}
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(spec))
    assert dockgen("render", tmp_path / "dockgen.yaml").returncode == 0
    run_sh = (tmp_path / "run.sh").read_text()
    script = run_sh[run_sh.index("    'web') exec ") + len("    'web') exec "):]
    script = script[:script.index(" ;;\n")]
    printed = subprocess.run(["/bin/sh", "-c", 'printf "%s\\0" ' + script], capture_output=True, text=True, check=True).stdout
    assert printed.split("\0")[:-1] == words


def _plan(spec: dict, context: Path, templates: dict[str, str] | None = None):
    for name, text in (templates or {}).items():
        (context / name).write_text(text)
    return make_plan(load_text(yaml.safe_dump(spec), "dockgen.yaml", context))


def test_r17_config_files_with_the_same_basename_never_share_a_path(tmp_path: Path):
    spec = {**BASE, "config": [{"source": "a.tmpl", "target": "/a/foo"}, {"source": "b.tmpl", "target": "/b/foo"},
                               {"source": "c.tmpl", "target": "/c/foo-2"}]}
    plan = _plan(spec, tmp_path, {"a.tmpl": "A\n", "b.tmpl": "B\n", "c.tmpl": "C\n"})
    paths = [c.path for c in plan.startup.configs]
    assert len(set(paths)) == 3, paths


def test_r13_writable_path_with_trailing_slash_is_the_same_directory(tmp_path: Path):
    spec = {**BASE, "writable": ["/etc/app/"], "config": [{"source": "a.tmpl", "target": "/etc/app/a.conf"}]}
    plan = _plan(spec, tmp_path, {"a.tmpl": "x\n"})
    assert plan.startup.configs[0].path == "/etc/app/a.conf"  # written in place, not hidden behind the tmpfs
    assert "/etc/app" in [m.path for m in plan.policy.tmpfs]


def test_r17_config_target_in_the_runtime_dir_gets_the_runtime_dir(tmp_path: Path):
    spec = {**BASE, "config": [{"source": "a.tmpl", "target": "/var/lib/dockgen/a.conf"}]}
    plan = _plan(spec, tmp_path, {"a.tmpl": "x\n"})
    assert "/var/lib/dockgen" in [m.path for m in plan.policy.tmpfs]


def test_r18_config_holding_a_secret_defaults_to_mode_0600(tmp_path: Path):
    spec = {**BASE, "secrets": ["API_TOKEN"], "config": [{"source": "s.tmpl", "target": "/etc/s.conf"},
                                                          {"source": "p.tmpl", "target": "/etc/p.conf"}]}
    plan = _plan(spec, tmp_path, {"s.tmpl": "token=${API_TOKEN}\n", "p.tmpl": "plain\n"})
    assert [c.mode for c in plan.startup.configs] == ["0600", "0644"]


def test_compose_volume_names_are_named_volumes_never_host_paths(tmp_path: Path):
    spec = {**BASE, "volumes": ["/.config", "/a-b", "/a/b"]}
    names = [m.name for m in _plan(spec, tmp_path).policy.volumes]
    assert names == ["config", "a-b", "a-b-2"]
    assert all(name[0].isalnum() for name in names)


def test_r15_runtime_data_below_the_workdir_stays_out_of_the_build_context(tmp_path: Path):
    """The directory the image chowns to the app user must not be replaced by COPY . ./"""
    spec = {**BASE, "volumes": ["/app/data"], "copy": [".", "public/", {"source": "site", "target": "/app"}]}
    plan = _plan(spec, tmp_path)
    assert "data/" in plan.ignore and "site/data/" in plan.ignore
    assert "public/data/" not in plan.ignore  # public/ lands at /app/public (issue 10, item 3)
    assert "dockgen.yaml" in plan.ignore


def test_warnings_for_ignored_build_packages_and_powerful_caps(tmp_path: Path):
    spec = {"name": "demo", "language": "none", "base": "debian:12-slim", "entrypoint": ["true"],
            "build_packages": ["gcc"], "caps": ["SYS_ADMIN"]}
    warnings = " ".join(_plan(spec, tmp_path).warnings)
    assert "build_packages: gcc ignored" in warnings and "SYS_ADMIN" in warnings


def test_spec_file_name_with_a_newline_cannot_reach_the_files(tmp_path: Path):
    name = "x\nid\n#.yaml"
    (tmp_path / name).write_text(yaml.safe_dump(BASE))
    result = dockgen("render", tmp_path / name, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    for path in (tmp_path / "out").iterdir():
        assert "\nid\n" not in path.read_text()


def test_model_errors_are_all_reported(tmp_path: Path):
    text = "name: x\nlanguage: python\nversion: 3.10\nentrypoint: [a]\nenv: {API_TOKEN: x, DB_PASSWORD: y}\n"
    with pytest.raises(SpecError) as raised:
        load_text(text, "t.yaml", tmp_path)
    fields = [p.field for p in raised.value.problems]
    assert fields == ["version", "env.API_TOKEN", "env.DB_PASSWORD"], fields


# --- second review: values the loader must read as written, or refuse cleanly ----------

NOT_SECRETS = {"TOKENIZERS_PARALLELISM": "false", "MAX_TOKENS": "5", "TOKEN_TTL_SECONDS": "3", "OIDC_TOKEN_URL": "https://id",
               "PASSWORD_MIN_LENGTH": "8", "DB_PASSWORD_FILE": "/run/secrets/db", "SECRETS_DIR": "/s",
               "GOOGLE_APPLICATION_CREDENTIALS": "/etc/gcp.json", "COMPASS_URL": "x", "PASSENGER_ENV": "production"}


def test_r18_names_about_a_secret_are_not_refused(tmp_path: Path):
    plan = _plan({**BASE, "env": NOT_SECRETS}, tmp_path)
    env = dict(next(s for s in plan.stages[-1].steps if s.kind == "env").items)
    assert all(env[name] == value for name, value in NOT_SECRETS.items())


@pytest.mark.parametrize("name", ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "API_KEY", "DB_PASS", "SMTP_PASSWORD"])
def test_r18_secret_names_are_refused(name: str, tmp_path: Path):
    with pytest.raises(SpecError, match="R18"):
        _plan({**BASE, "env": {name: "x"}}, tmp_path)


def test_unquoted_env_and_label_numbers_keep_the_text_written(tmp_path: Path):
    text = yaml.safe_dump(BASE) + "env:\n  UMASK: 0022\n  TIMEOUT: 1:30\n  MIN_VERSION: 1.10\nlabels:\n  build: 0x10\n"
    spec = load_text(text, "t.yaml", tmp_path).spec
    assert spec.env == {"UMASK": "0022", "TIMEOUT": "1:30", "MIN_VERSION": "1.10"}
    assert spec.labels == {"build": "0x10"}


@pytest.mark.parametrize("value, words", [("2024-02-30", "day is out of range"), ("!!int foo", "cannot read a value"),
                                          ("9" * 4301, "cannot read a value")])
def test_values_python_cannot_construct_are_clean_errors(value: str, words: str, tmp_path: Path):
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(BASE) + f"env:\n  RELEASE: {value}\n")
    result = dockgen("validate", tmp_path / "dockgen.yaml")
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_a_lone_surrogate_is_refused_before_render(tmp_path: Path):
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump({k: v for k, v in BASE.items() if k != "entrypoint"})
                                           + 'entrypoint: [python, "a\\ud800"]\n')
    for command in ("validate", "render"):
        result = dockgen(command, tmp_path / "dockgen.yaml")
        assert result.returncode == 2 and "entrypoint[1]" in result.stderr and "surrogate" in result.stderr


@pytest.mark.parametrize("field", ["ports: [yes]", "user: {uid: on, gid: on}"])
def test_yaml_booleans_are_not_numbers(field: str, tmp_path: Path):
    with pytest.raises(SpecError, match="boolean"):
        load_text(yaml.safe_dump(BASE) + field + "\n", "t.yaml", tmp_path)


def test_a_spec_over_a_mebibyte_is_refused_without_parsing(tmp_path: Path):
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(BASE) + "x:\n" + "  - [[[[]]]]\n" * 100_000)
    result = dockgen("validate", tmp_path / "dockgen.yaml", timeout=10)
    assert result.returncode == 2 and "larger than" in result.stderr
    # issue 10, item 13: the limit in human units and what to do instead, in one message
    assert "larger than 1 MiB" in result.stderr and "config[].source" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_fifo_at_an_output_name_neither_blocks_nor_is_replaced(tmp_path: Path):
    import os

    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(BASE))
    os.mkfifo(tmp_path / "Dockerfile")
    result = dockgen("render", tmp_path / "dockgen.yaml", timeout=20)
    assert result.returncode == 2 and "Dockerfile" in result.stderr
    assert (tmp_path / "Dockerfile").is_fifo()


PROCESSES = {"name": "demo", "language": "none", "base": "debian:12-slim", "processes": {"web": {"command": ["web"]}}}


@pytest.mark.parametrize("extra, expected", [
    ({"stop_signal": "SIGHUP"}, ["stop_signal", "R11", "SIGTERM, SIGINT, SIGQUIT"]),
    ({"stop_signal": "SIGUSR1"}, ["stop_signal", "R11"]),
    ({"stop_grace_period": "1500ms"}, ["stop_grace_period", "R11", "at least 2s"]),
], ids=["sighup", "sigusr1", "grace-1500ms"])
def test_r11_processes_stop_settings_s6_cannot_honour_are_refused(extra: dict, expected: list[str], tmp_path: Path):
    """s6-svscan stops its programs only on SIGTERM, SIGINT or SIGQUIT (HUP rescans, USR1
    does nothing: docker would SIGKILL after the grace period), and needs 1 s of the grace
    period after SIGKILLing a stubborn program."""
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump({**PROCESSES, **extra}))
    result = dockgen("render", tmp_path / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    for part in expected:
        assert part in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("grace, kill_after_ms", [("2s", 1000), ("3.5s", 2500), ("2500ms", 1500), ("1m", 59000)])
def test_r11_s6_kills_a_stubborn_program_exactly_one_second_before_the_grace_period(grace: str, kill_after_ms: int, tmp_path: Path):
    plan = _plan({**PROCESSES, "stop_grace_period": grace}, tmp_path)
    assert plan.startup.supervision.kill_after_ms == kill_after_ms


def test_r17_a_config_file_named_s6_never_lands_on_the_scan_directory(tmp_path: Path):
    """Config files outside writable paths go to /var/lib/dockgen/<name>; the name ``s6`` is the
    scan directory's there, so such a file gets another one."""
    spec = {**PROCESSES, "config": [{"source": "s6.tmpl", "target": "/etc/myapp/s6"}]}
    plan = _plan(spec, tmp_path, {"s6.tmpl": "x\n"})
    (config,) = plan.startup.configs
    assert config.path == "/var/lib/dockgen/s6-2" and plan.startup.supervision.scan_dir == "/var/lib/dockgen/s6"


@pytest.mark.parametrize("resources, unset", [
    ({}, "resources.limits.memory, resources.limits.cpu, resources.pids"),
    ({"requests": {"memory": "64Mi"}}, "resources.limits.memory, resources.limits.cpu, resources.pids"),
    ({"pids": 64}, "resources.limits.memory, resources.limits.cpu not set"),
    ({"limits": {"memory": "256Mi", "cpu": "1"}}, "resources.pids not set"),
])
def test_issue13_resources_without_a_limit_warn_what_is_unbounded(resources: dict, unset: str, tmp_path: Path):
    """A resources block that sets no memory or CPU limit, or no pids, still warns: requests
    reserve, only limits bound the container (a reviewer's `resources: {}` was silent)."""
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(yaml.safe_dump({**BASE, "resources": resources}))
    result = dockgen("validate", spec)
    assert result.returncode == 0, result.stderr
    assert unset in result.stderr and "unbounded" in result.stderr


def test_issue13_full_resources_warn_nothing(tmp_path: Path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(yaml.safe_dump({**BASE, "resources": {"limits": {"memory": "256Mi", "cpu": "1"}, "pids": 64}}))
    result = dockgen("validate", spec)
    assert result.returncode == 0 and "unbounded" not in result.stderr, result.stderr


def test_version_number_hint_quotes_the_version_given(tmp_path: Path):
    """An unquoted whole-number version (node's 20) is suggested back quoted, not as 3.12."""
    spec = tmp_path / "dockgen.yaml"
    spec.write_text("name: demo\nlanguage: node\nversion: 20\nentrypoint: [node]\n")
    result = dockgen("validate", spec)
    assert result.returncode == 2 and 'version: "20"' in result.stderr, result.stderr
