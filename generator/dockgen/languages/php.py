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
