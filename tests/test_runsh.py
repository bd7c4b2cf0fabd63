"""run.sh executed for real (R02, R11, R17, R18), never grepped.

Every test renders a spec with the CLI and runs the rendered run.sh unchanged, with its real
image paths: a private mount namespace binds a test directory over ``/var/lib/dockgen`` (and
any other directory run.sh writes a config file into), see ``sandbox.py``. The secrets and
config tests run under dash (Debian: mawk, coreutils), BusyBox sh with only BusyBox applets
on PATH (Alpine) and bash. The PID 1 tests use a fresh PID namespace where run.sh starts
first and execs Debian's tini, which is then PID 1, the way the image's ENTRYPOINT starts it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from support import EXAMPLES, RUNTIME_CASES, render, spec_id, tool
from dockgen.loader import load_spec
from dockgen.placeholders import scan
from dockgen.plan import make_plan
from sandbox import Shell, Started, bind_dirs, host_entrypoint, host_tool, open_tmp, sandbox, shell, startup_prefix  # noqa: F401

PYTHON = sys.executable  # any program will do as "the app"; python lets it report what it sees

# The app run.sh execs: reports its PID, /proc/1/cmdline, its environment and that of a
# child it starts, then (unless --exit) waits; SIGTERM -> "probe: got SIGTERM", exit 7.
PROBE = textwrap.dedent("""
    import json, os, signal, subprocess, sys, time
    def term(signum, frame):
        os.write(1, b"probe: got SIGTERM\\n")
        os._exit(7)
    if "--no-handler" not in sys.argv:
        signal.signal(signal.SIGTERM, term)
    def names(raw):
        return sorted(item.split(b"=", 1)[0].decode() for item in raw.split(b"\\0") if item)
    mine = open("/proc/self/environ", "rb").read()
    child = subprocess.run([sys.executable, "-c",
        "import sys; sys.stdout.buffer.write(open('/proc/self/environ', 'rb').read())"],
        capture_output=True, check=True).stdout
    print("probe: " + json.dumps({"pid": os.getpid(), "env": names(mine), "child_env": names(child),
          "raw": (mine + child).hex(), "cmdline1": open("/proc/1/cmdline", "rb").read().decode()}), flush=True)
    print("probe: ready", flush=True)
    if "--exit" in sys.argv:
        sys.exit(0)
    while True:
        time.sleep(1)
""")


def probe(*flags: str) -> list[str]:
    """argv of the probe app."""
    return [PYTHON, "-c", PROBE, *flags]


def report(lines: list[str]) -> dict:
    """The probe's JSON report from its stdout lines."""
    found = [line for line in lines if line.startswith("probe: {")]
    assert found, "the app never started:\n" + "\n".join(lines)
    return json.loads(found[0].removeprefix("probe: "))


def config_outputs(spec: Path):
    """The ConfigOutputs run.sh writes (path in the image, mode) from dockgen's own plan;
    none for an image without a shell (no run.sh)."""
    startup = make_plan(load_spec(spec)).startup
    return startup.configs if startup else ()


# --- the corpus spec -------------------------------------------------------------------

TEMPLATE = (
    "# $literal stays, ${NOT_SET:-fall back & / ; \\ $x}\n"
    "password=<${DB_PASSWORD}>\n"
    "plain=<${PLAIN_VALUE}>\n"
    "region=${REGION:?REGION must name the data centre}\n"
    "site=${SITE_URL}\n"
)


def expected_config(password: bytes, plain: bytes = b"p") -> bytes:
    """What run.sh must write for TEMPLATE with these values (the others fixed)."""
    return (b"# $literal stays, fall back & / ; \\ $x\npassword=<" + password + b">\nplain=<" + plain
            + b">\nregion=eu-1\nsite=https://example.org/a?b=c&d\n")


CORPUS_SPEC = """
name: corpus
language: none
base: alpine:3.20
env:
  SITE_URL: "https://example.org/a?b=c&d"
  PLAIN_VALUE: "from the spec"
secrets: [DB_PASSWORD]
config:
  - source: app.ini.tmpl
    target: /etc/app/app.ini
    mode: "0640"
writable: [/tmp]
entrypoint: [/usr/bin/python3]
"""


@pytest.fixture(scope="module")
def corpus() -> dict:
    """The corpus spec rendered by the CLI: {"spec", "run_sh", "config" (path in the image)}.

    It lives in a directory every user can read, for the runs as the image's uid 10001.
    """
    root = Path(tempfile.mkdtemp(prefix="dockgen-corpus-", dir="/tmp"))
    root.chmod(0o755)
    (root / "dockgen.yaml").write_text(CORPUS_SPEC)
    (root / "app.ini.tmpl").write_text(TEMPLATE)
    files = render(root / "dockgen.yaml", root / "out")
    (config,) = config_outputs(root / "dockgen.yaml")
    yield {"spec": root / "dockgen.yaml", "run_sh": files["run.sh"], "config": config}
    shutil.rmtree(root, ignore_errors=True)


# Hostile values: every character class sed-based entrypoints break on, and more.
HOSTILE = {
    "slash": b"a/b//c/",
    "ampersand": b"a&b&&c&",
    "semicolon": b"a;b;;c",
    "backslash": b"a\\b\\\\c\\",
    "backslash-escapes": b"\\n\\t\\0\\x41\\u00e9",
    "dollar": b"$a $1 $$ $",
    "placeholder": b"${X} ${DB_PASSWORD} ${REGION:?boom} ${Y:-z}",
    "command-substitution": b"$(id) `id`",
    "single-quotes": b"it's 'quoted'",
    "double-quotes": b'say "hi" ""',
    "spaces": b"  lead and  inner and trail  ",
    "tab": b"a\tb\t",
    "internal-newlines": b"line one\nline two\n\nline four",
    "percent": b"%s %d %% %n %",
    "sed-and-awk": b"s/a/b/g & \\1 \\& | ~ ^ * . [ ] { }",
    "shell-operators": b"a|b>c<d&&e||f;g",
    "leading-dash": b"-n -e --",
    "equals": b"=a=b=",
    "braces": b"}{${",
    "utf8": "mot de passe é ü ß 中文 🔑 \u202e".encode(),
    "carriage-return": b"a\rb\r\n c",
    "4KiB-plain": b"x" * 4096,
    "4KiB-mixed": (("a/&;\\$'\"% \n é🔑${X}" * 400).encode())[:4096],
}
FILE_ONLY = {"not-utf8": b"\xff\xfe\x80 raw \xc3"}  # environment variables in tests must be str


def run_startup(corpus: dict, shell: Shell, root: Path, env: dict[str, str], argv: list[str] | None = None,
                user: tuple[int, int] | None = None, readonly: bool = False) -> tuple[subprocess.CompletedProcess, Path]:
    """Run the corpus run.sh once (mount namespace only: run.sh keeps the sandbox's PID).

    Returns (the completed process in bytes, the host file behind the config path).
    """
    config = corpus["config"]
    binds, hosts = bind_dirs([config.path], root, owner=None)
    if readonly:
        binds = [(host, target, "ro") for host, target, _ in binds]
    full_env = {"SITE_URL": "https://example.org/a?b=c&d", "PLAIN_VALUE": "p", "REGION": "eu-1", **env, "PATH": shell.path}
    command = [*shell.argv, str(corpus["run_sh"]), *(argv if argv is not None else probe("--exit"))]
    result = subprocess.run(sandbox(command, binds, user=user), env=full_env, capture_output=True, timeout=30)
    return result, hosts[os.path.dirname(config.path)] / os.path.basename(config.path)


def write_secret(root: Path, content: bytes) -> Path:
    """A secret file as Docker/Kubernetes deliver it (readable by everyone in the test)."""
    path = root / "secret"
    path.write_bytes(content)
    path.chmod(0o644)
    return path


def test_r17_config_target_outside_writable_paths_goes_to_run_dockgen(corpus):
    # /etc is read-only at run time (R13): run.sh writes /var/lib/dockgen/app.ini, which the image links to.
    assert corpus["config"].target == "/etc/app/app.ini"
    assert corpus["config"].path == "/var/lib/dockgen/app.ini"


@pytest.mark.parametrize("name", sorted(HOSTILE) + sorted(FILE_ONLY))
def test_r18_secret_from_file_reaches_config_verbatim(corpus, shell, tmp_path, name):
    """NAME_FILE → config file byte for byte; trailing newlines of the file are stripped
    (as the docker-library entrypoints do); the app is exec'd with no secret in sight."""
    value = {**HOSTILE, **FILE_ONLY}[name]
    secret = write_secret(tmp_path, value + b"\n\n")
    result, written = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD_FILE": str(secret)})
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert written.read_bytes() == expected_config(value)
    assert written.stat().st_mode & 0o777 == 0o640
    seen = report(result.stdout.decode().splitlines())
    for env in (seen["env"], seen["child_env"]):
        assert "DB_PASSWORD" not in env and "DB_PASSWORD_FILE" not in env
    assert "REGION" in seen["env"]  # non-secret configuration stays for the app
    if len(value) >= 8:
        assert value.hex() not in seen["raw"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_r17_environment_values_reach_config_verbatim(corpus, shell, tmp_path, name):
    """A value from the environment (``docker run -e``), secret or not, is copied exactly,
    trailing newline included: awk reads ENVIRON, nothing re-scans or interprets it."""
    value = HOSTILE[name].decode()
    result, written = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD": value, "PLAIN_VALUE": value + "\n"})
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert written.read_bytes() == expected_config(value.encode(), (value + "\n").encode())
    seen = report(result.stdout.decode().splitlines())
    assert "DB_PASSWORD" not in seen["env"] and "DB_PASSWORD" not in seen["child_env"]


def test_r17_default_applies_when_the_variable_is_empty(corpus, shell, tmp_path):
    result, written = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD": "pw", "NOT_SET": ""})
    assert result.returncode == 0, result.stderr.decode()
    assert written.read_bytes() == expected_config(b"pw")


def assert_config_error(result: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 78 (EX_CONFIG), exactly one line on stderr naming ``words``, and the app never ran."""
    stderr = result.stderr.decode()
    assert result.returncode == 78, (result.returncode, stderr)
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    for word in words:
        assert word in stderr, stderr
    assert b"probe:" not in result.stdout
    return stderr


def test_r18_both_secret_and_file_set_exits_78(corpus, shell, tmp_path):
    secret = write_secret(tmp_path, b"from-file")
    result, _ = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD": "from-env", "DB_PASSWORD_FILE": str(secret)})
    assert_config_error(result, "DB_PASSWORD", "DB_PASSWORD_FILE")


def test_r18_both_set_is_refused_even_when_the_variable_is_empty(corpus, shell, tmp_path):
    secret = write_secret(tmp_path, b"from-file")
    result, _ = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD": "", "DB_PASSWORD_FILE": str(secret)})
    assert_config_error(result, "DB_PASSWORD_FILE")


def test_r18_missing_secret_exits_78_naming_it(corpus, shell, tmp_path):
    result, written = run_startup(corpus, shell, tmp_path, {})
    assert_config_error(result, "DB_PASSWORD")
    assert not written.exists()  # fails before any config file is written


@pytest.mark.parametrize("content", [b"", b"\n\n"], ids=["empty", "only-newlines"])
def test_r18_empty_secret_file_counts_as_missing(corpus, shell, tmp_path, content):
    secret = write_secret(tmp_path, content)
    result, _ = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD_FILE": str(secret)})
    assert_config_error(result, "DB_PASSWORD")


def test_r18_unreadable_secret_file_exits_78_naming_the_variable(corpus, shell, tmp_path):
    result, _ = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD_FILE": str(tmp_path / "no-such-file")})
    assert_config_error(result, "DB_PASSWORD_FILE", str(tmp_path / "no-such-file"))


def test_r18_secret_file_unreadable_by_the_app_user_exits_78(corpus, shell, open_tmp):
    secret = write_secret(open_tmp, b"pw")
    secret.chmod(0o600)  # owned by root, the app runs as 10001
    result, _ = run_startup(corpus, shell, open_tmp, {"DB_PASSWORD_FILE": str(secret)}, user=(10001, 10001))
    assert_config_error(result, "DB_PASSWORD_FILE")


def test_r17_required_placeholder_exits_78_with_its_message(corpus, shell, tmp_path):
    result, _ = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD": "pw", "REGION": ""})
    stderr = assert_config_error(result, "REGION")
    assert "REGION must name the data centre" in stderr


def test_r17_config_dir_not_writable_by_the_app_user_exits_78_naming_the_file(corpus, shell, open_tmp):
    # The container runs as 10001 (R15); /var/lib/dockgen here belongs to root, mode 0755.
    result, written = run_startup(corpus, shell, open_tmp, {"DB_PASSWORD": "pw"}, user=(10001, 10001))
    assert_config_error(result, corpus["config"].path)
    assert not written.exists()


def test_r13_config_dir_on_read_only_filesystem_exits_78_naming_the_file(corpus, shell, tmp_path):
    # Even root cannot write a read-only root filesystem (R13) when a path is not declared writable.
    result, _ = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD": "pw"}, readonly=True)
    assert_config_error(result, corpus["config"].path)


def test_r17_no_program_exits_78(corpus, shell, tmp_path):
    result, _ = run_startup(corpus, shell, tmp_path, {"DB_PASSWORD": "pw"}, argv=[])
    assert_config_error(result, "no program")


def test_r18_app_is_exec_d_with_run_sh_pid_and_receives_sigterm(corpus, shell, tmp_path):
    """run.sh execs the app: same PID (no shell left between), no secret in its
    /proc/self/environ nor in a child's, and the SIGTERM the test sends reaches it."""
    secret = write_secret(tmp_path, b"s3cr3t-value\n")
    binds, _ = bind_dirs([corpus["config"].path], tmp_path)
    env = {"SITE_URL": "x", "PLAIN_VALUE": "p", "REGION": "r", "DB_PASSWORD_FILE": str(secret), "PATH": shell.path}
    # unshare --mount (no --fork) execs the setup shell, which execs run.sh: the sandbox's PID is run.sh's.
    started = Started.start(sandbox([*shell.argv, str(corpus["run_sh"]), *probe()], binds), env)
    try:
        started.wait_for("probe: ready")
        seen = report(started.out)
        assert seen["pid"] == started.proc.pid
        assert Path(f"/proc/{started.proc.pid}/cmdline").read_bytes().split(b"\0")[:2] == [PYTHON.encode(), b"-c"]
        for names in (seen["env"], seen["child_env"]):
            assert "DB_PASSWORD" not in names and "DB_PASSWORD_FILE" not in names
        assert b"s3cr3t-value".hex() not in seen["raw"]
        os.kill(started.proc.pid, signal.SIGTERM)
        assert started.finish(timeout=5) == 7
        assert "probe: got SIGTERM" in started.out
    finally:
        started.kill()


# --- PID 1 and signals (R02, R11) ------------------------------------------------------------

def startup_env(spec: Path, root: Path) -> dict[str, str]:
    """The environment a spec's container starts with: its ``env`` (the image's ENV), each
    secret as NAME_FILE, and a value for every ``${VAR:?message}`` placeholder."""
    loaded = load_spec(spec)
    env = dict(loaded.spec.env)
    for name in loaded.spec.secrets:
        path = root / f"secret-{name.lower()}"
        path.write_text(f"value of {name}\n")
        path.chmod(0o644)
        env[f"{name}_FILE"] = str(path)
    for text in loaded.templates.values():
        for placeholder in scan(text):
            if placeholder.op == ":?" and placeholder.name not in env:
                env[placeholder.name] = f"value of {placeholder.name}"
    return env


def init_specs() -> list[Path]:
    """Specs whose image starts one program through run.sh (processes: see test_s6)."""
    found = []
    for path in EXAMPLES + RUNTIME_CASES:
        spec = yaml.safe_load(path.read_text())
        if not spec.get("processes"):
            found.append(path)
    return found


def start_entrypoint(spec: Path, root: Path, shell: Shell, app: list[str]) -> tuple[Started, dict[str, Path]]:
    """Render ``spec`` and start its real ENTRYPOINT chain (run.sh → tini, or run.sh alone)
    as PID 1 of a fresh PID namespace, with ``app`` in place of the spec's program.

    Returns (the started sandbox, the host directory behind each config directory).
    """
    files = render(spec, root / "out")
    run_sh = files.get("run.sh", Path("/nonexistent"))
    # The spec's own program is not installed here: the app takes its place after run.sh.
    head = startup_prefix(host_entrypoint(files["Dockerfile"], run_sh, shell), run_sh)
    binds, hosts = bind_dirs([c.path for c in config_outputs(spec)], root)
    env = {**startup_env(spec, root), "PATH": shell.path}
    return Started.start(sandbox([*head, *app], binds, pid_namespace=True), env), hosts


@pytest.mark.parametrize("spec", [s for s in init_specs() if load_spec(s).spec.runs_init], ids=spec_id)  # tini is PID 1 (R02)
@pytest.mark.parametrize("app", ["python-no-handler", "sleep"])
def test_r02_r11_tini_pid1_stops_an_app_without_sigterm_handler_within_1s(spec, app, shell, tmp_path):
    """The spec's own ENTRYPOINT (run.sh, which execs tini -- ...) as PID 1: SIGTERM to PID 1 ends an app
    that installs no handler within 1 s, with the app's own status (killed by SIGTERM: 143)."""
    if app == "sleep":
        argv = [host_tool("sh"), "-c", 'echo "probe: ready"; exec sleep 60']
    else:
        argv = probe("--no-handler")
    started, hosts = start_entrypoint(spec, tmp_path, shell, argv)
    try:
        started.wait_for("probe: ready")
        init = started.init_pid()
        assert os.path.basename(Path(f"/proc/{init}/exe").resolve()).startswith("tini")
        for config in config_outputs(spec):
            assert (hosts[os.path.dirname(config.path)] / os.path.basename(config.path)).is_file()
        sent = time.monotonic()
        os.kill(init, signal.SIGTERM)
        code = started.finish(timeout=1.0)
        assert time.monotonic() - sent < 1.0
        assert code == 128 + signal.SIGTERM, started.output()
    finally:
        started.kill()


def test_r11_tini_passes_on_the_app_s_own_exit_code(shell, tmp_path):
    spec = write_spec(tmp_path, init=True)
    started, _ = start_entrypoint(spec, tmp_path, shell, probe())
    try:
        started.wait_for("probe: ready")
        os.kill(started.init_pid(), signal.SIGTERM)
        assert started.finish(timeout=1.0) == 7
        assert "probe: got SIGTERM" in started.out
    finally:
        started.kill()


def write_spec(root: Path, **fields) -> Path:
    """A small spec with one secret and one config file, plus ``fields``."""
    spec = {"name": "pid-probe", "language": "none", "base": "debian:12-slim", "secrets": ["DB_PASSWORD"],
            "config": [{"source": "app.tmpl", "target": "/etc/app/app.ini"}], "entrypoint": ["/usr/bin/python3"],
            **fields}
    (root / "app.tmpl").write_text("password=${DB_PASSWORD}\n")
    path = root / "dockgen.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_r02_init_false_makes_the_app_pid_1(shell, tmp_path):
    """``init: false``: no tini; run.sh is PID 1 and execs the app, which is then PID 1 and
    gets SIGTERM because it installed a handler."""
    spec = write_spec(tmp_path, init=False)
    files = render(spec, tmp_path / "out")
    assert "tini" not in files["Dockerfile"].read_text()
    started, _ = start_entrypoint(spec, tmp_path, shell, probe())
    try:
        started.wait_for("probe: ready")
        seen = report(started.out)
        assert seen["pid"] == 1
        assert seen["cmdline1"].split("\0")[:2] == [PYTHON, "-c"]
        init = started.init_pid()
        assert Path(f"/proc/{init}/cmdline").read_bytes().split(b"\0")[:2] == [PYTHON.encode(), b"-c"]
        assert "DB_PASSWORD" not in seen["env"] and "DB_PASSWORD_FILE" not in seen["env"]
        os.kill(init, signal.SIGTERM)
        assert started.finish(timeout=1.0) == 7
    finally:
        started.kill()


def test_r02_why_init_is_the_default_pid1_without_handler_ignores_sigterm(shell, tmp_path):
    """The control for the tini tests: the same app with no handler as PID 1 (``init: false``)
    does not stop on SIGTERM; the kernel gives PID 1 no default action. Only SIGKILL ends it."""
    spec = write_spec(tmp_path, init=False)
    started, _ = start_entrypoint(spec, tmp_path, shell, probe("--no-handler"))
    try:
        started.wait_for("probe: ready")
        init = started.init_pid()
        os.kill(init, signal.SIGTERM)
        with pytest.raises(subprocess.TimeoutExpired):
            started.proc.wait(timeout=1.5)
        assert "probe: got SIGTERM" not in started.out
        os.kill(init, signal.SIGKILL)
        started.finish(timeout=5)  # (unshare reports a PID 1 killed by SIGKILL as 1 or -9)
    finally:
        started.kill()


# --- shellcheck on run.sh rendered from the hostile specs above -------------------------------

@pytest.mark.parametrize("dialect", ["sh", "dash", "bash", "busybox"])
def test_r17_shellcheck_clean_on_corpus_run_sh_for_every_dialect(corpus, dialect):
    result = subprocess.run([tool("shellcheck"), f"--shell={dialect}", "--severity=style", str(corpus["run_sh"])],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_r17_template_lines_equal_to_the_delimiter_come_through(shell, tmp_path):
    """A template holding the here-document word itself gets another delimiter (plan/startup.py)."""
    (tmp_path / "app.tmpl").write_text("DOCKGEN_TEMPLATE\nDOCKGEN_TEMPLATE_1\n'EOF'\n${DB_PASSWORD}\n")
    spec = tmp_path / "dockgen.yaml"
    spec.write_text(yaml.safe_dump({"name": "delim", "language": "none", "base": "alpine:3.20", "secrets": ["DB_PASSWORD"],
                                    "config": [{"source": "app.tmpl", "target": "/etc/app/app.ini"}],
                                    "entrypoint": ["/bin/true"]}))
    files = render(spec, tmp_path / "out")
    check = subprocess.run([tool("shellcheck"), "--severity=style", str(files["run.sh"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    (config,) = config_outputs(spec)
    binds, hosts = bind_dirs([config.path], tmp_path)
    result = subprocess.run(sandbox([*shell.argv, str(files["run.sh"]), "/bin/true"], binds),
                            env={"DB_PASSWORD": "x", "PATH": shell.path}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert (hosts["/var/lib/dockgen"] / "app.ini").read_text() == "DOCKGEN_TEMPLATE\nDOCKGEN_TEMPLATE_1\n'EOF'\nx\n"


def writable_spec(root: Path, target: str) -> Path:
    """A spec whose one config file goes to ``target``, with /var/tmp declared writable."""
    (root / "app.tmpl").write_text("password=${DB_PASSWORD}\n")
    spec = root / "dockgen.yaml"
    spec.write_text(yaml.safe_dump({"name": "writable", "language": "none", "base": "alpine:3.20", "secrets": ["DB_PASSWORD"],
                                    "config": [{"source": "app.tmpl", "target": target, "mode": "0600"}],
                                    "writable": ["/var/tmp"], "entrypoint": ["/bin/true"]}))
    return spec


def test_r13_r17_config_directly_in_a_writable_path_is_written_there(shell, tmp_path):
    """At run time the writable path is an empty tmpfs (compose.yaml): an empty directory is
    bound over /var/tmp, exactly the mount compose makes, and run.sh writes the file into it."""
    spec = writable_spec(tmp_path, "/var/tmp/app.ini")
    files = render(spec, tmp_path / "out")
    (config,) = config_outputs(spec)
    assert config.path == "/var/tmp/app.ini"
    empty = tmp_path / "tmpfs"
    empty.mkdir()
    result = subprocess.run(sandbox([*shell.argv, str(files["run.sh"]), "/bin/true"], [(empty, "/var/tmp", "rw")]),
                            env={"DB_PASSWORD": "pw", "PATH": shell.path}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert (empty / "app.ini").read_text() == "password=pw\n"
    assert (empty / "app.ini").stat().st_mode & 0o777 == 0o600


def test_r13_r17_config_below_a_writable_path_is_refused_at_render_time(tmp_path):
    """/var/tmp/conf would not exist in the empty tmpfs at start (and a link made in the image
    would be hidden by it): refused at render time, never a failure at container start."""
    spec = writable_spec(tmp_path, "/var/tmp/conf/app.ini")
    result = subprocess.run([tool("dockgen"), "render", str(spec), "-o", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert "config[0].target" in result.stderr and "/var/tmp" in result.stderr and "Traceback" not in result.stderr


def test_r15_r17_read_only_config_in_a_volume_is_rewritten_on_the_next_start(shell, open_tmp):
    """A config file with mode 0440 in a volume outlives the container: the next start, as
    the image's uid 10001 (R15), must replace it (``: >`` alone cannot open the read-only
    file). Each start writes that start's value, and the file ends with mode 0440 again."""
    (open_tmp / "app.tmpl").write_text("password=${DB_PASSWORD}\n")
    spec = open_tmp / "dockgen.yaml"
    spec.write_text(yaml.safe_dump({"name": "volume", "language": "none", "base": "alpine:3.20", "secrets": ["DB_PASSWORD"],
                                    "config": [{"source": "app.tmpl", "target": "/var/lib/app/app.ini", "mode": "0440"}],
                                    "volumes": ["/var/lib/app"], "entrypoint": ["/bin/true"]}))
    files = render(spec, open_tmp / "out")
    (config,) = config_outputs(spec)
    assert (config.path, config.mode) == ("/var/lib/app/app.ini", "0440")
    binds, hosts = bind_dirs([config.path], open_tmp, owner=(10001, 10001))  # the volume, the app's own
    written = hosts["/var/lib/app"] / "app.ini"
    for start, password in enumerate(["first-pw", "second-pw"], 1):
        result = subprocess.run(sandbox([*shell.argv, str(files["run.sh"]), "/bin/true"], binds, user=(10001, 10001)),
                                env={"DB_PASSWORD": password, "PATH": shell.path}, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"start {start}: {result.stderr}"
        assert written.read_text() == f"password={password}\n"
        assert written.stat().st_mode & 0o777 == 0o440
        assert (written.stat().st_uid, written.stat().st_gid) == (10001, 10001)
