"""Every buildable example, built with podman and run the compose way (issue 4).

One test per property per example:
1 builds unedited; 2 non-root uid and no capability beyond ``caps`` (R14, R15);
3 runs read-only with the compose hardening and does its job (R12, R13); 4 stops on
SIGTERM, not by SIGKILL, and the image states the run policy's STOPSIGNAL, not its base's
(R02, R11); 5 a secret from a file reaches the config, never the
environment (R17, R18); 6 layer cache after code-only and manifest-only changes (R07);
7 the multi-process example serves through both programs and stops cleanly (R01, R11);
8 no secret, .git, .env or build-only package in the final image (R04, R18, R19).

Built: every specs/*/dockgen.yaml whose FROM images have a Debian stand-in (standins.py).
Not built: specs/php-notebook (php:8.3-fpm-alpine) and specs/python-cli (python:3.12-alpine),
since Alpine cannot be stood in from Debian packages; their Debian twins
specs/php-notebook-debian and specs/python-cli-debian carry the same apps and are built.
Nor specs/dotnet-tasks: Debian ships no .NET, and mcr.microsoft.com and nuget.org are not
reachable here, so it is rendered, linted and parsed only.
The language versions inside are Debian bookworm's (Python 3.11, Node 18, Ruby 3.1,
Go 1.19, PHP 8.2, Rust 1.63, Java 17), whatever the tag says.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import pytest

from dockgen import languages

from container_harness import (
    BUILDABLE, EXAMPLES, NOT_BUILDABLE, Built, base_image, build_steps, dpkg_packages, example_id, fresh_copy,
    host_pids, http_get, image_config, image_files, print_run_args, proc_status, remove, run_args, start, wait_http,
)

pytestmark = pytest.mark.container

# What each example answers, so that "does its job" means something: a text its answer to
# GET / (web examples) or its default output (tools, R12) must contain. A new example
# fails here until it says what it does.
JOB = {
    "go-pinger": "pong",
    "rust-greeter-debian": '"greeting": "hello from rust"',
    "java-maven-greeter": '"greeting": "hello from java"',
    "java-gradle-clock": '"app": "clock"',
    "node-orders": '"orders"',
    "node-tsc-api": '"app":"tsc-api"',
    "node-vite-spa": "vite-spa",
    "node-next-pnpm": "next-pnpm",
    "node-express-yarn": '"app":"express-yarn"',
    "python-django": "django-site",
    "python-fastapi-uv": '"app":"fastapi-uv"',
    "python-flask-factory": '"app":"flask-factory"',
    "go-cgo": '"app":"cgo-hello"',
    "python-notes": '"app": "notes-api"',
    "ruby-quotes": ".",
    "static-docs": "<",
    "python-cli-debian": "usage: wordcount",
    "php-notebook-debian": "lab-notebook on https://notebook.example.org",
}
# Tools exit after their default CMD; to test stopping, they get a command that waits.
WAITING_COMMAND = {"python-cli-debian": ("/dev/stdin",)}
# Where the web examples' answer is; "/" unless said here (the PHP example's nginx.conf
# has no `index index.php`, so "/" is 403 there).
JOB_PATH = {"php-notebook-debian": "/index.php"}
# podman stop must return within 2 s (issue 4), well before the 10 s after which SIGKILL
# comes (R11); with `processes` too: s6 signals every program at once and exits when they have.
STOP_LIMIT = 2.0
# Capability numbers (linux/capability.h) of the names a spec's `caps` may list.
CAP_BITS = {"CHOWN": 0, "DAC_OVERRIDE": 1, "FOWNER": 3, "KILL": 5, "SETGID": 6, "SETUID": 7,
            "NET_BIND_SERVICE": 10, "NET_RAW": 13, "SYS_CHROOT": 18, "AUDIT_WRITE": 29}
# Issue 11: what the build step used and the final image must not hold (path prefixes in its
# file system): package managers and dev dependencies that stay in the builder (R04).
DEV_TOOLS = {
    "node-next-pnpm": ("usr/local/bin/pnpm", "usr/local/lib/node_modules/corepack", "app/node_modules/.pnpm/typescript",
                       "app/.next/cache/webpack", "app/pnpm-lock.yaml"),
    "node-express-yarn": ("app/node_modules/nodemon", "usr/local/bin/yarn", "usr/local/lib/node_modules/corepack"),
    "node-tsc-api": ("app/node_modules/typescript", "app/node_modules/@types", "app/src"),
    "node-vite-spa": ("app/node_modules", "usr/bin/node", "usr/local/bin/node"),
    "python-fastapi-uv": ("opt/venv/bin/uv", "usr/local/bin/uv", "opt/venv/lib/python3.11/site-packages/pytest",
                          "opt/venv/lib/python3.11/site-packages/_pytest"),
    "python-django": ("opt/venv/bin/pip", "usr/bin/gcc"),
    "go-cgo": ("usr/bin/go", "usr/lib/go", "src/cmd"),
}
BUILD_ONLY = {"gcc", "g++", "cpp", "make", "binutils", "golang-go", "build-essential", "libc6-dev"}
CODE_COMMENT = {".py": "# changed by the cache test\n", ".rb": "# changed by the cache test\n",
                ".js": "// changed by the cache test\n", ".ts": "// changed by the cache test\n",
                ".go": "// changed by the cache test\n", ".rs": "// changed by the cache test\n",
                ".java": "// changed by the cache test\n",
                ".php": "<?php // changed by the cache test\n", ".html": "<!-- changed by the cache test -->\n"}

WEB = [s for s in BUILDABLE if "ports:" in s.read_text()]
TOOLS = [s for s in BUILDABLE if s not in WEB]
WITH_SECRETS = [s for s in BUILDABLE if "secrets:" in s.read_text()]
WITH_MANIFESTS = [s for s in BUILDABLE if "dependencies: [" in s.read_text() and "dependencies: []" not in s.read_text()]
MULTI = [s for s in BUILDABLE if "processes:" in s.read_text()]
ids = example_id


def test_only_alpine_examples_are_left_unbuilt() -> None:
    """Every example is built unless its FROM is an Alpine image, and each such one has a Debian
    twin, or a .NET image (no stand-in: rendered, linted and parsed only, README's language table)."""
    assert BUILDABLE, "no example can be built"
    for name, reason in NOT_BUILDABLE.items():
        if ".NET image" in reason:
            continue
        assert "Alpine" in reason, f"{name} is not built: {reason}"
        assert (EXAMPLES[0].parents[1] / f"{name}-debian" / "dockgen.yaml").exists(), \
            f"{name} cannot be built here and has no Debian twin specs/{name}-debian"
    assert {example_id(s) for s in BUILDABLE} <= set(JOB), "every built example needs its expected answer in JOB"
    assert MULTI, "no multi-process example is built (property 7)"
    assert WITH_SECRETS, "no example with a secret is built (property 5)"


# 1 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", BUILDABLE, ids=ids)
def test_p1_builds_from_rendered_files_unedited(spec: Path, engine, built) -> None:
    """podman builds the rendered Dockerfile as written; the image keeps ENTRYPOINT, CMD, USER
    and HEALTHCHECK (``--format docker``, R12)."""
    item = built(spec)
    assert item.dockerfile.startswith("# syntax=docker/dockerfile:1")
    config = image_config(engine, item.tag)
    assert config["Config"]["Entrypoint"], "the image has no ENTRYPOINT"
    entrypoint = config["Config"]["Entrypoint"]
    # R02 R18: run.sh first (it execs tini with the cleaned environment), tini first without a shell.
    head = entrypoint[1:] if entrypoint[0] == "/usr/local/bin/run.sh" else entrypoint
    assert head[0] in ("/sbin/tini", "/usr/bin/tini") or not item.plan.spec.runs_init, entrypoint
    if item.plan.spec.healthcheck:
        assert config.get("Healthcheck", {}).get("Test", [None])[0] == "CMD", "HEALTHCHECK lost in the image"


# 2 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", BUILDABLE, ids=ids)
def test_p2_r15_r14_non_root_and_no_extra_capabilities(spec: Path, engine, built, running) -> None:
    """USER is the spec's numeric uid:gid; every process runs as it with CapEff within ``caps``."""
    item = built(spec)
    user = item.plan.spec.user
    assert image_config(engine, item.tag)["Config"]["User"] == f"{user.uid}:{user.gid}"
    if spec in WEB:
        container = running(spec)
    else:
        container = start(engine, item, *WAITING_COMMAND[item.name], interactive=True)
    try:
        allowed = 0
        for cap in item.plan.spec.caps:
            allowed |= 1 << CAP_BITS[cap.removeprefix("CAP_")]
        pids = host_pids(engine, container)
        assert pids
        for pid in pids:
            status = proc_status(pid)
            assert status["Uid"].split() == [str(user.uid)] * 4, f"pid {pid} ({status['Name']}): Uid {status['Uid']}"
            assert status["Gid"].split() == [str(user.gid)] * 4, f"pid {pid} ({status['Name']}): Gid {status['Gid']}"
            assert int(status["CapEff"], 16) & ~allowed == 0, f"pid {pid} ({status['Name']}): CapEff {status['CapEff']}"
            assert int(status["CapPrm"], 16) & ~allowed == 0, f"pid {pid} ({status['Name']}): CapPrm {status['CapPrm']}"
            assert status["NoNewPrivs"] == "1", f"pid {pid} ({status['Name']}) may gain privileges"
    finally:
        if spec not in WEB:
            remove(engine, container)


# 3 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", WEB, ids=ids)
def test_p3_r13_web_example_answers_with_the_compose_hardening(spec: Path, engine, built, running) -> None:
    """Read-only root, tmpfs writable paths, no capabilities: GET / from the host answers."""
    item = built(spec)
    container = running(spec)
    inspect = json.loads(engine.run("inspect", container.id).stdout)[0]
    assert inspect["HostConfig"]["ReadonlyRootfs"] is True
    status, body = http_get(container.ports[min(container.ports)], JOB_PATH.get(item.name, "/"))
    assert status == 200, body
    assert JOB[item.name] in body
    # The root file system really is read-only for the app, and every tmpfs is writable to it.
    if item.plan.family.shell:
        denied = engine.run("exec", container.id, "sh", "-c", "touch /app/x /usr/x 2>&1; echo $?", check=False)
        assert "Read-only file system" in denied.stdout, denied.stdout
        assert_tmpfs_writable(engine, item, container)
    if item.plan.spec.healthcheck:
        test = image_config(engine, item.tag)["Healthcheck"]["Test"]
        assert test[0] == "CMD"
        check = engine.run("exec", container.id, *test[1:], check=False)  # no systemd: run the HEALTHCHECK once
        assert check.returncode == 0, check.stdout + check.stderr


def assert_tmpfs_writable(engine, item: Built, container) -> None:
    """Each tmpfs of the run policy takes a new file from the app user (R13, R15)."""
    for mount in item.plan.policy.tmpfs:
        probe = f"{mount.path}/.dockgen-test-{secrets.token_hex(4)}"
        wrote = engine.run("exec", container.id, "sh", "-c", f"touch {probe} && rm {probe}", check=False)
        assert wrote.returncode == 0, f"{mount.path} is not writable to the app user: {wrote.stderr}"


@pytest.mark.parametrize("spec", WEB, ids=ids)
def test_p3_r13_web_example_answers_with_the_print_run_options(spec: Path, engine, built) -> None:
    """Issue 10, item 11: podman runs the image with `dockgen render --print-run`'s options as
    printed (tmpfs, mounts, user, capabilities, published ports) and the app answers."""
    item = built(spec)
    container = start(engine, item, options=print_run_args)
    try:
        status, body = wait_http(engine, container, container.ports[min(container.ports)], JOB_PATH.get(item.name, "/"))
        assert status == 200, body
        assert JOB[item.name] in body
        if item.plan.family.shell:
            assert_tmpfs_writable(engine, item, container)
    finally:
        remove(engine, container)


# Issue 13: the cgroup files (v2, then v1) that hold each limit, as the kernel writes them.
CGROUP_LIMITS = {
    "memory_limit": ("memory.max", "memory/memory.limit_in_bytes"),
    "pids_limit": ("pids.max", "pids/pids.max"),
    "cpu_limit": ("cpu.max", "cpu/cpu.cfs_quota_us"),
}
WITH_RESOURCES = [s for s in WEB if "resources:" in s.read_text()]


@pytest.mark.parametrize("options", ["compose", "print-run"])
@pytest.mark.parametrize("spec", WITH_RESOURCES, ids=ids)
def test_p3_issue13_resources_are_the_containers_cgroup_limits(spec: Path, engine, built, options: str) -> None:
    """Issue 13, "Resources": run the compose way or with --print-run's options, the container's
    cgroup holds the spec's memory, CPU and process limits."""
    item = built(spec)
    limits = item.plan.policy.limits
    container = start(engine, item, options=print_run_args if options == "print-run" else run_args)
    try:
        pid = int(engine.run("inspect", "--format", "{{.State.Pid}}", container.id).stdout.strip())
        memory, pids, cpu = (cgroup_value(pid, key) for key in ("memory_limit", "pids_limit", "cpu_limit"))
        assert int(memory) == limits.memory_limit
        assert int(pids) == limits.pids_limit
        assert int(cpu.split()[0]) == limits.cpu_limit * 100  # CFS quota in microseconds per 100 ms period
    finally:
        remove(engine, container)


def cgroup_value(pid: int, limit: str) -> str:
    """The cgroup file of ``limit`` (CGROUP_LIMITS) of process ``pid``, read from the host, so an
    image without a shell (Go on scratch) is measured too: cgroup v2's one hierarchy, else v1's
    hierarchy of the file's controller (``/proc/PID/cgroup`` names the container's group)."""
    v2, v1 = CGROUP_LIMITS[limit]
    groups = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            groups[controller] = path
    if "" in groups and Path(f"/sys/fs/cgroup{groups['']}/{v2}").exists():
        return Path(f"/sys/fs/cgroup{groups['']}/{v2}").read_text().strip()
    controller, file = v1.split("/", 1)
    return Path(f"/sys/fs/cgroup/{controller}{groups[controller]}/{file}").read_text().strip()


@pytest.mark.parametrize("spec", TOOLS, ids=ids)
def test_p3_r12_tool_prints_help_from_cmd(spec: Path, engine, built) -> None:
    """The tool image run with no arguments prints its --help (CMD) and exits 0, hardened."""
    item = built(spec)
    container = start(engine, item)
    try:
        code = engine.run("wait", container.id).stdout.strip()
        logs = engine.run("logs", container.id)
        assert code == "0", logs.stdout + logs.stderr
        assert JOB[item.name] in logs.stdout
    finally:
        remove(engine, container)


def stop(engine, container) -> tuple[float, int, str]:
    """``podman stop -t 10`` (SIGKILL after 10 s): seconds it took, the exit code, the logs."""
    began = time.monotonic()
    engine.run("stop", "-t", "10", container.id)
    elapsed = time.monotonic() - began
    code = int(engine.run("inspect", "--format", "{{.State.ExitCode}}", container.id).stdout.strip())
    logs = engine.run("logs", container.id)
    return elapsed, code, logs.stdout + logs.stderr


# 4 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", BUILDABLE, ids=ids)
def test_p4_r11_stops_on_sigterm_not_sigkill(spec: Path, engine, built) -> None:
    """``podman stop -t 10`` returns within 2 s (SIGKILL would come after 10) and the exit code is not 137."""
    item = built(spec)
    if spec in WEB:
        container = start(engine, item)
        wait_http(engine, container, container.ports[min(container.ports)])
    else:
        container = start(engine, item, *WAITING_COMMAND[item.name], interactive=True)
        time.sleep(1)
    try:
        assert engine.run("inspect", "--format", "{{.State.Running}}", container.id).stdout.strip() == "true"
        elapsed, code, logs = stop(engine, container)
        assert code != 137, f"killed by SIGKILL: {logs}"
        assert elapsed < STOP_LIMIT, f"podman stop took {elapsed:.1f} s: SIGTERM was not acted on in time"
    finally:
        remove(engine, container)


# R11: examples whose base image sets its own STOPSIGNAL (php-fpm's and nginx's official
# images, and their stand-ins, say SIGQUIT): the static server (nginx is PID 1, the policy
# keeps nginx's graceful SIGQUIT) and PHP under s6 (the policy says SIGTERM, the base SIGQUIT).
OWN_STOPSIGNAL_BASE = [s for s in BUILDABLE if example_id(s) in ("node-vite-spa", "php-notebook-debian")]


def without_stop_signal(item: Built) -> tuple[list[str], dict[int, int]]:
    """compose's run options without --stop-signal: a stop sends the image's STOPSIGNAL."""
    args, ports = run_args(item)
    return [a for a in args if not a.startswith("--stop-signal=")], ports


@pytest.mark.parametrize("spec", OWN_STOPSIGNAL_BASE, ids=ids)
def test_p4_r11_image_stop_signal_is_the_policys_not_the_bases(spec: Path, engine, built) -> None:
    """The built image's StopSignal (``--format docker``: OCI drops it) is the run policy's and
    compose's; started without --stop-signal, ``podman stop`` sends it and the container ends
    within STOP_LIMIT with its own exit code."""
    assert len(OWN_STOPSIGNAL_BASE) == 2, "the static and the PHP example must both be built"
    item = built(spec)
    base = image_config(engine, base_image(item))["Config"].get("StopSignal")
    assert base == "SIGQUIT", f"{base_image(item)} no longer sets STOPSIGNAL SIGQUIT, so this test shows nothing"
    assert image_config(engine, item.tag)["Config"].get("StopSignal") == item.plan.policy.stop_signal \
        == item.service["stop_signal"]
    container = start(engine, item, options=without_stop_signal)
    try:
        wait_http(engine, container, container.ports[min(container.ports)], JOB_PATH.get(item.name, "/"))
        elapsed, code, logs = stop(engine, container)
        assert code == 0, f"exit code {code} after podman stop: {logs}"
        assert elapsed < STOP_LIMIT, f"podman stop took {elapsed:.1f} s"
    finally:
        remove(engine, container)


# 5 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", WITH_SECRETS, ids=ids)
def test_p5_r18_secret_file_reaches_config_not_environment(spec: Path, engine, built, running) -> None:
    """NAME_FILE → run.sh renders the config with the value; no process's environ holds it."""
    item = built(spec)
    container = running(spec)
    status, body = http_get(container.ports[min(container.ports)], JOB_PATH.get(item.name, "/"))
    assert status == 200
    assert "db_password_set\": true" in body or "password set" in body, body
    for config in item.plan.startup.configs:
        text = engine.run("exec", container.id, "cat", config.target).stdout
        used = [name for name in item.secrets if "${" + name in config.text]
        for name in used:
            assert item.secrets[name] in text, f"{config.target} lacks the value of {name}"
    inspect = json.loads(engine.run("inspect", container.id).stdout)[0]
    assert not any(value in " ".join(inspect["Config"]["Env"]) for value in item.secrets.values())
    # run.sh starts first and unsets NAME and NAME_FILE before it execs tini: no process,
    # PID 1 included, has either (tests/containers/test_secret_environ.py: NAME delivery too).
    pids = host_pids(engine, container)
    assert len(pids) >= 2, "expected tini and the app"
    for pid in pids:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
        for name, value in item.secrets.items():
            assert value.encode() not in b"\0".join(environ), f"pid {pid} has the secret value in its environment"
            assert name not in names, f"pid {pid} has {name} in its environment"
            assert f"{name}_FILE" not in names, f"pid {pid} ({proc_status(pid)['Name']}) still has {name}_FILE"


# 6 ---------------------------------------------------------------------------------------

def _code_file(item: Built) -> Path:
    """The application's main code file in the build context (not a manifest, not generated)."""
    skip = set(item.plan.spec.dependencies or ()) | {c.source for c in item.plan.spec.config}
    for path in sorted(item.context.rglob("*")):
        relative = path.relative_to(item.context).as_posix()
        if path.suffix in CODE_COMMENT and relative not in skip and not relative.startswith((".git", "secrets")):
            return path
    raise AssertionError(f"{item.name}: no code file found")


def _is_code_copy(instruction: str, item: Built) -> bool:
    """A COPY of application code: from the context (not a manifest, not run.sh), or of what a builder compiled from the code (Go's binary)."""
    words = instruction.split()
    if words[0] != "COPY":
        return False
    if any(w.startswith("--from") for w in words):
        # a compiled language's binary (Go, Rust), or what a build step made of the code (issue 11)
        return "--from=builder" in words and bool(languages.module(item.plan.spec.language).COMPILED or item.plan.spec.build)
    sources = words[1:-1]
    generated = {"run.sh"}
    manifests = set(item.plan.spec.dependencies or ())
    return not set(sources) <= (generated | manifests)


def _rebuild(engine, item: Built, tmp_path: Path, change, *extra: str) -> list[tuple[str, bool]]:
    context = fresh_copy(item, tmp_path / item.name)
    change(context)
    result, _ = engine.build(context, item.tag.replace(":dev", ":cache-test"), *extra)
    engine.run("rmi", item.tag.replace(":dev", ":cache-test"), check=False)
    return build_steps(result.stdout)


@pytest.mark.parametrize("spec", BUILDABLE, ids=ids)
def test_p6_r07_code_change_reuses_every_layer_before_the_code_copy(spec: Path, engine, built, tmp_path) -> None:
    """After one changed line of code, built the way the Dockerfile's header says (a new
    ``--build-arg REVISION=`` per commit), every step before the code COPY comes from the
    cache; in the final stage no RUN is re-run (the label ARGs come after the last RUN, R07 R16)."""
    item = built(spec)
    code = _code_file(item)
    relative = code.relative_to(item.context)

    def change(context: Path) -> None:
        # A new token each run: podman's layer cache outlives the session.
        with open(context / relative, "a") as file:
            file.write(CODE_COMMENT[code.suffix].replace("test", f"test {secrets.token_hex(6)}"))

    steps = _rebuild(engine, item, tmp_path, change, "--build-arg", f"REVISION={secrets.token_hex(20)}")
    stages = _stages(steps)
    rebuilt = [instruction for stage in stages for instruction, cached in stage if not cached]
    assert any(_is_code_copy(i, item) for i in rebuilt), f"the code change was not seen: {rebuilt}"
    for stage in stages:
        for instruction, cached in stage:
            if _is_code_copy(instruction, item):
                break
            assert cached or instruction.startswith("FROM"), f"re-run before the code COPY: {instruction}"
    final = stages[-1]
    assert not [i for i, cached in final if i.startswith("RUN") and not cached], "a RUN re-ran in the final stage"


@pytest.mark.parametrize("spec", WITH_MANIFESTS, ids=ids)
def test_p6_r07_manifest_change_keeps_the_system_package_layer(spec: Path, engine, built, tmp_path) -> None:
    """After a change to the dependency manifest only, the OS-package RUNs still come from the cache."""
    item = built(spec)
    manifest = item.plan.spec.dependencies[0]

    def change(context: Path) -> None:
        # New content that changes no dependency, different each run (the layer cache
        # outlives the session): a JSON manifest gets a new description, others a comment.
        token = secrets.token_hex(6)
        path = context / manifest
        if path.suffix == ".json":
            data = json.loads(path.read_text())
            data["description"] = f"changed by the cache test {token}"
            path.write_text(json.dumps(data, indent=2) + "\n")
        else:
            # each manifest's own comment syntax (pom.xml is XML, build.gradle Groovy)
            start, end = {".xml": ("<!--", " -->"), ".gradle": ("//", ""), ".kts": ("//", ""),
                          ".mod": ("//", "")}.get(path.suffix, ("#", ""))
            with open(path, "a") as file:
                file.write(f"{start} changed by the cache test {token}{end}\n")

    steps = _rebuild(engine, item, tmp_path, change)
    rebuilt = [i for i, cached in steps if not cached and not i.startswith("FROM")]
    assert any(i.startswith("COPY") and manifest in i for i in rebuilt), f"the manifest change was not seen: {rebuilt}"
    # the system layer: OS packages, else (nginx as PID 1 needs none: node-vite-spa) the user
    system = [(i, cached) for i, cached in steps if i.startswith(("RUN apt-get update", "RUN groupadd"))]
    assert system, "no system-layer step found"
    for instruction, cached in system:
        assert cached, f"the OS-package layer was rebuilt: {instruction}"


def _stages(steps: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    stages: list[list[tuple[str, bool]]] = []
    for instruction, cached in steps:
        if instruction.startswith("FROM"):
            stages.append([])
        stages[-1].append((instruction, cached))
    return stages


# 7 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", MULTI, ids=ids)
def test_p7_r01_multi_process_serves_through_both_and_stops_cleanly(spec: Path, engine, built) -> None:
    """s6 runs every program; a request goes through nginx to php-fpm; the stop is clean: every
    program stopped by its own signal (none ended by itself), exit code 0, within 2 s."""
    item = built(spec)
    container = start(engine, item)
    try:
        status, body = wait_http(engine, container, container.ports[min(container.ports)], "/index.php")
        assert status == 200, body
        assert JOB[item.name] in body  # rendered by PHP: nginx passed it to php-fpm
        names = {proc_status(pid)["Name"] for pid in host_pids(engine, container)}
        for program in item.plan.spec.processes:
            assert any(program.split("-")[0] in name for name in names), f"{program} is not running: {names}"
        elapsed, code, logs = stop(engine, container)
        assert code == 0, f"exit code {code}: {logs}"
        assert elapsed < STOP_LIMIT, f"podman stop took {elapsed:.1f} s"
        assert "ended with exit code" not in logs, f"a program did not stop cleanly: {logs}"
    finally:
        remove(engine, container)


# 8 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", BUILDABLE, ids=ids)
def test_p8_r19_r04_no_secret_git_env_or_build_only_package_in_the_image(spec: Path, engine, built) -> None:
    """Walk the exported final image: no decoy content, no .git/.env/secrets, no compiler or -dev package
    beyond what its base image already has."""
    item = built(spec)
    files, holding = image_files(engine, item.tag, item.marker)
    assert not holding, f"files holding a decoy secret: {holding}"
    for path in files:
        parts = path.split("/")
        assert ".git" not in parts, path
        assert parts[-1] != ".env", path
        assert not path.startswith(item.plan.spec.workdir.lstrip("/") + "/secrets"), path
    base = base_image(item)
    base_files, _ = image_files(engine, base) if base != "scratch" else ({}, [])
    added = dpkg_packages(files.get("#dpkg-status")) - dpkg_packages(base_files.get("#dpkg-status"))
    forbidden = set(item.plan.spec.build_packages) | BUILD_ONLY
    assert not added & forbidden, f"build-only packages in the final image: {added & forbidden}"
    assert not [p for p in added if p.endswith("-dev")], f"-dev packages in the final image: {added}"
    for path in set(files) - set(base_files):
        name = path.rsplit("/", 1)[-1]
        assert not (path.startswith(("usr/bin/", "usr/local/bin/", "bin/")) and name in {"gcc", "cc", "go", "make", "ld"}), path


@pytest.mark.parametrize("spec", [s for s in BUILDABLE if example_id(s) in DEV_TOOLS], ids=ids)
def test_p8_r04_no_dev_tool_of_the_build_in_the_image(spec: Path, engine, built) -> None:
    """Issue 11: the package manager, the dev dependencies and the build's caches stay in the
    builder; what the build made is there (the final image is not empty by mistake)."""
    item = built(spec)
    files, _ = image_files(engine, item.tag)
    # a path itself (a binary, a file), or anything under it; an empty scope directory that npm's
    # prune leaves (node_modules/@types) holds nothing
    found = sorted(p for p in files for tool in DEV_TOOLS[item.name]
                   if (p == tool and not files[p].isdir()) or p.startswith(tool + "/"))
    assert not found, f"dev tools in the final image: {found[:10]}"
    made = {"node-next-pnpm": "app/server.js", "node-tsc-api": "app/dist/server.js", "go-cgo": "usr/local/bin/cgo-hello",
            "python-django": "app/staticfiles/staticfiles.json", "node-vite-spa": "index.html"}.get(item.name)
    if made:
        assert any(p == made or p.endswith("/" + made) for p in files), f"{made} missing from the final image"
