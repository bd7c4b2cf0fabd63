"""Python: a virtual environment built in a builder stage; the final image copies it.

Official image ``python:<version>-slim|alpine`` (R05). Dependencies are installed by a
package manager from :mod:`dockgen.packagers`: the spec's ``package_manager``, else the
one whose lock file the spec lists (uv.lock, poetry.lock, Pipfile.lock), else pip from
requirements files; the manager's cache is a BuildKit cache mount (R04), compilers
(``build_packages``) and the manager itself stay in the builder.

Detection (``dockgen init``) reads the version from ``.python-version``, ``runtime.txt``,
``.tool-versions``, the project's Dockerfile (``FROM python:3.12-slim``), ``requires-python``,
Poetry's ``[tool.poetry.dependencies] python`` and Pipfile's ``[requires] python_version``, in
that order; ``pyproject.toml`` (``[project]`` or ``[tool.poetry]`` ``name``, ``[project.scripts]``), the
requirements files, and the ``.py`` sources for a WSGI/ASGI app object (Flask, FastAPI,
Django's ``get_wsgi_application()`` ...) or a ``__main__`` block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import packagers
from ..packagers import module as packager
from ..packagers import pip, uv
from .base import Toolchain, manifests_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Command, Found

VERSIONS = ("3.14", "3.13", "3.12", "3.11", "3.10")
DEFAULT_VERSION = "3.12"
PACKAGERS = packagers.BY_LANGUAGE["python"]  # preferred first; pip is the fallback
DEFAULT_MANIFESTS = pip.MANIFESTS
SCAFFOLD = "python"
NEW_PORT = 8000
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("pyproject.toml", 3), ("requirements.txt", 3), ("setup.py", 3), ("setup.cfg", 2), ("Pipfile", 3),
            (".python-version", 2), ("runtime.txt", 1), ("manage.py", 2), ("*.py", 1))
TIE_BREAK = 1
COMPILED = False
BINARY = False
RESOURCES = {"limits": {"memory": "256Mi", "cpu": "1"}, "requests": {"memory": "128Mi", "cpu": "250m"}, "pids": 128}
# Health routes init looks for (``_read.health_route``): Flask/FastAPI/Quart decorators
# (``@app.get("/health")``, ``@bp.route``, ``@router.get``), Django's urls (``path("health/"``,
# ``re_path``), Starlette's ``Route("/health"``, aiohttp's ``add_get("/health"``.
HEALTH_ROUTES = (
    ((".py",), r"@\w+(?:\.\w+)*\.(?:get|head|route|api_route)\(\s*['\"](?P<path>/[^'\"]*)['\"]"),
    ((".py",), r"\b(?:re_path|path|url)\(\s*r?['\"]\^?(?P<path>[\w/.-]*?)\$?['\"]"),
    ((".py",), r"\b(?:Route|add_get|add_route)\(\s*(?:['\"]GET['\"],\s*)?['\"](?P<path>/[^'\"]*)['\"]"),
)

VENV = "/opt/venv"
IGNORE = ("__pycache__/", "**/__pycache__/", "*.py[cod]", ".venv/", "venv/", ".tox/", ".nox/", ".pytest_cache/",
          ".mypy_cache/", ".ruff_cache/", ".coverage", "htmlcov/", "*.egg-info/")
PATH = f"{VENV}/bin:/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"
RUNTIME_ENV = (("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONUNBUFFERED", "1"))


def toolchain(spec: Spec) -> Toolchain:
    """Python's toolchain for ``spec`` (see module docstring)."""
    image = spec.base or f"python:{spec.version}-{spec.variant}"
    named = packagers.module(spec.package_manager) if spec.package_manager else None
    manifests = manifests_for(spec, packagers.default_manifests(named) if named else DEFAULT_MANIFESTS)
    manager = named or packagers.pick(PACKAGERS, manifests)
    built = bool(spec.build)  # a build step needs the development dependencies, then prunes them (issue 11)
    install = manager.install(manifests, tuple(spec.packages), dev=built, into=VENV)
    if not install:  # nothing to install: no builder stage, no virtual environment
        return Toolchain(final_image=image, final_env=RUNTIME_ENV, ignore=IGNORE, pin_rule=manager.PIN_RULE)
    return Toolchain(
        final_image=image,
        builder_image=image,
        manifests=manifests,
        install=install,
        caches=manager.CACHES,
        builder_env=manager.environment(VENV),
        artifacts=((VENV, VENV),),
        final_env=(("PATH", PATH), *RUNTIME_ENV),
        ignore=IGNORE,
        pin_rule=manager.PIN_RULE,
        unpinned=tuple(p for p in spec.packages if not manager.pinned(p)),
        warnings=manager.warnings(manifests),
        prune=manager.prune(manifests, into=VENV) if built else (),
        # a build command (manage.py collectstatic) runs the environment's python and tools
        build_env=(("PATH", PATH),) if built else (),
    )


def healthcheck(port: int, path: str, base: str | None) -> tuple[str, ...]:
    """A GET with Python's own urllib (an HTTP error or no answer exits non-zero)."""
    url = f"http://127.0.0.1:{port}{path}"
    return ("python", "-c", f'import urllib.request; urllib.request.urlopen("{url}", timeout=4)')


# --- detection (dockgen init) -------------------------------------------------------------

_WSGI = r"^(?P<var>[A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:[\w.]+\.)?(?P<cls>Flask|Bottle|falcon\.App|falcon\.API|get_wsgi_application|make_app|create_app)\s*\("
_ASGI = r"^(?P<var>[A-Za-z_]\w*)\s*(?::[^=]*)?=\s*(?:[\w.]+\.)?(?P<cls>FastAPI|Starlette|Quart|Litestar|Sanic|get_asgi_application)\s*\("
_MAIN_BLOCK = r"^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:"
_PREFERRED = ("app.py", "main.py", "wsgi.py", "asgi.py", "server.py", "application.py")


def detect(root: Path, notes: list[str]) -> Found:
    """What a Python project's files say (see module docstring and the contract in base.py)."""
    from . import _read

    found = _read.Found()
    pyproject = _read.toml(root / "pyproject.toml") or {}
    project = _read.mapping(pyproject, "project")
    poetry = _read.mapping(_read.mapping(pyproject, "tool"), "poetry")
    for table, key in ((project, "[project]"), (poetry, "[tool.poetry]")):
        if found.name is None and isinstance(table.get("name"), str):
            found.name = _read.Guess(table["name"], f"pyproject.toml: {key} name")
    found.version = _version(root, project, poetry)
    found.dependencies, found.package_manager = _dependencies(root, project, notes)
    sources = _read.sources(root, ".py")
    found.candidates = [*_django(root, sources, found), *_app_commands(root, sources), *_factory_commands(root, sources),
                        *_script_commands(project), *_main_commands(root, sources)]
    if any(_read.rel(root, p).startswith("src/") for p in sources):
        found.env = _read.Guess({"PYTHONPATH": "/app/src"}, "the code is under src/ (src layout)")
    if any(c.argv[:1] == ("gunicorn",) for c in found.candidates):  # R13: the root file system is read-only
        found.writable = _read.Guess(("/tmp",), "gunicorn keeps its workers' heartbeat files in the temporary directory")
    return found


def _version(root: Path, project: dict, poetry: dict):
    """The Python version the project states: a version file, then a range (requires-python,
    Poetry's python dependency, Pipfile's ``[requires]``) read by :func:`_read.range_guess`."""
    import re

    from . import _read

    line = _read.first_line(root / ".python-version")
    if line and re.match(r"\d+\.\d+", line):
        return _read.Guess(_read.short(line, 2), f".python-version: {line}")
    line = _read.first_line(root / "runtime.txt")
    if line and re.match(r"python-\d+\.\d+", line):
        return _read.Guess(_read.short(line, 2), f"runtime.txt: {line}")
    stated = _read.first(_read.tool_versions(root, ("python",)), _read.dockerfile_from(root, ("python",)))
    if stated is not None:
        return stated
    requires = _read.mapping(_read.toml(root / "Pipfile") or {}, "requires")
    ranges = ((project.get("requires-python"), "pyproject.toml: requires-python"),
              (_read.mapping(poetry, "dependencies").get("python"), "pyproject.toml: [tool.poetry.dependencies] python"),
              (requires.get("python_version"), "Pipfile: [requires] python_version"),
              (requires.get("python_full_version"), "Pipfile: [requires] python_full_version"))
    return next((_read.range_guess(VERSIONS, text, where, minor_tilde=True) for text, where in ranges
                 if isinstance(text, str)), None)


def _dependencies(root: Path, project: dict, notes: list[str]):
    """(dependencies, package_manager) Guesses: the manifests of the first of :data:`PACKAGERS`
    the project has (a lock file beats requirements.txt); package_manager is None for pip."""
    from . import _read

    for name in PACKAGERS:
        manager = packager(name)
        deps = manager.found(root)
        if not deps:
            continue
        if manager is pip:
            return _read.Guess(deps, "found next to the spec"), None
        lock = deps[-1]
        if pip.found(root):
            notes.append(f"requirements.txt is not used: dockgen installs from {lock} ({name}); "
                         "list requirements.txt in dependencies and drop package_manager to install with pip instead")
        how = " ".join(manager.install(deps, (), into=VENV)[-1][:3])  # e.g. uv sync --locked
        return _read.Guess(deps, f"{lock} found: installed with `{how}`"), _read.Guess(name, f"{lock} found")
    listed = project.get("dependencies") if isinstance(project.get("dependencies"), list) else []
    if listed:
        notes.append("pyproject.toml lists dependencies but there is no lock file: run `uv lock` (or `poetry lock`) "
                     "and init again, or write them to requirements.txt and add it to dependencies")
    return _read.Guess((), "no requirements.txt or lock file found"), None


def _declared(root: Path) -> str:
    """Every dependency file's text, lower-cased: is a server (gunicorn, uvicorn) listed?"""
    from . import _read

    texts = (_read.read(root / name) for name in ("requirements.txt", "pyproject.toml", "Pipfile"))
    return "\n".join(text.lower() for text in texts if text)


def _rank(rel: str) -> tuple[int, int, str]:
    """Shallowest, best-named file first."""
    name = rel.rsplit("/", 1)[-1]
    return rel.count("/"), _PREFERRED.index(name) if name in _PREFERRED else len(_PREFERRED), rel


def _app_commands(root: Path, sources: list[Path]) -> list[Command]:
    """gunicorn/uvicorn serving each WSGI/ASGI app object found, best file first."""
    import re

    from . import _read

    declared = _declared(root)
    apps = []
    for path in sources:
        text = _read.read(path) or ""
        rel = _read.rel(root, path)
        module = rel[:-3].replace("/", ".")
        module = (module[4:] if module.startswith("src.") else module).removesuffix(".__init__")
        for pattern, server in ((_ASGI, "uvicorn"), (_WSGI, "gunicorn")):
            match = re.search(pattern, text, re.M)
            if not match:
                continue
            line = text.count("\n", 0, match.start()) + 1
            target = f"{module}:{match.group('var')}"
            if server == "gunicorn":
                argv = ("gunicorn", "--bind", "0.0.0.0:{port}", target)
            else:
                argv = ("uvicorn", target, "--host", "0.0.0.0", "--port", "{port}")
            source = f"{rel}:{line}: {match.group('var')} = {match.group('cls')}(...)"
            needs = None if server in declared else server
            apps.append((_rank(rel), _read.Command(argv, source, None, needs, binds=8000)))
            break
    return [command for _, command in sorted(apps, key=lambda item: item[0])]


_FACTORY = r"^def\s+(?P<name>create_app|make_app)\s*\((?P<args>[^)]*)\)"


def _factory_commands(root: Path, sources: list[Path]) -> list[Command]:
    """gunicorn calling a Flask application factory (``def create_app():`` in a module that
    builds a ``Flask(...)``): gunicorn's ``module:create_app()`` form."""
    import re

    from . import _read

    apps = []
    for path in sources:
        text = _read.read(path) or ""
        match = re.search(_FACTORY, text, re.M)
        if not match or "Flask(" not in text:
            continue
        if any(a.strip() and "=" not in a for a in match.group("args").split(",")):
            continue  # a factory with required arguments cannot be called as `create_app()`
        rel = _read.rel(root, path)
        module = rel[:-3].replace("/", ".").removeprefix("src.").removesuffix(".__init__")
        line = text.count("\n", 0, match.start()) + 1
        argv = ("gunicorn", "--bind", "0.0.0.0:{port}", f"{module}:{match.group('name')}()")
        needs = None if "gunicorn" in _declared(root) else "gunicorn"
        apps.append((_rank(rel), _read.Command(argv, f"{rel}:{line}: def {match.group('name')}(): Flask application factory",
                                              None, needs, binds=8000)))
    return [command for _, command in sorted(apps, key=lambda item: item[0])]


def _django(root: Path, sources: list[Path], found: Found) -> list[Command]:
    """A Django project: gunicorn serving the settings' ``WSGI_APPLICATION``, and
    ``manage.py collectstatic`` as the build when the settings name a ``STATIC_ROOT``
    (the collected files then come from the builder). Sets ``found.build``."""
    import re

    from . import _read

    if not (root / "manage.py").is_file():
        return []
    for path in sources:
        text = _read.read(path) or ""
        match = re.search(r"^WSGI_APPLICATION\s*=\s*['\"](?P<module>[\w.]+)\.(?P<var>\w+)['\"]", text, re.M)
        if not match:
            continue
        rel = _read.rel(root, path)
        line = text.count("\n", 0, match.start()) + 1
        if re.search(r"^STATIC_ROOT\s*=", text, re.M):
            found.build = _read.Guess(("python manage.py collectstatic --noinput",),
                                      f"{rel}: STATIC_ROOT (collected at build with the project's settings)")
        argv = ("gunicorn", "--bind", "0.0.0.0:{port}", f"{match.group('module')}:{match.group('var')}")
        needs = None if "gunicorn" in _declared(root) else "gunicorn"
        source = f"{rel}:{line}: WSGI_APPLICATION = {match.group('module')}.{match.group('var')}"
        return [_read.Command(argv, source, None, needs, binds=8000)]
    return []


def _script_commands(project: dict) -> list[Command]:
    """``python -c`` calling each ``[project.scripts]`` entry point."""
    from . import _read

    commands = []
    for script, target in sorted(_read.mapping(project, "scripts").items()):
        if not isinstance(target, str) or ":" not in target:
            continue
        module, function = target.split(":", 1)
        code = f"import sys; from {module} import {function.split('.')[0]}; sys.exit({function}())"
        commands.append(_read.Command(("python", "-c", code), f"pyproject.toml: [project.scripts] {script} = \"{target}\""))
    return commands


def _main_commands(root: Path, sources: list[Path]) -> list[Command]:
    """``python file.py`` (or ``python -m pkg.mod``) for each file with a ``__main__`` block."""
    import re

    from . import _read

    mains = []
    for path in sources:
        if re.search(_MAIN_BLOCK, _read.read(path) or "", re.M):
            rel = _read.rel(root, path)
            argv = ("python", "-m", rel[:-3].replace("/", ".").removesuffix(".__main__")) if "/" in rel else ("python", rel)
            mains.append((_rank(rel), _read.Command(argv, f"{rel}: if __name__ == \"__main__\"", _read.port_in(root, path))))
    return [command for _, command in sorted(mains, key=lambda item: item[0])]
