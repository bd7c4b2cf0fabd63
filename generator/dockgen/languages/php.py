"""PHP: Composer installs the vendor tree in a builder stage; the final image copies it.

Final image ``php:<version>-fpm|fpm-alpine`` (R05); the builder is the matching ``-cli``
image with the ``composer`` binary copied from the official Composer image. Composer
stays in this module until the build-step issue moves it to :mod:`dockgen.packagers`.

Detection (``dockgen init``) reads ``composer.json`` (``name``, ``require.php``) and
composer.lock, and looks for a front controller (``public/index.php``, served by php-fpm)
or command-line scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Toolchain, in_workdir, manifests_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

VERSIONS = ("8.4", "8.3", "8.2")
DEFAULT_VERSION = "8.3"
DEFAULT_MANIFESTS = ("composer.json", "composer.lock")
SCAFFOLD = "php"
NEW_PORT = 9000
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("composer.json", 3), ("public/index.php", 2), ("*.php", 1))
TIE_BREAK = 3
COMPILED = False
BINARY = False
RESOURCES = {"limits": {"memory": "256Mi", "cpu": "1"}, "requests": {"memory": "128Mi", "cpu": "250m"}, "pids": 256}
# Health routes init looks for (``_read.health_route``): Laravel's ``Route::get('/health'``
# and Slim's ``$app->get('/health'`` (the offered check connects to the port, see healthcheck).
HEALTH_ROUTES = (
    ((".php",), r"(?:Route::|->)(?:get|any|map)\(\s*(?:\[[^\]]*\],\s*)?['\"](?P<path>/?[^'\"]*)['\"]"),
)

COMPOSER = "composer:2.8"
FPM_PORT = 9000  # php-fpm's FastCGI port in the official image


def toolchain(spec: Spec) -> Toolchain:
    """PHP's toolchain for ``spec`` (see module docstring)."""
    suffix = "-alpine" if spec.variant == "alpine" else ""
    final = spec.base or f"php:{spec.version}-fpm{suffix}"
    manifests = manifests_for(spec, DEFAULT_MANIFESTS)
    flags = ("--no-dev", "--no-interaction", "--no-progress", "--no-scripts", "--prefer-dist", "--optimize-autoloader")
    install = []
    if spec.packages:
        install.append(("composer", "require", "--no-update", *spec.packages))
    if "composer.json" in manifests or spec.packages:
        install.append(("composer", "install" if not spec.packages else "update", *flags))
    vendor = in_workdir(spec, "vendor")
    return Toolchain(
        final_image=final,
        builder_image=spec.base or f"php:{spec.version}-cli{suffix}",
        manifests=manifests,
        install=tuple(install),
        caches=("/root/.composer/cache",),
        builder_env=(("COMPOSER_ALLOW_SUPERUSER", "1"), ("COMPOSER_HOME", "/root/.composer")),
        artifacts=((vendor, vendor),),
        ignore=("vendor/", ".phpunit.result.cache", ".php-cs-fixer.cache", "var/cache/", "var/log/"),
        builder_packages=("unzip",),
        stages=((COMPOSER, "composer"),),
    )


def healthcheck(port: int, path: str, base: str | None) -> tuple[str, ...]:
    """A TCP connect with PHP's own CLI: php-fpm speaks FastCGI, not HTTP, so ``path`` is unused."""
    return ("php", "-r", f'exit(@fsockopen("127.0.0.1", {port}) ? 0 : 1);')


FRAMEWORKS = {"laravel/framework": "Laravel", "slim/slim": "Slim"}
NGINX_CONF = "docker/nginx.conf.tmpl"  # the nginx configuration init drafts when the project has none
HTTP_PORT = 8080  # nginx's unprivileged port in that configuration


def _framework(root: Path, require: dict, found: Found, notes: list[str]) -> bool:
    """A Laravel or Slim app (composer.json requires it, public/index.php is its front
    controller): php-fpm behind nginx under s6, nginx serving public/ and passing PHP to
    php-fpm on 127.0.0.1:9000, so the container answers HTTP (R01: one app, two programs).
    Sets the spec's fields on ``found``; False when the project is neither."""
    from . import _read

    name = next((FRAMEWORKS[p] for p in FRAMEWORKS if p in require), None)
    if name is None or not (root / "public/index.php").is_file():
        return False
    why = f"composer.json requires {next(p for p in FRAMEWORKS if p in require)} ({name}), public/index.php"
    found.system_packages = _read.Guess(("nginx",), f"{why}: nginx serves public/ and passes PHP to php-fpm")
    found.config = _read.Guess(({"source": NGINX_CONF, "target": "/etc/nginx/nginx.conf"},),
                               f"{NGINX_CONF}: nginx's configuration" + ("" if (root / NGINX_CONF).is_file() else
                                                                          " (written by dockgen init)"))
    found.files = ((NGINX_CONF, "php-nginx.conf.tmpl.j2"),)
    found.processes = _read.Guess({"php-fpm": {"command": ["php-fpm", "-F"]},
                                   "nginx": {"command": ["nginx", "-g", "daemon off;"], "stop_signal": "SIGQUIT"}},
                                  f"{why}: php-fpm and nginx under s6 (SIGQUIT stops nginx gracefully)")
    found.candidates.append(_read.Command((), why, _read.Guess(HTTP_PORT, f"the port nginx listens on ({NGINX_CONF})")))
    writable = ["/tmp", "/run", "/var/lib/nginx"]
    if name == "Laravel":
        writable.append("/app/bootstrap/cache")
        found.volumes = _read.Guess(("/app/storage",), "Laravel writes logs, sessions, caches and uploads under storage/")
        found.env = _read.Guess({"APP_ENV": "production", "LOG_CHANNEL": "stderr"}, "Laravel in production, logging to stderr")
        notes.append("Laravel needs APP_KEY (`php artisan key:generate --show`) at run time: write it into .env with a "
                     "config template (config: source .env.tmpl with APP_KEY=${APP_KEY}, target /app/.env) and "
                     "list APP_KEY in secrets")
    found.writable = _read.Guess(tuple(writable), "nginx's pid and temporary files, php-fpm's sessions"
                                 + (", Laravel's bootstrap/cache" if name == "Laravel" else ""))
    return True


def detect(root: Path, notes: list[str]) -> Found:
    """What a PHP project's files say (see module docstring and the contract in base.py)."""
    from . import _read

    found = _read.Found()
    composer = _read.json_object(root / "composer.json") or {}
    if isinstance(composer.get("name"), str):
        found.name = _read.Guess(composer["name"].split("/")[-1], "composer.json: name")
    require = _read.mapping(composer, "require")
    platform = _read.mapping(_read.mapping(composer, "config"), "platform")
    found.version = _read.first(
        _read.tool_versions(root, ("php",)), _read.dockerfile_from(root, ("php",)),
        _read.range_guess(VERSIONS, platform["php"], "composer.json: config.platform.php") if isinstance(platform.get("php"), str) else None,
        _read.range_guess(VERSIONS, require["php"], "composer.json: require.php") if isinstance(require.get("php"), str) else None)
    found.dependencies = _read.Guess(_read.existing(root, DEFAULT_MANIFESTS), "found next to the spec")
    if _framework(root, require, found, notes):
        return found
    for front in ("public/index.php", "web/index.php", "index.php"):
        if (root / front).is_file():
            found.candidates.append(_read.Command(("php-fpm", "--nodaemonize"), f"{front} found: php-fpm serves it over FastCGI",
                                                  _read.Guess(FPM_PORT, "php-fpm's FastCGI port in the official image")))
            found.writable = _read.Guess(("/tmp",), "php-fpm keeps sessions and uploads in /tmp")
            notes.append("php-fpm speaks FastCGI, not HTTP: put a web server in front (or run php-fpm + nginx "
                         "together under `processes`, as in specs/php-notebook)")
            break
    for path in sorted(root.glob("*.php")):
        text = _read.read(path) or ""
        if text.startswith("#!") or "$argv" in text:
            found.candidates.append(_read.Command(("php", path.name), f"{path.name}: a command-line script"))
    return found
