"""The build step (issue 11, section 1): ``build``, ``artifacts``, ``static`` and ``build_secrets``.

Specs are rendered through the CLI; each Dockerfile is parsed with the `dockerfile` package
(BuildKit's parser) and linted with hadolint, compose.yaml is checked with `docker compose
config`. The container tier builds ``specs/node-tsc-api`` and a build with a secret
(tests/containers/test_build_step.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import dockerfile
import pytest
import yaml

from support import ROOT, dockgen, lint_problems, shell_commands, split_stages, tool

NODE = {"name": "api", "language": "node", "version": "22", "dependencies": ["package.json", "package-lock.json"],
        "ports": [3000], "entrypoint": ["node"], "cmd": ["dist/server.js"]}
SPA = {"name": "spa", "language": "node", "version": "22", "dependencies": ["package.json", "package-lock.json"],
       "build": ["npm run build"], "static": {"root": "dist", "spa": True}, "ports": [8080]}


def render(tmp_path: Path, spec: dict) -> dict[str, str]:
    """Render ``spec`` in ``tmp_path`` (with its manifests present); returns file name -> text."""
    for name in spec.get("dependencies", []):
        (tmp_path / name).write_text("{}\n")
    path = tmp_path / "dockgen.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = dockgen("render", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_text() for p in tmp_path.iterdir() if p.is_file()}


def stages(text: str) -> list[list]:
    return split_stages(dockerfile.parse_string(text))


def runs(stage: list) -> list[str]:
    """The text of each RUN of ``stage``, mount flags left out."""
    return [" ".join(c.value) for c in stage if c.cmd == "RUN"]


def copies(stage: list) -> list[tuple[str, ...]]:
    return [tuple(c.flags) + tuple(c.value) for c in stage if c.cmd == "COPY"]


def assert_clean(files: dict[str, str], spec: dict) -> None:
    """hadolint finds nothing; docker compose accepts compose.yaml."""
    assert lint_problems(files["Dockerfile"], spec) == []


def test_r04_build_installs_dev_dependencies_builds_then_prunes(tmp_path: Path):
    files = render(tmp_path, {**NODE, "build": ["npm run build", "npm test -- --ci"]})
    builder, final = stages(files["Dockerfile"])
    commands = [c.cmd for c in builder]
    # R07: manifests, install, then the code, then the build
    assert commands == ["FROM", "WORKDIR", "COPY", "RUN", "COPY", "RUN", "RUN", "RUN"]
    install, build, test, prune = runs(builder)
    assert shell_commands(install)[0] == ["npm", "ci"]  # dev dependencies: no --omit=dev
    assert build == "npm run build" and test == "npm test -- --ci"  # each line one RUN, shell form, as written
    assert shell_commands(prune) == [["npm", "prune", "--omit=dev"]]
    assert copies(builder)[-1] == (".", "./")
    # the default artifact: the builder's whole working directory (production dependencies only)
    assert copies(final)[-1] == ("--from=builder", "/app", "/app")
    assert ("--from=builder", "/app/node_modules", "/app/node_modules") not in copies(final)
    assert (".", "./") not in copies(final)  # the code comes built, from the builder
    assert_clean(files, NODE)


def test_r04_framework_build_caches_are_cache_mounts_of_the_build_only(tmp_path: Path):
    files = render(tmp_path, {**NODE, "build": ["npm run build"]})
    builder = stages(files["Dockerfile"])[0]
    build_run = [c for c in builder if c.cmd == "RUN"][1]
    flags = " ".join(build_run.flags)
    assert "--mount=type=cache,target=/app/.next/cache" in flags
    assert "--mount=type=cache,target=/app/node_modules/.vite" in flags
    assert "--mount=type=cache,target=/root/.npm" in flags
    assert ".next/cache" not in " ".join(builder[3].flags)  # not on the install


def test_r04_artifacts_are_all_the_final_image_takes(tmp_path: Path):
    spec = {**NODE, "build": ["npm run build"], "artifacts": ["dist", "node_modules", "package.json", "public:static"]}
    files = render(tmp_path, spec)
    final = stages(files["Dockerfile"])[-1]
    taken = [c for c in copies(final) if c[0] == "--from=builder"]
    assert taken == [("--from=builder", "/app/dist", "/app/dist"), ("--from=builder", "/app/node_modules", "/app/node_modules"),
                     ("--from=builder", "/app/package.json", "/app/package.json"),
                     ("--from=builder", "/app/public", "/app/static")]
    assert [c for c in copies(final) if c[0] != "--from=builder"] == [("run.sh", "/usr/local/bin/run.sh")]
    # R07: the built files change most, so they come after run.sh
    assert copies(final).index(("run.sh", "/usr/local/bin/run.sh")) == 0
    assert_clean(files, spec)


def test_build_with_python_installs_dev_group_and_syncs_to_main(tmp_path: Path):
    spec = {"name": "site", "language": "python", "version": "3.12", "package_manager": "poetry",
            "dependencies": ["pyproject.toml", "poetry.lock"], "build": ["python manage.py collectstatic --noinput"],
            "entrypoint": ["gunicorn", "site.wsgi"]}
    files = render(tmp_path, spec)
    builder, final = stages(files["Dockerfile"])
    install, build, prune = runs(builder)
    assert ["poetry", "install", "--no-root", "--no-interaction"] in shell_commands(install)
    assert build == "python manage.py collectstatic --noinput"
    assert shell_commands(prune) == [["poetry", "sync", "--no-root", "--no-interaction", "--only", "main"]]
    taken = [c for c in copies(final) if c[0] == "--from=builder"]
    assert taken == [("--from=builder", "/opt/venv", "/opt/venv"), ("--from=builder", "/app", "/app")]
    assert_clean(files, spec)


def test_build_with_go_runs_before_the_compile(tmp_path: Path):
    (tmp_path / "go.mod").write_text("module x\n")
    spec = {"name": "svc", "language": "go", "version": "1.24", "dependencies": ["go.mod"], "build": ["go generate ./..."]}
    files = render(tmp_path, spec)
    builder = next(s for s in stages(files["Dockerfile"]) if s[0].value[-1] == "builder")
    texts = runs(builder)
    assert texts.index("go generate ./...") < next(i for i, t in enumerate(texts) if "go build" in t)
    assert_clean(files, spec)


def test_r18_build_secrets_are_secret_mounts_never_env_arg_or_final(tmp_path: Path):
    spec = {**NODE, "build": ["npm run build"], "build_secrets": ["NPM_TOKEN"]}
    files = render(tmp_path, spec)
    text = files["Dockerfile"]
    builder, final = stages(text)
    for run in (c for c in builder if c.cmd == "RUN"):
        assert "--mount=type=secret,id=NPM_TOKEN" in run.flags, run.original
        assert shell_commands(" ".join(run.value))[:2] == [['NPM_TOKEN=$(cat /run/secrets/NPM_TOKEN)'], ["export", "NPM_TOKEN"]]
    for command in dockerfile.parse_string(text):
        if command.cmd in ("ENV", "ARG", "LABEL"):
            assert "NPM_TOKEN" not in command.original
    assert not any("NPM_TOKEN" in c.original for c in final)
    assert "--secret id=NPM_TOKEN,env=NPM_TOKEN" in text.splitlines()[2]  # the documented build line
    assert_clean(files, spec)
    compose = yaml.safe_load(files["compose.yaml"])
    assert compose["services"]["api"]["build"]["secrets"] == ["NPM_TOKEN"]
    assert compose["secrets"]["NPM_TOKEN"] == {"environment": "NPM_TOKEN"}
    result = subprocess.run([tool("docker-compose"), "-f", str(tmp_path / "compose.yaml"), "config", "-q"],
                            capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "NPM_TOKEN": "x"})
    assert result.returncode == 0, result.stderr


def test_static_serves_the_built_files_with_nginx_as_the_user(tmp_path: Path):
    files = render(tmp_path, SPA)
    builder, final = stages(files["Dockerfile"])
    assert final[0].value == ("nginx:1.28",)
    assert [c for c in runs(builder) if "prune" in c] == []  # only the built files are taken
    assert copies(final)[-1] == ("--from=builder", "/app/dist", "/app")
    assert ("nginx.conf", "/etc/nginx/nginx.conf") in copies(final)
    entry = next(c for c in final if c.cmd == "ENTRYPOINT")
    assert entry.json and entry.value[-5:] == ("nginx", "-e", "stderr", "-c", "/etc/nginx/nginx.conf")
    assert next(c for c in final if c.cmd == "USER").value == ("10001:10001",)
    assert not any(c.cmd == "ENV" and "NODE_ENV" in c.original for c in final)
    conf = files["nginx.conf"]
    assert "listen 8080;" in conf and "root /app;" in conf and "daemon off;" in conf
    assert "try_files $uri $uri/ /index.html;" in conf  # spa: deep links answer index.html
    assert "gzip on;" in conf and "immutable" in conf
    assert "pid /var/lib/dockgen/nginx.pid;" in conf and not any(line.strip().startswith("user ") for line in conf.splitlines())
    compose = yaml.safe_load(files["compose.yaml"])["services"]["spa"]
    assert compose["read_only"] is True and "/var/lib/dockgen:mode=1777" in compose["tmpfs"]  # R13 (a form Docker and Podman both accept)
    assert_clean(files, SPA)


def test_r11_static_stops_gracefully_before_the_grace_period_ends(tmp_path: Path):
    """nginx's graceful stop (SIGQUIT) is the image's STOPSIGNAL and compose's stop_signal, and
    nginx closes what is still open one second (STOP_MARGIN) before docker's SIGKILL."""
    files = render(tmp_path, {**SPA, "stop_grace_period": "30s"})
    assert [c.value for c in stages(files["Dockerfile"])[-1] if c.cmd == "STOPSIGNAL"] == [("SIGQUIT",)]
    assert yaml.safe_load(files["compose.yaml"])["services"]["spa"]["stop_signal"] == "SIGQUIT"
    assert [line for line in files["nginx.conf"].splitlines() if line.startswith("worker_shutdown_timeout")] == \
        ["worker_shutdown_timeout 29s;"]


def test_static_without_spa_answers_404_for_unknown_paths(tmp_path: Path):
    files = render(tmp_path, {**SPA, "static": {"root": "dist"}})
    assert "try_files $uri $uri/ =404;" in files["nginx.conf"] and "/index.html;" not in files["nginx.conf"]


def test_static_alpine_variant_uses_nginx_alpine_slim(tmp_path: Path):
    files = render(tmp_path, {**SPA, "variant": "alpine"})
    assert stages(files["Dockerfile"])[-1][0].value == ("nginx:1.28-alpine-slim",)
    assert "addgroup" in files["Dockerfile"] and "useradd" not in files["Dockerfile"]  # BusyBox's, as the image has
    assert_clean(files, {**SPA, "variant": "alpine"})


REFUSED = {
    "newline": ({**NODE, "build": ["npm run build\nRUN id"]}, "build[0]", "newline"),
    "heredoc": ({**NODE, "build": ["cat <<EOF"]}, "build[0]", "heredoc"),
    "continuation": ({**NODE, "build": ["npm run build \\"]}, "build[0]", "backslash"),
    "exec-form": ({**NODE, "build": ['["npm", "run", "build"]']}, "build[0]", "exec-form"),
    "empty": ({**NODE, "build": [" "]}, "build[0]", "empty"),
    "artifacts-without-build": ({**NODE, "artifacts": ["dist"]}, "artifacts", "no `build`"),
    "artifact-outside": ({**NODE, "build": ["x"], "artifacts": ["../etc"]}, "artifacts[0]", ".."),
    "artifact-absolute-dest": ({**NODE, "build": ["x"], "artifacts": ["dist:/etc"]}, "artifacts[0]", "relative"),
    "static-entrypoint": ({**SPA, "entrypoint": ["node"]}, "entrypoint", "web server"),
    "static-privileged-port": ({**SPA, "ports": [80]}, "ports", "R15"),
    "static-no-port": ({**{k: v for k, v in SPA.items() if k != "ports"}}, "ports", "unprivileged port"),
    "none-build": ({"name": "x", "language": "none", "base": "alpine:3.22", "entrypoint": ["x"], "build": ["make"]},
                   "build", "builder"),
    "secret-value": ({**NODE, "build_secrets": ["NPM_TOKEN=abc"]}, "build_secrets[0]", "variable name"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_exit_2_and_named_field(case: str, tmp_path: Path):
    spec, field, words = REFUSED[case]
    path = tmp_path / "dockgen.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = dockgen("render", path, "-o", tmp_path / "out")
    assert result.returncode == 2, result.stdout + result.stderr
    assert field in result.stderr and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_example_tsc_api_is_in_the_examples():
    spec = yaml.safe_load((ROOT / "specs/node-tsc-api/dockgen.yaml").read_text())
    assert spec["build"] == ["npm run build"]
    package = (ROOT / "specs/node-tsc-api/package.json").read_text()
    assert '"typescript"' in package and '"build": "tsc' in package


def test_r04_a_go_build_line_that_writes_the_binary_replaces_dockgens_compile(tmp_path: Path):
    """Issue 11: `-o /out/app` in a build line (a main package under cmd/, cgo) is the compile:
    dockgen's own `go build .` is left out, and the final image takes that binary."""
    (tmp_path / "go.mod").write_text("module x\n")
    line = "CGO_ENABLED=1 go build -o /out/app ./cmd/server"
    spec = {"name": "svc", "language": "go", "version": "1.24", "base": "debian:12-slim", "dependencies": ["go.mod"],
            "build": [line]}
    files = render(tmp_path, spec)
    builder, final = stages(files["Dockerfile"])[-2:]
    texts = runs(builder)
    assert [t for t in texts if "go build" in t] == [line]
    assert any(c.cmd == "COPY" and "/out/app" in c.original for c in final)
    assert_clean(files, spec)


@pytest.mark.parametrize("cpu, workers", [("1", "1"), ("2500m", "2"), ("250m", "1"), (None, "auto")])
def test_static_workers_follow_the_cpu_limit_not_the_host(tmp_path: Path, cpu, workers):
    """nginx's `worker_processes auto` counts the host's CPUs; under a CPU limit the container
    gets as many workers as the CPUs it may use, so a large host does not fill its memory limit."""
    resources = {"limits": {"cpu": cpu, "memory": "64Mi"}} if cpu else {"limits": {"memory": "64Mi"}}
    files = render(tmp_path, {**SPA, "resources": resources})
    assert f"worker_processes {workers};" in files["nginx.conf"].splitlines()
