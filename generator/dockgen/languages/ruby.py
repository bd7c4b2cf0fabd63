"""Ruby: ``bundle install`` in a builder stage; the final image copies the gems.

Official image ``ruby:<version>-slim|alpine`` (R05), whose GEM_HOME is /usr/local/bundle.
Development and test groups are left out; the gem cache is removed in the same RUN (R04).
Bundler stays in this module until the build-step issue moves it to :mod:`dockgen.packagers`.

Detection (``dockgen init``) reads ``.ruby-version``, the Gemfile (its ``ruby`` line, puma,
rackup, sinatra) and Gemfile.lock, and looks for Rails' ``bin/rails``, ``config.ru`` and
``app.rb``/``main.rb``/``server.rb``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Toolchain, manifests_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

VERSIONS = ("3.4", "3.3", "3.2")
DEFAULT_VERSION = "3.3"
DEFAULT_MANIFESTS = ("Gemfile", "Gemfile.lock")
SCAFFOLD = "ruby"
NEW_PORT = 4567
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("Gemfile", 3), (".ruby-version", 2), ("config.ru", 2), ("*.rb", 1))
TIE_BREAK = 2
COMPILED = False
BINARY = False
RESOURCES = {"limits": {"memory": "512Mi", "cpu": "1"}, "requests": {"memory": "256Mi", "cpu": "250m"}, "pids": 256}
# Health routes init looks for (``_read.health_route``): Rails' config/routes.rb
# (``get "up" => "rails/health#show"``, Rails 7.1's default; ``get "/health"``) and
# Sinatra's ``get '/health' do``.
HEALTH_ROUTES = (
    (("config/routes.rb", ".rb"), r"^[ \t]*(?:get|match)\s*\(?\s*['\"](?P<path>[^'\"]+)['\"]"),
)

GEMS = "/usr/local/bundle"


def toolchain(spec: Spec) -> Toolchain:
    """Ruby's toolchain for ``spec`` (see module docstring)."""
    image = spec.base or f"ruby:{spec.version}-{spec.variant}"
    manifests = manifests_for(spec, DEFAULT_MANIFESTS)
    install = []
    if "Gemfile" in manifests:
        install.append(("bundle", "install", "--jobs", "4"))
    if spec.packages:
        install.append(("gem", "install", "--no-document", *spec.packages))
    if install:
        install.append(("rm", "-rf", f"{GEMS}/cache"))
    env = (("BUNDLE_WITHOUT", "development:test"),)
    if "Gemfile.lock" in manifests:
        env += (("BUNDLE_FROZEN", "true"),)
    return Toolchain(
        final_image=image,
        builder_image=image,
        manifests=manifests,
        install=tuple(install),
        builder_env=env,
        artifacts=((GEMS, GEMS),),
        final_env=env,
        ignore=(".bundle/", "vendor/bundle/", "log/", "tmp/", "coverage/", ".byebug_history"),
        pin_rule="DL3028",
        unpinned=tuple(p for p in spec.packages if ":" not in p),
    )


def healthcheck(port: int, path: str, base: str | None) -> tuple[str, ...]:
    """A GET with Ruby's own Net::HTTP: exit status false unless the answer is a 2xx."""
    url = f"http://127.0.0.1:{port}{path}"
    return ("ruby", "-rnet/http", "-e", f'exit Net::HTTP.get_response(URI("{url}")).is_a?(Net::HTTPSuccess)')


def detect(root: Path, notes: list[str]) -> Found:
    """What a Ruby project's files say (see module docstring and the contract in base.py)."""
    import re

    from . import _read

    found = _read.Found()
    line = _read.first_line(root / ".ruby-version")
    if line and re.search(r"\d+\.\d+", line):
        found.version = _read.Guess(_read.short(line, 2), f".ruby-version: {line}")
    gemfile = _read.read(root / "Gemfile") or ""
    found.version = _read.first(found.version, _read.tool_versions(root, ("ruby",)), _read.dockerfile_from(root, ("ruby",)))
    if found.version is None:
        match = re.search(r"^\s*ruby\s+['\"]([^'\"]+)['\"]", gemfile, re.M)
        if match:
            line_no = gemfile.count("\n", 0, match.start()) + 1
            found.version = _read.range_guess(VERSIONS, match.group(1), f"Gemfile:{line_no}: ruby")
    found.dependencies = _read.Guess(_read.existing(root, DEFAULT_MANIFESTS), "found next to the spec")
    found.candidates = _commands(root, gemfile)
    if (root / "bin" / "rails").is_file():
        _rails(root, gemfile, notes, found)
    return found


# Gems that compile a C extension at install (Rails' usual set): the builder needs a compiler.
NATIVE = ("bcrypt", "bigdecimal", "bootsnap", "date", "ffi", "io-console", "json", "msgpack", "mysql2", "nio4r", "pg",
          "psych", "puma", "racc", "sqlite3", "stringio", "websocket-driver")
# Gems that link a C library: (its headers in the builder, the library in the final image).
LIBRARIES = {"pg": ("libpq-dev", "libpq5"), "mysql2": ("default-libmysqlclient-dev", "libmariadb3")}
COMPILERS = ("gcc", "libc6-dev", "make")


def _rails(root: Path, gemfile: str, notes: list[str], found: Found) -> None:
    """A Rails app (issue 11): production environment, bootsnap and assets precompiled at
    build (with a dummy secret key base: the real one is a run-time secret), the compilers
    and headers its native gems need in the builder only (R04), the libraries they link in
    the final image, and the directories Rails writes (log/, tmp/, storage/)."""
    import re

    from . import _read

    lock = _read.read(root / "Gemfile.lock") or ""
    gems = set(re.findall(r"^    ([\w.-]+) \(", lock, re.M))
    native = sorted(gems & set(NATIVE))
    if native:
        headers = [LIBRARIES[g][0] for g in native if g in LIBRARIES]
        found.build_packages = _read.Guess(tuple(sorted((*COMPILERS, *headers))),
                                           f"Gemfile.lock: native extensions ({', '.join(native[:4])}{' ...' if len(native) > 4 else ''})")
        libraries = tuple(sorted(LIBRARIES[g][1] for g in native if g in LIBRARIES))
        if libraries:
            found.system_packages = _read.Guess(libraries, "Gemfile.lock: " + ", ".join(g for g in native if g in LIBRARIES)
                                                + " links it at run time")
    build = []
    if "bootsnap" in gems:
        build.append("bundle exec bootsnap precompile --gemfile app/ lib/")
    if gems & {"propshaft", "sprockets"} or (root / "app/assets").is_dir():
        build.append("RAILS_ENV=production SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile")
    if build:
        found.build = _read.Guess(tuple(build), "Rails: bootsnap's cache and the assets, precompiled at build")
    found.env = _read.Guess({"RAILS_ENV": "production", "RAILS_LOG_TO_STDOUT": "1", "RAILS_SERVE_STATIC_FILES": "1"},
                            "bin/rails (Rails in production, logging to stdout, serving public/)")
    found.writable = _read.Guess(("/app/log", "/app/tmp", "/tmp"), "Rails writes log/ and tmp/ (pids, cache)")
    if (root / "storage").is_dir():
        found.volumes = _read.Guess(("/app/storage",), "storage/ found (Active Storage files, SQLite databases)")
    notes.append("Rails needs SECRET_KEY_BASE (or RAILS_MASTER_KEY for config/credentials.yml.enc) at run time; "
                 "run.sh removes secrets from the environment, so set it in config/credentials or a config file")


def _commands(root: Path, gemfile: str) -> list:
    import re

    from . import _read

    def has(gem: str) -> bool:
        return re.search(rf"^\s*gem\s+['\"]{gem}['\"]", gemfile, re.M) is not None

    candidates = []
    if (root / "bin" / "rails").is_file():
        candidates.append(_read.Command(("/app/bin/rails", "server", "--binding", "0.0.0.0", "--port", "{port}"),
                                        "bin/rails found (Rails)", binds=3000))
    if (root / "config.ru").is_file():
        if has("puma"):
            candidates.append(_read.Command(("bundle", "exec", "puma", "--bind", "tcp://0.0.0.0:{port}", "config.ru"),
                                            "config.ru found, puma in Gemfile", binds=9292))
        else:
            candidates.append(_read.Command(("bundle", "exec", "rackup", "--host", "0.0.0.0", "--port", "{port}", "config.ru"),
                                            "config.ru found", needs=None if has("rackup") else "rackup", binds=9292))
    for name in ("app.rb", "main.rb", "server.rb"):
        path = root / name
        if path.is_file():
            port = _read.port_in(root, path)
            if port is None and "sinatra" in (_read.read(path) or "") + gemfile:
                port = _read.Guess(4567, "Sinatra's default port")
            candidates.append(_read.Command(("ruby", name), f"{name} found", port))
    return candidates
