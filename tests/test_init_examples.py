"""``dockgen init --yes`` on the example apps of issue 11 guesses the spec they carry (R20).

Each example in :data:`EXAMPLES` is a small but real app (Next.js with pnpm, Express with
yarn, Django, FastAPI with uv, a Flask app factory, Go with cgo) whose committed
``dockgen.yaml`` is what init guesses for it. The test copies the app without its spec,
runs the installed CLI on the copy and compares the written spec's data with the
committed one (comments aside: init's say where each value came from, the committed
file's header says what the example shows). The container tier builds each one
(tests/containers/test_examples.py).

The Rails, Laravel and Slim trees in ``tests/fixtures/`` need gems and Composer packages
that cannot be installed here (no RubyGems or Packagist), so they are not examples the
container tier builds: init is tested on them the same way, and what it drafts is
rendered, linted (hadolint, shellcheck) and parsed (compose.yaml).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import subprocess

from support import ROOT, dockgen, lint_problems, tool

from dockgen.loader import load_spec

EXAMPLES = ("node-next-pnpm", "node-express-yarn", "node-tsc-api", "node-vite-spa", "python-django", "python-fastapi-uv",
            "python-flask-factory", "go-cgo")


FIXTURES = ("ruby-rails", "php-laravel", "php-slim")


def _guessed(example: str, tmp_path: Path, where: str = "specs") -> tuple[dict, str]:
    """(the spec init writes for a copy of ``example`` without its dockgen.yaml, its text)."""
    copy = tmp_path / example  # the directory's name is the spec's name when the project states none
    shutil.copytree(ROOT / where / example, copy, ignore=shutil.ignore_patterns("dockgen.yaml", "node_modules"))
    result = dockgen("init", "--yes", str(copy))
    assert result.returncode == 0, result.stderr
    text = (copy / "dockgen.yaml").read_text()
    return yaml.safe_load(text), text


def _offered(text: str) -> dict:
    """The health check init offers as a commented-out line, as the spec would have it."""
    line = next(line for line in text.splitlines() if line.startswith("# healthcheck: ") and "  # offered" in line)
    return yaml.safe_load(line.removeprefix("# ").split("  # offered")[0])


@pytest.mark.parametrize("example", EXAMPLES)
def test_r20_init_guesses_the_committed_spec_of_each_example(example: str, tmp_path: Path):
    """The guessed spec equals the committed one, field for field, and loads; a committed
    health check is the one init offers (commented out), uncommented."""
    guessed, text = _guessed(example, tmp_path)
    committed = yaml.safe_load((ROOT / "specs" / example / "dockgen.yaml").read_text())
    if "healthcheck" in committed:
        guessed.update(_offered(text))
    assert guessed == committed, text
    load_spec(tmp_path / example / "dockgen.yaml")


@pytest.mark.parametrize("example", EXAMPLES)
def test_r20_every_guess_of_an_example_says_where_it_came_from(example: str, tmp_path: Path):
    """Each value line init wrote for the example carries its provenance comment."""
    _, text = _guessed(example, tmp_path)
    values = [line for line in text.splitlines() if line and not line.startswith(("#", " "))]
    assert values
    for line in values:
        assert "  # " in line, f"no provenance: {line}"


def test_r11_init_on_next_standalone_takes_the_server_not_next_start(tmp_path: Path):
    """Next.js with output: standalone: the standalone server.js with HOSTNAME=0.0.0.0 (else it
    binds the container's hostname only), `next start` listed as the other start command."""
    guessed, text = _guessed("node-next-pnpm", tmp_path)
    assert guessed["entrypoint"] == ["node"] and guessed["cmd"] == ["server.js"]
    assert guessed["env"]["HOSTNAME"] == "0.0.0.0"
    assert "next.config.mjs:" in text and "[/app/node_modules/.bin/next, start]" in text


def test_r11_init_on_next_without_standalone_runs_next_start(tmp_path: Path):
    """Without output: standalone, the built app runs with `next start` and its production dependencies."""
    project = tmp_path / "plain-next"
    shutil.copytree(ROOT / "specs" / "node-next-pnpm", project, ignore=shutil.ignore_patterns("dockgen.yaml", "next.config.mjs"))
    assert dockgen("init", "--yes", str(project)).returncode == 0
    guessed = yaml.safe_load((project / "dockgen.yaml").read_text())
    assert guessed["entrypoint"] == ["/app/node_modules/.bin/next"] and guessed["cmd"] == ["start"]
    assert guessed["build"] == ["pnpm run build"] and "artifacts" not in guessed
    assert guessed["ports"] == [3000]


def test_r04_init_on_go_without_cgo_builds_cmd_and_keeps_scratch(tmp_path: Path):
    """A main package under cmd/ without cgo: the build names it; no base (scratch, static binary)."""
    project = tmp_path / "plain-go"
    (project / "cmd/api").mkdir(parents=True)
    (project / "go.mod").write_text("module example.org/plain\n\ngo 1.22\n")
    (project / "cmd/api/main.go").write_text('package main\n\nimport "net/http"\n\n'
                                            'func main() { _ = http.ListenAndServe(":9090", nil) }\n')
    assert dockgen("init", "--yes", str(project)).returncode == 0
    guessed = yaml.safe_load((project / "dockgen.yaml").read_text())
    assert "base" not in guessed
    assert guessed["build"] == ["go build -trimpath -ldflags='-s -w' -o /out/app ./cmd/api"]
    assert guessed["ports"] == [9090]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_r20_init_on_rails_laravel_and_slim_trees_guesses_the_committed_spec(fixture: str, tmp_path: Path):
    """init on the fixture tree gives its committed spec; the spec renders, and the container
    files pass hadolint and shellcheck and compose.yaml parses."""
    guessed, text = _guessed(fixture, tmp_path, "tests/fixtures")
    committed = yaml.safe_load((ROOT / "tests/fixtures" / fixture / "dockgen.yaml").read_text())
    assert guessed == committed, text
    project = tmp_path / fixture
    result = dockgen("render", str(project / "dockgen.yaml"))
    assert result.returncode == 0, result.stderr
    assert lint_problems((project / "Dockerfile").read_text(), guessed) == []
    check = subprocess.run([tool("shellcheck"), "--shell=sh", "--severity=style", str(project / "run.sh")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    assert compose["services"][guessed["name"]]["read_only"] is True


@pytest.mark.parametrize("fixture", ["php-laravel", "php-slim"])
def test_r01_init_on_laravel_and_slim_serves_public_through_nginx_and_php_fpm_under_s6(fixture: str, tmp_path: Path):
    """PHP answers HTTP out of the box: nginx on 8080 serves public/ and passes PHP to php-fpm
    on 127.0.0.1:9000, both under s6; init writes that nginx configuration (it had none)."""
    guessed, _ = _guessed(fixture, tmp_path, "tests/fixtures")
    assert set(guessed["processes"]) == {"php-fpm", "nginx"} and "entrypoint" not in guessed
    assert guessed["ports"] == [8080] and "nginx" in guessed["system_packages"]
    conf = (tmp_path / fixture / guessed["config"][0]["source"]).read_text()
    assert "root /app/public;" in conf and "fastcgi_pass 127.0.0.1:9000;" in conf and "listen 8080;" in conf
    assert "try_files $uri $uri/ /index.php?$query_string;" in conf
    run_sh = (tmp_path / fixture / "run.sh")
    assert dockgen("render", str(tmp_path / fixture / "dockgen.yaml")).returncode == 0
    assert "s6-svscan" in run_sh.read_text()


def test_r20_init_keeps_a_projects_own_nginx_configuration(tmp_path: Path):
    """A docker/nginx.conf.tmpl the project has is used as it is, never replaced."""
    project = tmp_path / "php-slim"
    shutil.copytree(ROOT / "tests/fixtures/php-slim", project, ignore=shutil.ignore_patterns("dockgen.yaml"))
    (project / "docker").mkdir()
    (project / "docker/nginx.conf.tmpl").write_text("events {}\nhttp { server { listen 8080; root /app/public; } }\n")
    assert dockgen("init", "--yes", str(project)).returncode == 0
    assert (project / "docker/nginx.conf.tmpl").read_text().startswith("events {}")


def test_r04_init_on_rails_builds_assets_and_keeps_compilers_in_the_builder(tmp_path: Path):
    """Rails: production env, assets precompiled with a dummy key, compilers and pg's headers
    in the builder only; libpq5 in the final image; log/ and tmp/ writable."""
    guessed, _ = _guessed("ruby-rails", tmp_path, "tests/fixtures")
    assert guessed["env"]["RAILS_ENV"] == "production"
    assert any("SECRET_KEY_BASE_DUMMY=1" in line and "assets:precompile" in line for line in guessed["build"])
    assert {"gcc", "make", "libpq-dev"} <= set(guessed["build_packages"]) and guessed["system_packages"] == ["libpq5"]
    assert {"/app/log", "/app/tmp"} <= set(guessed["writable"])
    assert dockgen("render", str(tmp_path / "ruby-rails" / "dockgen.yaml")).returncode == 0
    dockerfile = (tmp_path / "ruby-rails" / "Dockerfile").read_text()
    final = dockerfile[dockerfile.rindex("\nFROM "):]
    assert "libpq-dev" not in final and "gcc" not in final and "libpq5" in final


def _init(project: Path) -> dict:
    result = dockgen("init", "--yes", str(project))
    assert result.returncode == 0, result.stderr
    return yaml.safe_load((project / "dockgen.yaml").read_text())


def test_r13_init_makes_the_directories_apps_write_and_home_writable(tmp_path: Path):
    """A relative logs/ (and tmp/, storage/, data/) beside the code is writable, since the root is
    read-only; a dependency that writes under ~ (pm2) gets HOME=/tmp, writable."""
    project = tmp_path / "pm"
    (project / "logs").mkdir(parents=True)
    (project / "package.json").write_text('{"name": "pm", "dependencies": {"pm2": "5.4.0"}, "scripts": {"start": "node index.js"}}')
    (project / "index.js").write_text('require("http").createServer(() => {}).listen(3001);\n')
    guessed = _init(project)
    assert guessed["env"]["HOME"] == "/tmp"
    assert set(guessed["writable"]) == {"/tmp", "/app/logs"}
    assert guessed["ports"] == [3001]


def test_r20_init_gives_a_gin_service_gins_default_port(tmp_path: Path):
    """gin's Run() without an address listens on 8080: the port is never left as a TODO."""
    project = tmp_path / "gin-api"
    project.mkdir()
    (project / "go.mod").write_text("module example.org/gin-api\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\n")
    (project / "main.go").write_text('package main\n\nimport "github.com/gin-gonic/gin"\n\n'
                                     'func main() { r := gin.Default(); r.Run() }\n')
    assert _init(project)["ports"] == [8080]
