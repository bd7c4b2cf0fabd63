"""``dockgen init`` offers a health check on the app's own health route (issue 11 point 3, R20).

Each test writes a small project in tmp_path whose code declares a health route the way
its framework does, runs the installed CLI (``dockgen init --yes``) and reads the spec it
wrote: the offered (commented-out) check asks that route, and its comment names the file
and line that declare it. Without a route the check asks ``/`` and says that is a guess;
where the image has nothing to run a check with, a note names the route instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from support import dockgen, write_tree

from dockgen.loader import load_spec



FLASK = {"requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n", ".python-version": "3.12\n"}
EXPRESS = {"package.json": json.dumps({"name": "api", "scripts": {"start": "node server.js"}, "dependencies": {"express": "4.19.2"}}),
           "package-lock.json": "{}", ".nvmrc": "22\n"}
RAILS = {"Gemfile": 'source "https://rubygems.org"\ngem "rails", "7.1.3"\ngem "puma"\n', ".ruby-version": "3.3.4\n",
         "config.ru": "run Rails.application\n"}

# (project files, the path the offered check asks, the file:line: code its comment names)
ROUTES = {
    "flask-route-and-get": ({**FLASK, "app.py": 'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/ping")\n'
                             'def ping():\n    return "pong"\n\n@app.get(\'/healthz\')\ndef healthz():\n    return "ok"\n'},
                            "/healthz", "app.py:8: @app.get('/healthz')"),  # /healthz is preferred to /ping
    "fastapi-router": ({"requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.6\n", ".python-version": "3.12\n",
                        "main.py": "from fastapi import FastAPI\nfrom routes import router\n\napp = FastAPI()\napp.include_router(router)\n",
                        "routes.py": 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/health")\ndef health():\n    return {}\n'},
                       "/health", 'routes.py:6: @router.get("/health")'),
    "django-urls": ({"requirements.txt": "Django==5.0.6\ngunicorn==22.0.0\n", ".python-version": "3.12\n", "manage.py": "import sys\n",
                     "mysite/__init__.py": "", "mysite/settings.py": "WSGI_APPLICATION = 'mysite.wsgi.application'\n",
                     "mysite/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
                     "mysite/urls.py": 'from django.urls import path\n\nurlpatterns = [\n    path("orders/<int:pk>/status/", views.status),\n'
                                       '    path("readyz/", views.ready),\n]\n'},
                    "/readyz/", 'mysite/urls.py:5: path("readyz/", views.ready),'),  # a route with a parameter is not one
    "express-router": ({**EXPRESS, "server.js": 'const express = require("express");\nconst app = express();\nconst router = express.Router();\n'
                        'router.get("/livez", (req, res) => res.send("ok"));\napp.get("/", (req, res) => res.send("hi"));\napp.listen(3000);\n'},
                       "/livez", 'server.js:4: router.get("/livez", (req, res) => res.send("ok"));'),
    "node-http-url": ({**EXPRESS, "server.js": 'require("http").createServer((req, res) => {\n  if (req.url === "/status") return res.end("ok");\n'
                       '  res.end("hi");\n}).listen(3000);\n'},
                      "/status", 'server.js:2: if (req.url === "/status") return res.end("ok");'),
    "rails-up": ({**RAILS, "config/routes.rb": 'Rails.application.routes.draw do\n  get "up" => "rails/health#show", as: :rails_health_check\nend\n'},
                 "/up", 'config/routes.rb:2: get "up" => "rails/health#show", as: :rails_health_check'),
    "sinatra": ({"Gemfile": 'source "https://rubygems.org"\ngem "sinatra", "4.0.0"\n', ".ruby-version": "3.3.4\n",
                 "app.rb": "require 'sinatra'\n\nget '/' do\n  'hi'\nend\n\nget '/healthz' do\n  'ok'\nend\n"},
                "/healthz", "app.rb:7: get '/healthz' do"),
    "rails-health-beats-up": ({**RAILS, "config/routes.rb": 'Rails.application.routes.draw do\n  get "up" => "rails/health#show"\n'
                               "  get '/health', to: 'health#show'\nend\n"},
                              "/health", "config/routes.rb:3: get '/health', to: 'health#show'"),
}


def offered(text: str) -> tuple[dict, str]:
    """(the offered health check as the spec would have it, its comment)."""
    line = next(line for line in text.splitlines() if line.startswith("# healthcheck: "))
    value, comment = line.removeprefix("# ").split("  # offered: ", 1)
    return yaml.safe_load(value)["healthcheck"], comment


@pytest.mark.parametrize("project", ROUTES)
def test_r20_init_offers_a_health_check_on_the_route_the_app_declares(project: str, tmp_path: Path):
    """The offered check asks the declared route, and its comment names the file and line."""
    files, path, source = ROUTES[project]
    directory = write_tree(tmp_path / project, files)
    result = dockgen("init", "--yes", directory)
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    check, comment = offered(text)
    data = yaml.safe_load(text)
    assert f"http://127.0.0.1:{data['ports'][0]}{path}" in check["command"][-1], text
    assert comment.endswith(f"; {path} is the app's health route ({source}): uncomment to use it"), comment
    taken = text.replace(next(line for line in text.splitlines() if line.startswith("# healthcheck: ")),
                         yaml.safe_dump({"healthcheck": check}, width=1000).strip())
    (directory / "dockgen.yaml").write_text(taken)  # the user takes the offer: the spec loads
    assert load_spec(directory / "dockgen.yaml").spec.healthcheck.command == check["command"]


def test_r20_init_says_the_health_path_is_a_guess_when_the_code_declares_none(tmp_path: Path):
    """No health route in the code: the check asks / (today's behaviour), and says it is a guess.
    A route with a parameter, and an HTTP client's call (``axios.get("/status")``), are no health route."""
    directory = write_tree(tmp_path / "plain", {**EXPRESS, "server.js": 'const app = require("express")();\n'
                                                'app.get("/", (req, res) => res.send("hi"));\napp.get("/users/:id/status", h);\napp.listen(3000);\n',
                                                "src/upstream.js": 'module.exports = () => axios.get("/status");\n'})
    assert dockgen("init", "--yes", directory).returncode == 0
    check, comment = offered((directory / "dockgen.yaml").read_text())
    assert 'fetch("http://127.0.0.1:3000/")' in check["command"][-1]
    assert "; the path / is a guess (no health route found in the code): uncomment once the app answers it" in comment


def test_r20_init_ignores_health_routes_in_tests_and_dependencies(tmp_path: Path):
    """Routes under tests/ and node_modules/ are not the app's (the readers skip them)."""
    directory = write_tree(tmp_path / "skip", {**EXPRESS, "server.js": 'require("express")().listen(3000);\n',
                                               "tests/server.test.js": 'app.get("/health", ok);\n',
                                               "node_modules/lib/index.js": 'app.get("/healthz", ok);\n'})
    assert dockgen("init", "--yes", directory).returncode == 0
    check, comment = offered((directory / "dockgen.yaml").read_text())
    assert 'fetch("http://127.0.0.1:3000/")' in check["command"][-1] and "is a guess" in comment


@pytest.mark.parametrize("project, files, note", [
    ("gin", {"go.mod": "module example.org/gin\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\n",
             "main.go": 'package main\n\nimport "github.com/gin-gonic/gin"\n\nfunc main() {\n\tr := gin.Default()\n'
                        '\tr.GET("/healthz", func(c *gin.Context) {})\n\tr.Run()\n}\n'},
     '/healthz, the app\'s health route (main.go:7: r.GET("/healthz", func(c *gin.Context) {}))'),
    ("nethttp", {"go.mod": "module example.org/nethttp\n\ngo 1.22\n",
                 "main.go": 'package main\n\nimport "net/http"\n\nfunc main() {\n\thttp.HandleFunc("GET /ping", pong)\n'
                            '\t_ = http.ListenAndServe(":9090", nil)\n}\n'},
     '/ping, the app\'s health route (main.go:6: http.HandleFunc("GET /ping", pong))'),
    ("spring", {"pom.xml": "<project>\n  <dependencies>\n    <dependency>\n      <groupId>org.springframework.boot</groupId>\n"
                           "      <artifactId>spring-boot-starter-actuator</artifactId>\n    </dependency>\n  </dependencies>\n</project>\n",
                "src/main/java/App.java": "public class App {}\n", "src/main/resources/application.properties": "server.port=8081\n"},
     "/actuator/health, the app's health route (pom.xml:5: spring-boot-starter-actuator)"),
    ("axum", {"Cargo.toml": '[package]\nname = "axum-svc"\nversion = "0.1.0"\nedition = "2021"\n', "Cargo.lock": "version = 3\n",
              "src/main.rs": 'fn main() {\n    let app = Router::new()\n        .route("/livez", get(live));\n}\n'},
     '/livez, the app\'s health route (src/main.rs:3: .route("/livez", get(live));)'),
    ("aspnet", {"api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>\n',
                "Program.cs": 'var app = WebApplication.CreateBuilder(args).Build();\napp.MapHealthChecks("/healthz");\n'
                              'app.Run("http://0.0.0.0:8080");\n'},
     '/healthz, the app\'s health route (Program.cs:2: app.MapHealthChecks("/healthz");)'),
])
def test_r20_init_names_the_health_route_when_the_image_cannot_run_a_check(project: str, files: dict, note: str, tmp_path: Path):
    """Go and Rust on scratch, Java and .NET images have no program to run a check with: no check is
    offered, and a note (in the spec and on stderr) names the route and what a check needs."""
    directory = write_tree(tmp_path / project, files)
    result = dockgen("init", "--yes", "--port", "8080", directory)
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    assert "healthcheck" not in yaml.safe_load(text) and "# healthcheck:" not in text
    expected = f"no health check offered: the final image has no program to ask {note}; a check must be one the app runs itself"
    assert any(line.startswith(f"warning: {expected}") for line in result.stderr.splitlines()), result.stderr
    assert any(line.startswith(f"#   - {expected}") for line in text.splitlines()), text


def test_r20_init_on_laravel_offers_a_port_check_whatever_the_routes(tmp_path: Path):
    """PHP's check connects to nginx's port (no path): a declared route changes nothing in it."""
    directory = write_tree(tmp_path / "lara", {
        "composer.json": json.dumps({"require": {"php": "^8.2", "laravel/framework": "^11.0"}}),
        "composer.lock": json.dumps({"packages": []}), "artisan": "<?php\n", "public/index.php": "<?php\n",
        "routes/web.php": "<?php\nRoute::get('/health', fn () => 'ok');\n"})
    assert dockgen("init", "--yes", directory).returncode == 0
    check, comment = offered((directory / "dockgen.yaml").read_text())
    assert check["command"][0] == "php" and "fsockopen" in check["command"][-1]
    assert comment.endswith("; uncomment once the app answers on its port"), comment


def test_r20_init_skips_health_routes_in_comments(tmp_path: Path):
    """A route in a comment line (`# @app.get(...)`, `// app.get(...)`) is not declared; an
    attribute (`#[get("/health")]`) is code, not a comment."""
    directory = write_tree(tmp_path / "commented", {**FLASK, "app.py": 'from flask import Flask\napp = Flask(__name__)\n'
                                                    '# @app.get("/healthz") -- old route, removed\n@app.get("/")\ndef home():\n'
                                                    '    return "hi"\n'})
    assert dockgen("init", "--yes", directory).returncode == 0
    check, comment = offered((directory / "dockgen.yaml").read_text())
    assert "/healthz" not in check["command"][-1] and "is a guess" in comment, comment


@pytest.mark.parametrize("mount", ['app.include_router(health.router, prefix="/api")',
                                   'ops = Blueprint("ops", __name__, url_prefix="/ops")'])
def test_r20_init_warns_that_a_route_prefix_may_change_the_health_path(tmp_path: Path, mount: str):
    """A route declared on a router the app mounts under a prefix answers at prefix + route:
    the comment says so and where the prefix is, instead of calling the path the app's route."""
    directory = write_tree(tmp_path / "prefixed", {**FLASK, "app.py": f"from flask import Flask\napp = Flask(__name__)\n{mount}\n",
                                                   "health.py": '@router.get("/health")\ndef health():\n    return {}\n'})
    assert dockgen("init", "--yes", directory).returncode == 0
    _, comment = offered((directory / "dockgen.yaml").read_text())
    assert "but app.py:3 mounts routes under a prefix: check the full path" in comment, comment
