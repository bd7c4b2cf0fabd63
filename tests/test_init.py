"""``dockgen init``: guessing a spec from a real project tree, and new repositories (R20).

Each test builds a realistic project in tmp_path, runs the installed CLI on it and checks
the written spec with dockgen's own loader, its comments (every value says where it came
from) and, where rendered, the container files with hadolint, shellcheck and the YAML
parser. The new-repository apps for Python and Node.js are started for real.
"""

from __future__ import annotations

import json
import os
import pty
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from dockgen import languages
from support import ROOT, dockgen, lint_problems, tool, write_tree

from dockgen.loader import load_spec

from dockgen.languages import NAMES as LANGUAGES



def init(directory: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return dockgen("init", directory, *args, input=input)


def spec_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def assert_every_value_commented(path: Path) -> None:
    """Every top-level `key: value` line carries a `# ...` comment saying where it came from."""
    for line in spec_lines(path):
        if line and not line.startswith("#") and not line.startswith(" "):
            assert "  # " in line, f"no provenance comment: {line!r}"
            assert line.split("  # ", 1)[1].strip(), line


# --- realistic projects, one or more per language --------------------------------------

PROJECTS = {
    "flask": {
        "files": {
            "requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n",
            ".python-version": "3.11.9\n",
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/')\ndef index():\n    return 'hi'\n",
            "templates/index.html": "<h1>hi</h1>\n",
        },
        "expect": {"language": "python", "version": "3.11", "dependencies": ["requirements.txt"],
                   "entrypoint": ["gunicorn"], "cmd": ["--bind", "0.0.0.0:8000", "app:app"], "ports": [8000],
                   "writable": ["/tmp"]},  # gunicorn's heartbeat files under the read-only root (R13)
        "sources": {"version": ".python-version: 3.11.9", "entrypoint": "app.py:3: app = Flask(...)",
                    "writable": "gunicorn keeps its workers' heartbeat files"},
    },
    "django": {
        "files": {
            "requirements.txt": "Django==5.0.6\ngunicorn==22.0.0\n",
            "runtime.txt": "python-3.12.4\n",
            "manage.py": "import sys\n\nif __name__ == '__main__':\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n",
            "mysite/__init__.py": "",
            "mysite/settings.py": "DEBUG = False\n",
            "mysite/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\napplication = get_wsgi_application()\n",
            "Procfile": "web: gunicorn mysite.wsgi:application --bind 0.0.0.0:${PORT:-5000} --workers 2\n",
        },
        "expect": {"language": "python", "version": "3.12", "entrypoint": ["gunicorn"],
                   "cmd": ["mysite.wsgi:application", "--bind", "0.0.0.0:5000", "--workers", "2"], "ports": [5000],
                   "writable": ["/tmp"]},
        "sources": {"version": "runtime.txt: python-3.12.4", "entrypoint": "Procfile: web:"},
    },
    "fastapi-pyproject": {
        "files": {
            "pyproject.toml": '[project]\nname = "Inventory_API"\nrequires-python = ">=3.10,<3.13"\ndependencies = ["fastapi", "uvicorn"]\n',
            "requirements.txt": "fastapi==0.111.0\nuvicorn==0.30.1\n",
            "src/inventory/__init__.py": "",
            "src/inventory/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
        "expect": {"name": "inventory_api", "language": "python", "version": "3.12",
                   "entrypoint": ["uvicorn"], "cmd": ["inventory.main:app", "--host", "0.0.0.0", "--port", "8000"],
                   "env": {"PYTHONPATH": "/app/src"}},
        "sources": {"version": "requires-python: >=3.10,<3.13", "name": "pyproject.toml: [project] name"},
    },
    "python-cli-scripts": {
        "files": {
            "pyproject.toml": '[project]\nname = "wc-tool"\nrequires-python = ">=3.11"\n\n[project.scripts]\nwc-tool = "wctool.cli:main"\n',
            "wctool/__init__.py": "",
            "wctool/cli.py": "def main():\n    return 0\n",
        },
        "expect": {"language": "python", "version": "3.14", "dependencies": [],
                   "entrypoint": ["python"], "cmd": ["-c", "import sys; from wctool.cli import main; sys.exit(main())"]},
        "sources": {"entrypoint": "[project.scripts] wc-tool"},
    },
    "express": {
        "files": {
            "package.json": json.dumps({"name": "@acme/orders", "version": "1.0.0", "main": "src/index.js",
                                        "scripts": {"start": "node src/index.js", "test": "jest"},
                                        "engines": {"node": ">=20 <23"}, "dependencies": {"express": "^4.19.2"}}),
            "package-lock.json": json.dumps({"name": "@acme/orders", "lockfileVersion": 3, "packages": {}}),
            "src/index.js": "const express = require('express');\nconst app = express();\napp.listen(process.env.PORT || 8080);\n",
        },
        "expect": {"name": "orders", "language": "node", "version": "22", "dependencies": ["package.json", "package-lock.json"],
                   "entrypoint": ["node"], "cmd": ["src/index.js"], "ports": [8080]},
        "sources": {"version": "package.json: engines.node: >=20 <23", "ports": "src/index.js:3"},
    },
    "node-nvmrc-next": {
        "files": {
            ".nvmrc": "lts/iron\n",
            "package.json": json.dumps({"name": "shop", "scripts": {"start": "next start -p 3000"}}),
            "package-lock.json": "{}",
        },
        "expect": {"language": "node", "version": "20", "entrypoint": ["/app/node_modules/.bin/next"], "cmd": ["start", "-p", "3000"]},
        "sources": {"version": ".nvmrc: lts/iron"},
    },
    "sinatra-puma": {
        "files": {
            "Gemfile": 'source "https://rubygems.org"\nruby "3.2.2"\ngem "sinatra", "~> 4.0"\ngem "puma", "~> 6.4"\n',
            "Gemfile.lock": "GEM\n  remote: https://rubygems.org/\n  specs:\n",
            "config.ru": "require './app'\nrun Sinatra::Application\n",
            "app.rb": "require 'sinatra'\nget('/') { 'hi' }\n",
        },
        "expect": {"language": "ruby", "version": "3.2", "dependencies": ["Gemfile", "Gemfile.lock"],
                   "entrypoint": ["bundle"], "cmd": ["exec", "puma", "--bind", "tcp://0.0.0.0:9292", "config.ru"], "ports": [9292]},
        "sources": {"version": "Gemfile:2: ruby: 3.2.2"},
    },
    "laravel-like": {
        "files": {
            "composer.json": json.dumps({"name": "acme/notebook", "require": {"php": "^8.2", "monolog/monolog": "^3.0"}}),
            "composer.lock": "{}",
            "public/index.php": "<?php\necho 'hi';\n",
            "artisan": "#!/usr/bin/env php\n<?php\n",
        },
        "expect": {"name": "notebook", "language": "php", "version": "8.4", "dependencies": ["composer.json", "composer.lock"],
                   "entrypoint": ["php-fpm"], "cmd": ["--nodaemonize"], "ports": [9000], "writable": ["/tmp"]},
        "sources": {"version": "composer.json: require.php: ^8.2"},
    },
    "go-service": {
        "files": {
            "go.mod": "module github.com/acme/pinger\n\ngo 1.22.5\n\nrequire github.com/google/uuid v1.6.0\n",
            "go.sum": "github.com/google/uuid v1.6.0 h1:x\n",
            "main.go": 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.ListenAndServe(":9090", nil)\n}\n',
        },
        "expect": {"name": "pinger", "language": "go", "version": "1.22", "dependencies": ["go.mod", "go.sum"], "ports": [9090]},
        "sources": {"version": "go.mod: go 1.22.5", "ports": "main.go:6"},
    },
    "static-site": {
        "files": {"public/index.html": "<h1>docs</h1>\n", "public/style.css": "h1{}\n", "README.md": "# docs\n"},
        "expect": {"language": "none", "base": "busybox:1.36.1", "copy": [{"source": "public", "target": "/www"}], "ports": [8080],
                   "entrypoint": ["httpd"], "cmd": ["-f", "-v", "-p", "8080", "-h", "/www"]},
        "sources": {"base": "public/index.html"},
    },
}


@pytest.fixture(params=sorted(PROJECTS), ids=str)
def project(request, tmp_path: Path) -> tuple[str, Path]:
    """(project kind, its directory) for every realistic project above."""
    kind = request.param
    return kind, write_tree(tmp_path / kind, PROJECTS[kind]["files"])


def test_r20_init_guesses_each_language_with_provenance_and_the_spec_loads(project):
    kind, directory = project
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    spec_path = directory / "dockgen.yaml"
    assert result.stdout.splitlines()[0] == f"wrote {spec_path}"  # the wording of render
    lines = spec_lines(spec_path)
    assert lines[0] == "# yaml-language-server: $schema=dockgen.schema.json"
    assert json.loads((directory / "dockgen.schema.json").read_text())["title"] == "dockgen spec"
    assert_every_value_commented(spec_path)
    loaded = load_spec(spec_path)  # dockgen's own loader accepts what init wrote
    data = yaml.safe_load(spec_path.read_text())
    for key, value in PROJECTS[kind]["expect"].items():
        assert data.get(key) == value, (key, spec_path.read_text())
    for key, source in PROJECTS[kind]["sources"].items():
        line = next(line for line in lines if line.startswith(f"{key}:"))
        assert source in line.split("  # ", 1)[1], line
    assert loaded.spec.language == PROJECTS[kind]["expect"]["language"]


def test_r20_init_render_output_passes_the_linters(project, tmp_path: Path):
    kind, directory = project
    result = init(directory, "--yes", "--render")
    assert result.returncode == 0, result.stderr
    dockerfile_text = (directory / "Dockerfile").read_text()
    problems = lint_problems(dockerfile_text, yaml.safe_load((directory / "dockgen.yaml").read_text()))
    assert problems == [], problems
    if (directory / "run.sh").exists():
        check = subprocess.run([tool("shellcheck"), "--shell=sh", "--severity=style", str(directory / "run.sh")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
    yaml.safe_load((directory / "compose.yaml").read_text())
    # what init rendered is exactly what render renders
    assert dockgen("render", "--check", directory / "dockgen.yaml").returncode == 0


def test_r20_init_is_deterministic(tmp_path: Path):
    outputs = []
    for n in (1, 2):
        directory = write_tree(tmp_path / f"p{n}" / "same", PROJECTS["django"]["files"])
        assert init(directory, "--yes").returncode == 0
        outputs.append((directory / "dockgen.yaml").read_bytes())
    assert outputs[0] == outputs[1]


def test_r20_several_entry_points_pick_one_and_list_the_others(tmp_path: Path):
    directory = write_tree(tmp_path / "multi", {
        "requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n",
        "worker.py": "import time\n\nif __name__ == '__main__':\n    time.sleep(1)\n",
        "cli.py": "if __name__ == \"__main__\":\n    print('hi')\n",
        "web/app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "server.py": "from flask import Flask\nserver = Flask('x')\n",
    })
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    data = yaml.safe_load(text)
    # an app object beats a __main__ script, a top-level file beats a nested one; the others are listed, in order
    assert data["entrypoint"] == ["gunicorn"] and data["cmd"] == ["--bind", "0.0.0.0:8000", "server:server"]
    listed = [line for line in text.splitlines() if line.startswith("#   [")]
    assert listed == [
        "#   [gunicorn, --bind, '0.0.0.0:8000', 'web.app:app']  <- web/app.py:2: app = Flask(...)",
        "#   [python, cli.py]  <- cli.py: if __name__ == \"__main__\"",
        "#   [python, worker.py]  <- worker.py: if __name__ == \"__main__\"",
    ]
    # the listed alternatives are valid YAML argv lists, ready to paste
    assert yaml.safe_load(listed[0][4:].split("  <- ")[0]) == ["gunicorn", "--bind", "0.0.0.0:8000", "web.app:app"]


def test_r20_no_recognisable_language_exits_2_and_writes_nothing(tmp_path: Path):
    directory = write_tree(tmp_path / "docs", {"README.md": "# notes\n", "notes.txt": "x\n"})
    result = init(directory, "--yes")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {directory}: no recognisable language")
    assert "--language" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in directory.iterdir()) == ["README.md", "notes.txt"]


def test_r20_missing_directory_exits_2(tmp_path: Path):
    result = init(tmp_path / "nope", "--yes")
    assert result.returncode == 2 and "not a directory" in result.stderr


def test_r20_never_overwrites_a_spec_without_force(tmp_path: Path):
    directory = write_tree(tmp_path / "p", PROJECTS["flask"]["files"])
    (directory / "dockgen.yaml").write_text("# mine\n")
    result = init(directory, "--yes")
    assert result.returncode == 2 and "--force" in result.stderr
    assert (directory / "dockgen.yaml").read_text() == "# mine\n"
    result = init(directory, "--yes", "--force")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((directory / "dockgen.yaml").read_text())["language"] == "python"


def test_r20_never_overwrites_a_container_file_without_force(tmp_path: Path):
    directory = write_tree(tmp_path / "p", {**PROJECTS["flask"]["files"], "Dockerfile": "FROM python:3.11\nEXPOSE 5000\n"})
    result = init(directory, "--yes", "--render")
    assert result.returncode == 2, result.stderr
    assert f"{directory / 'Dockerfile'}" in result.stderr
    assert (directory / "Dockerfile").read_text() == "FROM python:3.11\nEXPOSE 5000\n"
    assert not (directory / "dockgen.yaml").exists()  # all or nothing
    result = init(directory, "--yes", "--render", "--force")
    assert result.returncode == 0, result.stderr
    spec = (directory / "dockgen.yaml").read_text()
    # the old Dockerfile's EXPOSE was read as a hint and the guessed command binds that port
    assert "ports: [5000]  # Dockerfile:2: EXPOSE 5000" in spec
    assert yaml.safe_load(spec)["cmd"] == ["--bind", "0.0.0.0:5000", "app:app"]
    assert (directory / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")


def test_r20_unguessable_start_command_is_a_placeholder_and_a_warning(tmp_path: Path):
    directory = write_tree(tmp_path / "lib", {"requirements.txt": "numpy==2.0.0\n", "lib/__init__.py": "X = 1\n"})
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    assert "# entrypoint: [/app/start]  # TODO: no start command found" in text
    assert "# ports: [8080]  # TODO: no port found" in text
    assert "warning:" in result.stderr and "entrypoint could not be guessed" in result.stderr
    # the user fills it in, and the spec loads
    (directory / "dockgen.yaml").write_text(text.replace("# entrypoint: [/app/start]", "entrypoint: [python]"))
    load_spec(directory / "dockgen.yaml")


def test_r20_unguessable_start_command_with_render_exits_2_rendering_nothing(tmp_path: Path):
    directory = write_tree(tmp_path / "lib", {"requirements.txt": "numpy==2.0.0\n"})
    result = init(directory, "--yes", "--render")
    assert result.returncode == 2
    assert "nothing rendered" in result.stderr
    assert (directory / "dockgen.yaml").exists() and not (directory / "Dockerfile").exists()


def test_r20_unknown_version_is_the_default_said_so(tmp_path: Path):
    directory = write_tree(tmp_path / "p", {"requirements.txt": "", "main.py": "if __name__ == '__main__':\n    pass\n"})
    result = init(directory, "--yes")
    assert result.returncode == 0
    line = next(line for line in spec_lines(directory / "dockgen.yaml") if line.startswith("version:"))
    assert line == "version: '3.12'  # not stated in the project: dockgen's default for python; check it"
    assert "states no python version" in result.stderr


def test_r20_flags_override_guesses_and_say_so(tmp_path: Path):
    directory = write_tree(tmp_path / "p", PROJECTS["flask"]["files"])
    result = init(directory, "--yes", "--version", "3.13", "--port", "9000", "--name", "notes",
                  "--cmd", "gunicorn --bind 0.0.0.0:9000 app:app")
    assert result.returncode == 0, result.stderr
    lines = spec_lines(directory / "dockgen.yaml")
    assert "name: notes  # --name" in lines
    assert "version: '3.13'  # --version" in lines
    assert "ports: [9000]  # --port" in lines
    assert "entrypoint: [gunicorn]  # --cmd" in lines
    assert yaml.safe_load((directory / "dockgen.yaml").read_text())["cmd"] == ["--bind", "0.0.0.0:9000", "app:app"]


def test_r20_language_flag_forces_the_language(tmp_path: Path):
    # a Python app with a package.json for front-end tooling: python wins by evidence...
    files = {**PROJECTS["flask"]["files"], "package.json": json.dumps({"name": "assets", "scripts": {"start": "node build.js"}})}
    directory = write_tree(tmp_path / "p", files)
    assert init(directory, "--yes").returncode == 0
    text = (directory / "dockgen.yaml").read_text()
    assert yaml.safe_load(text)["language"] == "python"
    assert "#   node: package.json" in text  # the other language is mentioned
    # ...and --language node takes the other reading
    result = init(directory, "--yes", "--force", "--language", "node", "--version", "20")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert (data["language"], data["version"], data["entrypoint"], data["cmd"]) == ("node", "20", ["node"], ["build.js"])


def test_r20_bad_flag_values_exit_2_writing_nothing(tmp_path: Path):
    directory = write_tree(tmp_path / "p", PROJECTS["flask"]["files"])
    for args, message in ((("--name", "Bad Name"), "--name"), (("--version", "three"), "version"),
                          (("--language", "cobol"), "cobol"), (("--port", "70000"), "--port")):
        result = init(directory, "--yes", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
        assert not (directory / "dockgen.yaml").exists()


def test_r20_interactive_prompts_take_the_guess_as_default(tmp_path: Path):
    """With a terminal on stdin, init asks; Enter keeps the guess, an answer replaces it."""
    directory = write_tree(tmp_path / "p", PROJECTS["flask"]["files"])
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen([tool("dockgen"), "init", str(directory)], stdin=slave, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        # language: keep python; version: 3.12; port: keep 8000; start command: keep
        os.write(master, b"\n3.12\n\n\n")
        out, err = process.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert process.returncode == 0, err
    assert f"Language ({', '.join(LANGUAGES)}) [python]:" in out  # the registry's list
    assert "python version [3.11]:" in out
    assert "Port the application listens on (a number, or none) [8000]:" in out
    lines = spec_lines(directory / "dockgen.yaml")
    assert "version: '3.12'  # answered at the prompt" in lines
    assert "ports: [8000]  # the port the start command binds" in lines
    assert any(line.startswith("entrypoint: [gunicorn]  # app.py:3") for line in lines)


def test_r20_without_a_terminal_init_asks_nothing(tmp_path: Path):
    directory = write_tree(tmp_path / "p", PROJECTS["flask"]["files"])
    result = init(directory, input="node\n")  # stdin is a pipe: the answer is never read
    assert result.returncode == 0, result.stderr
    assert "Language" not in result.stdout
    assert yaml.safe_load((directory / "dockgen.yaml").read_text())["language"] == "python"


# --- new repositories ------------------------------------------------------------------


@pytest.fixture(params=LANGUAGES, ids=str)
def new_repo(request, tmp_path: Path) -> tuple[str, Path]:
    """(language, directory) of a repository made by `dockgen init --new demo-<language>`."""
    language = request.param
    result = dockgen("init", "--new", f"demo-{language}", "--language", language, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return language, tmp_path / f"demo-{language}"


def test_r20_new_repo_has_spec_app_container_files_gitignore_and_workflow(new_repo):
    language, directory = new_repo
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    assert {"dockgen.yaml", "dockgen.schema.json", "Dockerfile", ".dockerignore", "compose.yaml", ".gitignore",
            ".github/workflows/container.yml", "README.md"} <= names
    app = {"python": "app.py", "node": "server.js", "ruby": "app.rb", "php": "public/index.php", "go": "main.go",
           "rust": "src/main.rs", "java": "src/main/java/app/Main.java", "dotnet": "Program.cs",
           "none": "public/index.html"}[language]
    assert app in names
    # a native binary's image (Go, Rust) is scratch: no shell, no run.sh (R17)
    assert ("run.sh" in names) == (not languages.module(language).BINARY)
    spec = load_spec(directory / "dockgen.yaml").spec
    assert spec.name == f"demo-{language}" and spec.language == language
    assert_every_value_commented(directory / "dockgen.yaml")
    gitignore = (directory / ".gitignore").read_text().splitlines()
    assert {".env", "*.pem", "*.key", "secrets/"} <= set(gitignore)  # R18, R19
    # the rendered files are exactly what the spec renders (what CI checks)
    assert dockgen("render", "--check", directory / "dockgen.yaml").returncode == 0


def test_r20_new_repo_files_pass_hadolint_and_shellcheck(new_repo):
    language, directory = new_repo
    text = (directory / "Dockerfile").read_text()
    assert lint_problems(text, yaml.safe_load((directory / "dockgen.yaml").read_text())) == []
    if not languages.module(language).BINARY:
        result = subprocess.run([tool("shellcheck"), "--shell=sh", "--severity=style", str(directory / "run.sh")], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_r20_new_repo_workflow_renders_lints_and_builds(new_repo):
    language, directory = new_repo
    workflow = yaml.safe_load((directory / ".github/workflows/container.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"push", "pull_request"}
    steps = workflow["jobs"]["container"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    commands = [shlex.split(run) for run in runs]
    assert ["dockgen", "render", "--check", "dockgen.yaml"] in commands
    assert ["hadolint", "--failure-threshold", "warning", "Dockerfile"] in commands
    install = next(c for c in commands if "install" in c)
    from dockgen import __version__

    assert f"dockgen-spec=={__version__}" in install  # the same dockgen renders in CI as here
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses.index("actions/checkout") < uses.index("docker/setup-qemu-action") < \
        uses.index("docker/setup-buildx-action") < uses.index("docker/build-push-action")
    # issue 14: both platforms, with SBOM and provenance attestations, from the build context
    build = next(step["with"] for step in steps if step.get("uses", "").startswith("docker/build-push-action@v"))
    assert build["context"] == "." and build["platforms"] == "linux/amd64,linux/arm64"
    assert build["sbom"] is True and build["provenance"] == "mode=max"
    assert build["tags"] == f"demo-{language}:ci"
    assert "REVISION=${{ github.sha }}" in build["build-args"].splitlines()
    assert build["outputs"].startswith("type=oci,")  # attestations need an exporter that keeps them


def _actionlint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool("actionlint"), "-no-color", f"-shellcheck={tool('shellcheck')}", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_r20_new_repo_workflow_passes_actionlint(new_repo):
    """issue 14: actionlint (with shellcheck on the run: scripts) finds nothing in the workflow."""
    _, directory = new_repo
    result = _actionlint(directory / ".github/workflows/container.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path: Path):
    """The check above can fail: a workflow with an unknown key and a bad expression is reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n"
                      "    steps:\n      - run: echo ${{ github.nope( }}\n")
    result = _actionlint(broken)
    assert result.returncode == 1 and "stepz" in result.stdout, result.stdout + result.stderr


def _serve(argv: list[str], cwd: Path, port: int, check: list[str] | None = None) -> None:
    """Start an app, GET / and /health, run ``check`` (the spec's health check) against it,
    then SIGTERM it: it must exit 0 within a second (R11)."""
    env = {**os.environ, "PORT": str(port)}
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"the app did not answer: {process.communicate(timeout=5)}")
                time.sleep(0.1)
        assert body.startswith("Hello from demo-")
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read() == b"ok\n"
        if check is not None:
            assert subprocess.run(check, capture_output=True, timeout=20).returncode == 0, check
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_r20_new_python_app_really_works(tmp_path: Path):
    assert dockgen("init", "--new", "demo-py", "--language", "python", cwd=tmp_path).returncode == 0
    directory = tmp_path / "demo-py"
    spec = load_spec(directory / "dockgen.yaml").spec
    argv = [sys.executable if word == "python" else word for word in [*spec.entrypoint, *spec.cmd]]
    port = _free_port()
    check = [sys.executable, *spec.healthcheck.command[1:]]
    _serve(argv, directory, port, [word.replace(str(spec.ports[0]), str(port)) for word in check])


def test_r20_new_node_app_really_works(tmp_path: Path):
    assert dockgen("init", "--new", "demo-js", "--language", "node", cwd=tmp_path).returncode == 0
    directory = tmp_path / "demo-js"
    spec = load_spec(directory / "dockgen.yaml").spec
    port = _free_port()
    check = [tool("node"), *(word.replace(str(spec.ports[0]), str(port)) for word in spec.healthcheck.command[1:])]
    _serve([tool("node") if spec.entrypoint[0] == "node" else spec.entrypoint[0], *spec.cmd], directory, port, check)


def test_r20_new_repo_flags_and_target_directory(tmp_path: Path):
    result = dockgen("init", "--new", "svc", "--language", "go", "--version", "1.23", "--port", "9999", tmp_path / "elsewhere")
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "elsewhere"
    assert "go 1.23" in (directory / "go.mod").read_text()
    data = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert (data["name"], data["version"], data["ports"]) == ("svc", "1.23", [9999])
    assert 'port = "9999"' in (directory / "main.go").read_text()


def test_r20_new_repo_never_overwrites_without_force(tmp_path: Path):
    directory = tmp_path / "demo"
    directory.mkdir()
    (directory / "app.py").write_text("# mine\n")
    (directory / "NOTES").write_text("unrelated\n")
    result = dockgen("init", "--new", "demo", "--language", "python", directory)
    assert result.returncode == 2 and str(directory / "app.py") in result.stderr
    assert sorted(p.name for p in directory.iterdir()) == ["NOTES", "app.py"]
    assert (directory / "app.py").read_text() == "# mine\n"
    result = dockgen("init", "--new", "demo", "--language", "python", directory, "--force")
    assert result.returncode == 0, result.stderr
    assert "Hello from demo" in (directory / "app.py").read_text()
    assert (directory / "NOTES").read_text() == "unrelated\n"


def test_r20_new_repo_needs_a_language_and_a_valid_name(tmp_path: Path):
    result = dockgen("init", "--new", "demo", cwd=tmp_path)
    assert result.returncode == 2 and "--language" in result.stderr
    result = dockgen("init", "--new", "My App", "--language", "go", cwd=tmp_path)
    assert result.returncode == 2 and "my-app" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_r20_user_templates_override_dockgens_by_relative_name(tmp_path: Path):
    templates = write_tree(tmp_path / "mytemplates", {
        "init/new/python/app.py.j2": "# {{ name }}: our house style\nif __name__ == '__main__':\n    print('hi')\n",
        "init/repo/LICENSE.j2": "Copyright {{ name }}\n",
        "init/repo/dot-github/workflows/container.yml.j2": "name: ours\non: [push]\njobs: {}\n",
        "dockerignore.j2": "# ours\n.git\n",
    })
    result = dockgen("init", "--new", "house", "--language", "python", "--template", templates, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "house"
    assert (directory / "app.py").read_text().startswith("# house: our house style")  # replaced
    assert (directory / "LICENSE").read_text() == "Copyright house\n"  # added
    assert yaml.safe_load((directory / ".github/workflows/container.yml").read_text())["name"] == "ours"
    assert (directory / ".dockerignore").read_text() == "# ours\n.git\n"  # container templates too
    assert (directory / "requirements.txt").exists()  # not overridden: dockgen's own
    assert (directory / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")
    # render --template uses the same directory; without it, dockgen's own .dockerignore comes back
    assert dockgen("render", "--check", "--template", templates, directory / "dockgen.yaml").returncode == 0
    assert dockgen("render", "--check", directory / "dockgen.yaml").returncode == 1


def test_r20_template_option_must_be_a_directory(tmp_path: Path):
    result = dockgen("render", ROOT / "specs/python-cli/dockgen.yaml", "-o", tmp_path, "--template", tmp_path / "missing")
    assert result.returncode == 2 and "Traceback" not in result.stderr


# --- one source for each fact (issue 9) -------------------------------------------------


def test_r07_init_on_a_uv_project_lists_the_lock_and_render_syncs_it(tmp_path: Path):
    """pyproject.toml + uv.lock: init writes what render installs from (`uv sync --locked`), not `dependencies: []`."""
    directory = write_tree(tmp_path / "api", {
        "pyproject.toml": '[project]\nname = "api"\nrequires-python = ">=3.12"\ndependencies = ["fastapi", "uvicorn"]\n',
        "uv.lock": 'version = 1\nrequires-python = ">=3.12"\n',
        "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    })
    result = init(directory, "--yes", "--render")
    assert result.returncode == 0, result.stderr
    assert "uv export" not in result.stderr
    spec = (directory / "dockgen.yaml").read_text()
    assert yaml.safe_load(spec)["dependencies"] == ["pyproject.toml", "uv.lock"]
    assert "dependencies: [pyproject.toml, uv.lock]  # uv.lock found: installed with `uv sync --locked`" in spec.splitlines()
    dockerfile_text = (directory / "Dockerfile").read_text()
    assert "uv sync --locked --no-dev --no-install-project" in dockerfile_text
    assert "COPY pyproject.toml uv.lock ./" in dockerfile_text.splitlines()  # R07: the manifests before the install


def test_r11_init_never_writes_npm_start_for_a_shell_syntax_start_script(tmp_path: Path):
    """tini -> npm -> sh -> node loses SIGTERM (issue 10 item 5): init says what to write instead."""
    directory = write_tree(tmp_path / "web", {
        "package.json": json.dumps({"name": "web", "scripts": {"start": "NODE_ENV=production node dist/server.js"}}),
        "package-lock.json": "{}",
        "dist/server.js": "require('http').createServer().listen(process.env.PORT || 8080);\n",
    })
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert data.get("entrypoint") != ["npm"] and "npm" not in (data.get("cmd") or [])
    assert "e.g. entrypoint: [node], cmd: [dist/server.js]" in result.stderr
    assert "SIGTERM" in result.stderr


def test_r11_init_follows_npm_run_to_the_program_it_starts(tmp_path: Path):
    directory = write_tree(tmp_path / "web", {
        "package.json": json.dumps({"name": "web", "scripts": {"start": "npm run serve", "serve": "node app.js --quiet"}}),
        "package-lock.json": "{}",
        "app.js": "require('http').createServer().listen(4000);\n",
    })
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert (data["entrypoint"], data["cmd"], data["ports"]) == (["node"], ["app.js", "--quiet"], [4000])


@pytest.mark.parametrize("kind", ["flask", "express", "static-site"])
def test_r12_init_offers_a_health_check_that_uses_only_what_the_image_has(kind: str, tmp_path: Path):
    """Ports and no health check: init writes a commented-out check run by the image's own runtime, never curl."""
    directory = write_tree(tmp_path / kind, PROJECTS[kind]["files"])
    assert init(directory, "--yes").returncode == 0
    text = (directory / "dockgen.yaml").read_text()
    offer = next(line for line in text.splitlines() if line.startswith("# healthcheck: "))
    assert "  # offered: uses only " in offer and "curl" not in offer.split("  # ")[0]
    spec_text = text.replace(offer, offer[2:].split("  # ")[0])  # the user takes the offer
    (directory / "dockgen.yaml").write_text(spec_text)
    spec = load_spec(directory / "dockgen.yaml").spec
    program = {"flask": "python", "express": "node", "static-site": "wget"}[kind]
    assert spec.healthcheck.command[0] == program
    assert f"http://127.0.0.1:{spec.ports[0]}/" in spec.healthcheck.command[-1]
    assert dockgen("render", directory / "dockgen.yaml").returncode == 0
    assert f'CMD ["{program}"' in (directory / "Dockerfile").read_text()


def test_r12_init_offers_no_health_check_without_a_port_or_a_program(tmp_path: Path):
    directory = write_tree(tmp_path / "go", PROJECTS["go-service"]["files"])  # scratch: nothing to run a check with
    assert init(directory, "--yes").returncode == 0
    assert "healthcheck" not in (directory / "dockgen.yaml").read_text()
    directory = write_tree(tmp_path / "cli", PROJECTS["python-cli-scripts"]["files"])
    assert init(directory, "--yes").returncode == 0
    assert "healthcheck" not in (directory / "dockgen.yaml").read_text()


NODE_WITH_DEV_START = {
    "package-lock.json": '{"lockfileVersion": 3, "packages": {}}',
    "src/server.js": "require('express')().listen(4000)\n",
}


def _node_start(tmp_path: Path, start: str) -> tuple[dict, str]:
    package = {"name": "shop", "version": "1.0.0", "scripts": {"start": start}, "dependencies": {"express": "^4"},
               "devDependencies": {"nodemon": "^3", "ts-node": "^10"}}
    directory = write_tree(tmp_path / "shop", {**NODE_WITH_DEV_START, "package.json": json.dumps(package)})
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load((directory / "dockgen.yaml").read_text()), result.stderr


def test_r11_a_nodemon_start_script_runs_node_on_the_same_file(tmp_path: Path):
    """Issue 11: nodemon is a development watcher, not a production start; the image runs node
    on the file it watches (a reviewer's app started nodemon, which the image lacks)."""
    spec, stderr = _node_start(tmp_path, "nodemon src/server.js")
    assert spec["entrypoint"] == ["node"] and spec["cmd"] == ["src/server.js"] and spec["ports"] == [4000]
    assert "development watcher" in stderr


def test_r04_a_start_tool_from_devdependencies_is_warned_about(tmp_path: Path):
    """The production install leaves devDependencies out (R04), so a start command from them
    would not be in the image: init says so and what to do."""
    spec, stderr = _node_start(tmp_path, "ts-node src/server.js")
    assert spec["entrypoint"] == ["/app/node_modules/.bin/ts-node"]
    assert "ts-node, a devDependency" in stderr and "move ts-node to dependencies" in stderr


# --- frameworks init recognises (issue 11, section 3) -------------------------------------


def _node_app(deps: dict, dev: dict, scripts: dict, files: dict | None = None) -> dict[str, str]:
    """A Node project tree: package.json with ``deps``/``dev``/``scripts``, an npm lock stub, ``files``."""
    package = {"name": "app", "scripts": scripts, "dependencies": deps, "devDependencies": dev}
    return {"package.json": json.dumps(package), "package-lock.json": "{}", **(files or {})}


FRAMEWORKS = {
    "nuxt": (_node_app({"nuxt": "^3.12.0"}, {}, {"build": "nuxt build", "dev": "nuxt dev", "start": "nuxt dev"},
                       {"nuxt.config.ts": "export default defineNuxtConfig({})\n"}),
             {"build": ["npm run build"], "artifacts": [".output"], "entrypoint": ["node"],
              "cmd": [".output/server/index.mjs"], "ports": [3000]}),
    "remix": (_node_app({"@remix-run/serve": "^2.9.0", "@remix-run/node": "^2.9.0"}, {"@remix-run/dev": "^2.9.0"},
                        {"build": "remix vite:build", "start": "remix-serve ./build/server/index.js"},
                        {"vite.config.ts": "import { vitePlugin as remix } from '@remix-run/dev';\n"}),
              {"build": ["npm run build"], "artifacts": ["build", "node_modules", "package.json"],
               "entrypoint": ["/app/node_modules/.bin/remix-serve"], "cmd": ["./build/server/index.js"], "ports": [3000]}),
    "sveltekit-node": (_node_app({}, {"@sveltejs/kit": "^2.5.0", "@sveltejs/adapter-node": "^5.0.0", "vite": "^5.0.0"},
                                 {"build": "vite build", "start": "vite preview"},
                                 {"svelte.config.js": "import adapter from '@sveltejs/adapter-node';\n"
                                                      "export default { kit: { adapter: adapter() } };\n"}),
                       {"build": ["npm run build"], "artifacts": ["build", "node_modules", "package.json"],
                        "entrypoint": ["node"], "cmd": ["build"], "ports": [3000],
                        "env": {"HOST": "0.0.0.0", "PORT": "3000"}}),
    "sveltekit-static": (_node_app({}, {"@sveltejs/kit": "^2.5.0", "@sveltejs/adapter-static": "^3.0.0", "vite": "^5.0.0"},
                                   {"build": "vite build", "dev": "vite dev"},
                                   {"svelte.config.js": "import adapter from '@sveltejs/adapter-static';\nexport default "
                                                        "{ kit: { adapter: adapter({ fallback: 'index.html' }) } };\n"}),
                         {"build": ["npm run build"], "static": {"root": "build", "spa": True}, "ports": [8080]}),
    "astro-node": (_node_app({"astro": "^4.10.0", "@astrojs/node": "^8.3.0"}, {}, {"build": "astro build", "dev": "astro dev"},
                             {"astro.config.mjs": "import node from '@astrojs/node';\nexport default { output: 'server', "
                                                  "adapter: node({ mode: 'standalone' }) };\n"}),
                   {"build": ["npm run build"], "artifacts": ["dist", "node_modules", "package.json"],
                    "entrypoint": ["node"], "cmd": ["dist/server/entry.mjs"], "ports": [4321],
                    "env": {"HOST": "0.0.0.0", "PORT": "4321"}}),
    "astro-static": (_node_app({"astro": "^4.10.0"}, {}, {"build": "astro build", "start": "astro dev"},
                               {"astro.config.mjs": "export default {};\n"}),
                     {"build": ["npm run build"], "static": {"root": "dist", "spa": False}, "ports": [8080]}),
    "nestjs": (_node_app({"@nestjs/core": "^10.3.0", "@nestjs/common": "^10.3.0"}, {"@nestjs/cli": "^10.3.0", "typescript": "^5.4.0"},
                         {"build": "nest build", "start": "nest start", "start:prod": "node dist/main"},
                         {"tsconfig.json": json.dumps({"compilerOptions": {"outDir": "./dist"}}),
                          "src/main.ts": "async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n"
                                         "  await app.listen(process.env.PORT ?? 3300);\n}\nbootstrap();\n"}),
               {"build": ["npm run build"], "artifacts": ["dist", "node_modules", "package.json"],
                "entrypoint": ["node"], "cmd": ["dist/main"], "ports": [3300]}),
    "create-react-app": (_node_app({"react": "^18.3.0", "react-scripts": "5.0.1"}, {},
                                   {"build": "react-scripts build", "start": "react-scripts start"}, {"public/index.html": "<div></div>\n"}),
                         {"build": ["npm run build"], "static": {"root": "build", "spa": True}, "ports": [8080]}),
    "angular": (_node_app({"@angular/core": "^18.0.0"}, {"@angular/cli": "^18.0.0", "@angular-devkit/build-angular": "^18.0.0"},
                          {"build": "ng build", "start": "ng serve"},
                          {"angular.json": json.dumps({"projects": {"shop": {"projectType": "application", "architect": {"build": {
                              "builder": "@angular-devkit/build-angular:application", "options": {"outputPath": "dist/shop"}}}}}})}),
                {"build": ["npm run build"], "static": {"root": "dist/shop/browser", "spa": True}, "ports": [8080]}),
    "angular-browser-builder": (_node_app({"@angular/core": "^15.2.0"}, {"@angular/cli": "^15.2.0"},
                                          {"build": "ng build"},
                                          {"angular.json": json.dumps({"defaultProject": "admin", "projects": {
                                              "lib": {"projectType": "library"},
                                              "admin": {"architect": {"build": {"builder": "@angular-devkit/build-angular:browser",
                                                                                "options": {"outputPath": "dist/admin"}}}}}})}),
                                {"build": ["npm run build"], "static": {"root": "dist/admin", "spa": True}, "ports": [8080]}),
    "angular-ssr": (_node_app({"@angular/core": "^18.0.0", "@angular/ssr": "^18.0.0", "express": "^4.18.2"},
                              {"@angular/cli": "^18.0.0"}, {"build": "ng build", "serve:ssr:shop": "node dist/shop/server/server.mjs"},
                              {"angular.json": json.dumps({"projects": {"shop": {"architect": {"build": {
                                  "builder": "@angular-devkit/build-angular:application",
                                  "options": {"outputPath": "dist/shop", "server": "src/main.server.ts", "ssr": {"entry": "server.ts"}}}}}}}),
                               "server.ts": "export function app() {}\nfunction run(): void {\n  const port = process.env['PORT'] || 4100;\n"
                                            "  app().listen(port);\n}\n"}),
                    {"build": ["npm run build"], "artifacts": ["dist/shop", "node_modules", "package.json"],
                     "entrypoint": ["node"], "cmd": ["dist/shop/server/server.mjs"], "ports": [4100]}),
    "nuxt-generate": (_node_app({"nuxt": "^3.12.0"}, {}, {"build": "nuxt generate"},
                                {"nuxt.config.ts": "export default defineNuxtConfig({ ssr: false })\n"}),
                      {"build": ["npm run build"], "static": {"root": ".output/public", "spa": True}, "ports": [8080]}),
    "astro-node-port": (_node_app({"astro": "^4.10.0", "@astrojs/node": "^8.3.0"}, {}, {"build": "astro build"},
                                  {"astro.config.mjs": "export default {\n  output: 'server',\n  adapter: node({ mode: "
                                                       "'standalone' }),\n  server: { port: 3001 },\n};\n"}),
                        {"build": ["npm run build"], "artifacts": ["dist", "node_modules", "package.json"],
                         "entrypoint": ["node"], "cmd": ["dist/server/entry.mjs"], "ports": [3001],
                         "env": {"HOST": "0.0.0.0", "PORT": "3001"}}),
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_r11_init_recognises_the_framework_build_artifacts_and_production_start(framework: str, tmp_path: Path):
    """Each framework's tree: init drafts its build, what the final image takes (artifacts or
    static), its production start, port and env, each with its provenance; the spec renders
    and the Dockerfile passes hadolint (R11: the framework's own server, never a dev server)."""
    files, expected = FRAMEWORKS[framework]
    directory = write_tree(tmp_path / framework, files)
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    spec_path = directory / "dockgen.yaml"
    data = yaml.safe_load(spec_path.read_text())
    for key in ("build", "artifacts", "static", "entrypoint", "cmd", "ports"):
        assert data.get(key) == expected.get(key), (key, spec_path.read_text())
    for key, value in expected.get("env", {}).items():
        assert data["env"][key] == value, spec_path.read_text()
    assert_every_value_commented(spec_path)
    rendered = dockgen("render", spec_path)
    assert rendered.returncode == 0, rendered.stderr
    assert lint_problems((directory / "Dockerfile").read_text(), data) == []


@pytest.mark.parametrize("start", ["vite", "next dev", "nuxt dev", "ng serve", "nx serve api", "nest start"])
def test_r11_init_never_starts_a_development_server(start: str, tmp_path: Path):
    """A ``start`` script running a dev server is noted, never drafted as the start command."""
    directory = write_tree(tmp_path / "app", _node_app({}, {}, {"start": start}, {"server.js": "require('http')\n"}))
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    assert f"`{' '.join(start.split()[:2])}`, a development server" in result.stderr + text
    assert yaml.safe_load(text)["cmd"] == ["server.js"], text
    others = [line for line in text.splitlines() if "development server" not in line]
    assert not any(f"[/app/node_modules/.bin/{start.split()[0]}" in line for line in others), text


@pytest.mark.parametrize("framework, note", [
    ("sveltekit-auto", "adapter-auto builds no server"),
    ("astro-middleware", "middleware mode: the image runs your own server"),
])
def test_r11_init_says_what_a_framework_setup_it_cannot_containerise_needs(framework: str, note: str, tmp_path: Path):
    """SvelteKit's adapter-auto and Astro's middleware mode draft no framework server: init says why."""
    files = {
        "sveltekit-auto": _node_app({}, {"@sveltejs/kit": "^2.5.0", "@sveltejs/adapter-auto": "^3.0.0", "vite": "^5.0.0"},
                                    {"build": "vite build"}, {"svelte.config.js": "import adapter from '@sveltejs/adapter-auto';\n"}),
        "astro-middleware": _node_app({"astro": "^4.10.0", "@astrojs/node": "^8.3.0", "express": "^4.18.2"}, {},
                                      {"build": "astro build", "start": "node server.mjs"},
                                      {"astro.config.mjs": "export default { adapter: node({ mode: 'middleware' }) };\n",
                                       "server.mjs": "app.listen(8081);\n"}),
    }[framework]
    directory = write_tree(tmp_path / framework, files)
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    assert note in text, text
    data = yaml.safe_load(text)
    assert "artifacts" not in data and "static" not in data, text
    if framework == "astro-middleware":
        assert data["cmd"] == ["server.mjs"] and data["ports"] == [8081], text


# --- several main packages under cmd/ (issue 11 point 3: every guess says where it came from) ---

GO_MAIN = "package main\n\nfunc main() {}\n"
GO_SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { _ = http.ListenAndServe(":7000", nil) }\n'


@pytest.mark.parametrize("module, mains, chosen, rule", [
    ("shop", {"migrate": GO_MAIN, "shop": GO_MAIN, "worker": GO_MAIN}, "shop", "named like the module"),
    ("shop", {"api": GO_MAIN, "migrate": GO_MAIN, "worker": GO_MAIN}, "api", "named api"),
    ("shop", {"migrate": GO_MAIN, "web": GO_MAIN, "server": GO_MAIN}, "server", "named server"),
    ("shop", {"migrate": GO_MAIN, "worker": GO_SERVER}, "worker", "listens on a port (cmd/worker/main.go:5)"),
    ("shop", {"worker": GO_MAIN, "migrate": GO_MAIN}, "migrate", "first by name"),
])
def test_r20_init_on_several_go_main_packages_says_which_it_builds_and_what_else_it_found(
        module: str, mains: dict, chosen: str, rule: str, tmp_path: Path):
    """Several cmd/<name>/ main packages: init builds the one go.py's MAIN_ORDER picks, and the
    build line's comment and a printed note name it, the rule that chose it, the others, and
    the line to edit."""
    files = {"go.mod": f"module example.org/{module}\n\ngo 1.22\n"}
    files.update({f"cmd/{name}/main.go": text for name, text in mains.items()})
    directory = write_tree(tmp_path / module, files)
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    others = ", ".join(f"./cmd/{name}" for name in sorted(mains) if name != chosen)
    build = next(line for line in spec_lines(directory / "dockgen.yaml") if line.startswith("build: "))
    assert yaml.safe_load(build.split("  # ")[0])["build"] == [f"go build -trimpath -ldflags='-s -w' -o /out/app ./cmd/{chosen}"]
    assert build.split("  # ", 1)[1] == (f"the main package is ./cmd/{chosen} ({rule}; also found: {others}: "
                                         "to build one, name it here instead)"), text
    note = (f"several main packages (./cmd/{chosen}, {others}): dockgen builds ./cmd/{chosen} ({rule}); "
            f"to build another, change ./cmd/{chosen} at the end of the `build` line")
    assert f"warning: {note}" in result.stderr.splitlines()
    assert f"#   - {note}" in text.splitlines()
    load_spec(directory / "dockgen.yaml")


def test_r20_init_on_a_go_module_root_main_notes_the_cmd_packages_it_leaves(tmp_path: Path):
    """A main package at the module root is built (no build line); the cmd/ ones are named, with the line to add."""
    directory = write_tree(tmp_path / "svc", {"go.mod": "module example.org/svc\n\ngo 1.22\n", "main.go": GO_SERVER,
                                              "cmd/seed/main.go": GO_MAIN})
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert "build" not in data and data["ports"] == [7000]
    assert ("warning: several main packages (., ./cmd/seed): dockgen builds . (the module root); to build another, "
            "add `build: [\"go build -trimpath -ldflags='-s -w' -o /out/app ./cmd/<name>\"]`") in result.stderr.splitlines()


def test_r20_init_on_one_go_main_package_under_cmd_notes_nothing(tmp_path: Path):
    """One cmd/ main package: nothing to choose, so no note and no "also found"."""
    directory = write_tree(tmp_path / "one", {"go.mod": "module example.org/one\n\ngo 1.22\n", "cmd/tool/main.go": GO_MAIN})
    result = init(directory, "--yes")
    assert result.returncode == 0, result.stderr
    assert "several main packages" not in result.stderr
    assert "# the main package is ./cmd/tool\n" in (directory / "dockgen.yaml").read_text()
