"""``dockgen init`` on the trees of a new-user review (R20): each test runs the installed CLI
with ``--yes`` on a small project in tmp_path and reads the spec it wrote.

Poetry's and pipenv's own tables name the project and its Python version; a port the app
reads from ``PORT`` is kept literal in exec form and said so; a directory that holds a
database is proposed as a volume, not a tmpfs; a static site gets the static server's
resources; build output is no evidence of a language; init reports what it writes the
way render does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from support import dockgen, write_tree

FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n"



def init(root: Path) -> tuple[subprocess.CompletedProcess, dict, str]:
    """``dockgen init ROOT --yes``: (the process, the spec as data, the spec's text); asserts exit 0."""
    result = dockgen("init", root, "--yes")
    assert result.returncode == 0, result.stderr
    text = (root / "dockgen.yaml").read_text()
    return result, yaml.safe_load(text), text


def line_of(text: str, key: str) -> str:
    """The spec's top-level line for ``key`` (with its comment)."""
    return next(line for line in text.splitlines() if line.startswith(f"{key}:"))


def poetry_project(python: str) -> dict[str, str]:
    return {"pyproject.toml": f'[tool.poetry]\nname = "review-api"\nversion = "0.1.0"\n\n'
                              f'[tool.poetry.dependencies]\npython = "{python}"\nfastapi = "^0.115.0"\nuvicorn = "^0.32.0"\n',
            "poetry.lock": "# poetry lock\n", "review_api/__init__.py": "", "review_api/main.py": FASTAPI}


# --- 1. Poetry and pipenv state the name and the Python version -------------------------


@pytest.mark.parametrize("python, version", [("^3.12", "3.14"), ("~3.12", "3.12"), (">=3.9,<3.11", "3.10"),
                                             (">=3.10 <3.12", "3.11")])
def test_r20_init_reads_poetrys_name_and_python_constraint(python: str, version: str, tmp_path: Path):
    result, spec, text = init(write_tree(tmp_path / "api", poetry_project(python)))
    assert spec["name"] == "review-api"
    assert "[tool.poetry] name" in line_of(text, "name")
    assert spec["version"] == version
    assert f"[tool.poetry.dependencies] python: {python}" in line_of(text, "version")
    assert "states no python version" not in result.stderr


def test_r20_init_reads_pipfiles_python_version(tmp_path: Path):
    root = write_tree(tmp_path / "svc", {"Pipfile": '[packages]\nflask = "*"\n\n[requires]\npython_version = "3.11"\n',
                                         "Pipfile.lock": "{}\n", "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"})
    result, spec, text = init(root)
    assert spec["version"] == "3.11"
    assert "Pipfile: [requires] python_version" in line_of(text, "version")
    assert "states no python version" not in result.stderr


# --- 2. a Procfile's ${PORT:-8000} is a literal in exec form: said so ---------------------


def test_r12_init_says_a_procfiles_port_expansion_is_written_as_a_literal(tmp_path: Path):
    files = {**poetry_project("^3.12"), "Procfile": "web: uvicorn review_api.main:app --host 0.0.0.0 --port ${PORT:-8000}\n",
             "review_api/main.py": FASTAPI + 'import os\nPORT = int(os.environ.get("PORT", "8000"))\n'}
    result, spec, text = init(write_tree(tmp_path / "api", files))
    assert spec["cmd"] == ["review_api.main:app", "--host", "0.0.0.0", "--port", "8000"]  # R12: exec form, no shell
    assert "${PORT:-8000} is written as 8000: exec form has no shell" in line_of(text, "cmd")
    warning = next(line for line in result.stderr.splitlines() if "${PORT:-8000}" in line)
    assert warning.startswith("warning: cmd:") and "listens on 8000" in warning and "env: {PORT: ...}" in warning


def test_r12_init_says_nothing_of_port_expansion_for_a_users_cmd(tmp_path: Path):
    root = write_tree(tmp_path / "api", {**poetry_project("^3.12"), "Procfile": "web: uvicorn review_api.main:app --port ${PORT:-8000}\n"})
    result = dockgen("init", root, "--yes", "--cmd", "uvicorn review_api.main:app --port 8000")
    assert result.returncode == 0, result.stderr
    assert "${PORT" not in result.stderr and "${PORT" not in line_of((root / "dockgen.yaml").read_text(), "cmd")


# --- 3. a directory that holds a database is a volume, not a tmpfs (R13) ------------------

FLASK = "from flask import Flask\n\napp = Flask(__name__)\n"
REVIEW_DB = ('from pathlib import Path\nimport sqlite3\n\nBASE = Path(__file__).resolve().parent.parent\n'
             'DATA = BASE / "data"\nLOGS = BASE / "logs"\nDB = DATA / "app.sqlite3"\n')


@pytest.mark.parametrize("files", [
    {"data/app.sqlite3": ""},
    {"data/.gitkeep": "", "db.py": 'import sqlite3\nconn = sqlite3.connect("data/app.db")\n'},
    {"data/.gitkeep": "", "db.py": 'DATABASE_URL = "sqlite:///data/app.db"\n'},
    {"data/.gitkeep": "", "review_api/__init__.py": "", "review_api/db.py": REVIEW_DB},
], ids=["sqlite-file", "sqlite3-connect", "sqlite-url", "path-join"])
def test_r13_init_makes_a_database_directory_a_volume_and_logs_tmp_tmpfs(files: dict, tmp_path: Path):
    root = write_tree(tmp_path / "app", {"requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n", "app.py": FLASK,
                                         "logs/.gitkeep": "", "tmp/.gitkeep": "", **files})
    result, spec, text = init(root)
    assert spec["volumes"] == ["/app/data"]
    assert "data/ holds a database" in line_of(text, "volumes") and "tmpfs would not" in line_of(text, "volumes")
    assert "/app/logs" in spec["writable"] and "/app/tmp" in spec["writable"] and "/app/data" not in spec["writable"]
    assert dockgen("validate", root / "dockgen.yaml").returncode == 0


def test_r13_init_keeps_a_data_directory_without_a_database_tmpfs(tmp_path: Path):
    root = write_tree(tmp_path / "app", {"requirements.txt": "flask==3.1.0\n", "app.py": FLASK + 'LOGS = "logs"\nDB = "cache.db"\n',
                                         "data/report.csv": "a,b\n", "logs/.gitkeep": ""})
    result, spec, text = init(root)
    assert "volumes" not in spec
    assert {"/app/logs", "/app/data"} <= set(spec["writable"])


# --- 4. a static site's resources are the static server's, not Node's (issue 13) ----------

VITE_SPA = {"package.json": '{"name": "review-spa", "private": true, "type": "module", "scripts": {"build": "vite build"}, '
                            '"dependencies": {"react": "^18.3.1", "react-dom": "^18.3.1"}, "devDependencies": {"vite": "^5.4.11"}}',
            "package-lock.json": '{"name": "review-spa", "lockfileVersion": 3, "packages": {}}',
            "index.html": '<!doctype html><div id="root"></div><script type="module" src="/src/main.jsx"></script>\n',
            "src/main.jsx": "import React from 'react';\n", "vite.config.js": "export default {};\n"}


def test_r20_init_gives_a_static_site_the_static_servers_resources(tmp_path: Path):
    from dockgen.languages import node
    from dockgen.plan.static import RESOURCES

    _, spec, text = init(write_tree(tmp_path / "spa", VITE_SPA))
    assert spec["static"] == {"root": "dist", "spa": True}
    assert spec["resources"] == RESOURCES != node.RESOURCES
    assert spec["resources"]["limits"]["memory"] == "64Mi"
    assert "static web server" in line_of(text, "resources") and "for node" not in line_of(text, "resources")


# --- 5. build output is no evidence of a language -----------------------------------------


def test_r20_init_takes_no_evidence_from_build_output(tmp_path: Path):
    built = {"dist/index.html": "<!doctype html>\n", "dist/assets/index.js": "console.log(1);\n",
             "build/index.html": "<!doctype html>\n", "out/index.html": "<!doctype html>\n",
             "node_modules/vite/index.js": "", "node_modules/vite/package.json": "{}"}
    _, spec, text = init(write_tree(tmp_path / "spa", {**VITE_SPA, **built}))
    assert spec["language"] == "node"
    evidence = "\n".join(line for line in text.splitlines() if line.startswith("#   none:") or line.startswith("language:"))
    assert "#   none: index.html" in evidence
    for directory in ("dist/", "build/", "out/", "node_modules/"):
        assert directory not in evidence, evidence


# --- 6. init reports what it writes as render does ----------------------------------------


def test_r20_init_reports_each_file_written_as_render_does(tmp_path: Path):
    root = write_tree(tmp_path / "api", poetry_project("^3.12"))
    result = dockgen("init", root, "--yes", "--render")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote {root / 'dockgen.yaml'}"
    assert f"wrote {root / 'Dockerfile'}" in lines and all(line.startswith("wrote ") for line in lines)
    rendered = dockgen("render", root / "dockgen.yaml", "--force")
    assert rendered.returncode == 0 and rendered.stdout.splitlines() == [], rendered.stdout  # nothing changed
    (root / "Dockerfile").unlink()
    rendered = dockgen("render", root / "dockgen.yaml")
    assert rendered.stdout.splitlines() == [f"wrote {root / 'Dockerfile'}"]  # the same wording


def test_init_a_test_database_in_tmp_is_no_reason_for_a_volume(tmp_path: Path):
    """tmp/ and logs/ are scratch: a SQLite file found there keeps them tmpfs, not volumes."""
    directory = write_tree(tmp_path / "scratch", {"requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n",
                                                  ".python-version": "3.12\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n",
                                                  "tmp/test.sqlite3": "", "data/app.sqlite3": ""})
    assert dockgen("init", "--yes", directory).returncode == 0
    spec = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert "/app/tmp" in spec["writable"] and spec["volumes"] == ["/app/data"], spec
