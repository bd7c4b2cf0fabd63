"""Node.js: the package manager installs in a builder stage; the final image copies node_modules.

Official image ``node:<version>-slim|alpine`` (R05). Dependencies are installed by a
package manager from :mod:`dockgen.packagers`: the spec's ``package_manager``, else the
one whose lock file the spec lists (pnpm-lock.yaml, yarn.lock, bun.lock), else npm
(``npm ci``, or ``npm install`` without a lock file); its caches are BuildKit cache
mounts (R04) and only node_modules reaches the final image.

Detection (``dockgen init``) reads the version from ``.nvmrc``, ``.node-version``,
``.tool-versions``, the project's Dockerfile (``FROM node:20-slim``) and ``engines.node``,
in that order; ``package.json`` (``name``, ``packageManager``, ``scripts.start``, ``main``)
and its lock file, and looks for
``server.js``/``index.js``/``app.js``. A ``start`` script is resolved to the program it
runs (``node server.js``), never written as ``npm start``: tini → npm → ``sh -c`` → node
loses SIGTERM (issue 10, paketo-buildpacks/nodejs#37).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import packagers
from ..packagers import npm
from ..packagers._node import NPMRC
from .base import Toolchain, in_workdir, manifests_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Command, Found

VERSIONS = ("24", "22", "20")
DEFAULT_VERSION = "22"
PACKAGERS = packagers.BY_LANGUAGE["node"]
DEFAULT_MANIFESTS = (*npm.MANIFESTS, npm.LOCKS[0])
SCAFFOLD = "node"
NEW_PORT = 3000
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("package.json", 3), (".nvmrc", 2), (".node-version", 2), ("*.js", 1), ("*.mjs", 1))
TIE_BREAK = 4
COMPILED = False
BINARY = False
RESOURCES = {"limits": {"memory": "512Mi", "cpu": "1"}, "requests": {"memory": "256Mi", "cpu": "250m"}, "pids": 256}
# Health routes init looks for (``_read.health_route``): Express/Fastify/Koa/Hono routes
# (``app.get('/health'``, ``router.get(``), a plain http server's ``req.url === "/health"``,
# a NestJS ``@Get("/health")`` or ``@Controller("health")``.
_NODE_SOURCES = (".js", ".mjs", ".cjs", ".ts", ".mts")
_CLIENTS = "(?:axios|got|ky|http|https|request|superagent|client|fetcher)"  # `axios.get("/status")` calls, declares nothing
HEALTH_ROUTES = (
    (_NODE_SOURCES, rf"\b(?!{_CLIENTS}\.)\w+\.(?:get|head|all|route)\(\s*['\"`](?P<path>/[^'\"`]*)['\"`]"),
    (_NODE_SOURCES, r"\.(?:url|pathname)\s*===?\s*['\"`](?P<path>/[^'\"`?]*)['\"`]"),
    (_NODE_SOURCES, r"@(?:Get|Controller)\(\s*['\"`](?P<path>[^'\"`]*)['\"`]"),
)

LTS = {"argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12", "fermium": "14",
       "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24"}
# Frameworks' build caches under the workdir: cache mounts of the build commands (issue 11).
BUILD_CACHES = (".next/cache", "node_modules/.vite")
ENTRY_FILES = ("server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs", "app.mjs")


def toolchain(spec: Spec) -> Toolchain:
    """Node's toolchain for ``spec`` (see module docstring)."""
    image = spec.base or f"node:{spec.version}-{spec.variant}"
    named = packagers.module(spec.package_manager) if spec.package_manager else None
    manifests = manifests_for(spec, packagers.default_manifests(named) if named else DEFAULT_MANIFESTS)
    manager = named or packagers.pick(PACKAGERS, manifests)
    built = bool(spec.build)  # a build step needs the development dependencies, then prunes them (issue 11)
    install = list(manager.install(manifests, tuple(spec.packages), dev=built))
    modules = in_workdir(spec, "node_modules")
    if install:
        # npm creates no node_modules for an app without dependencies; the final stage's
        # COPY --from=builder needs it to exist (found by the container tests, issue 4).
        install.append(("mkdir", "-p", modules))
    return Toolchain(
        final_image=image,
        builder_image=image,
        manifests=manifests,
        install=tuple(install),
        caches=manager.CACHES,
        builder_env=manager.environment(),
        artifacts=((modules, modules),),
        final_env=(("NODE_ENV", "production"),),
        # with a build, all of .next/ is Next.js's output that the builder makes anew (R07, R19);
        # without one, a prebuilt .next/ is the app (next start) and only its cache stays out
        ignore=("node_modules/", "npm-debug.log*", ".npm/", "coverage/", ".next/" if built else ".next/cache/"),
        pin_rule=manager.PIN_RULE,
        warnings=manager.warnings(manifests),
        unpinned=tuple(p for p in spec.packages if not manager.pinned(p)),
        prune=manager.prune(manifests) if built and install else (),
        build_caches=tuple(in_workdir(spec, path) for path in BUILD_CACHES) if built else (),
        builder_only=tuple(m for m in manifests if m.rsplit("/", 1)[-1] == NPMRC),
    )


def healthcheck(port: int, path: str, base: str | None) -> tuple[str, ...]:
    """A GET with Node's own fetch (Node 18 and newer): exit 1 on an error status or no answer."""
    url = f"http://127.0.0.1:{port}{path}"
    return ("node", "-e", f'fetch("{url}").then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))')


# --- detection (dockgen init) -------------------------------------------------------------


def detect(root: Path, notes: list[str]) -> Found:
    """What a Node.js project's files say (see module docstring and the contract in base.py)."""
    from . import _read

    found = _read.Found()
    package = _read.json_object(root / "package.json") or {}
    if isinstance(package.get("name"), str):
        found.name = _read.Guess(package["name"].split("/")[-1], "package.json: name")
    found.version = _version(root, package)
    found.dependencies, found.package_manager = _package_manager(root, package, notes)
    if (root / ".npmrc").is_file():
        from ..packagers import _node

        notes.append(_node.npmrc_warning())
    manager = str(found.package_manager.value) if found.package_manager else "npm"
    candidates = _framework(root, package, manager, found, notes)
    candidates += _start_script(root, package, notes, _tsc_layout(root))
    main = package.get("main")
    if isinstance(main, str) and (root / main).is_file():
        candidates.append(_read.Command(("node", main), "package.json: main", _read.port_in(root, root / main)))
    for name in ENTRY_FILES:
        if (root / name).is_file():
            candidates.append(_read.Command(("node", name), f"{name} found", _read.port_in(root, root / name)))
    found.candidates = candidates
    _home(package, found)
    return found


HOME_WRITERS = ("pm2", "puppeteer", "playwright", "playwright-core")  # write under ~ at start


def _home(package: dict, found: Found) -> None:
    """HOME on a writable directory when a dependency writes under ``~`` at start (pm2's
    ~/.pm2, the browsers' profiles): the app user's home is /nonexistent and the root file
    system read-only (R13, R15), so they die with ``mkdir '/nonexistent'``."""
    from . import _read

    writers = sorted(set(_read.mapping(package, "dependencies")) & set(HOME_WRITERS))
    if not writers:
        return
    env = {**(found.env.value if found.env else {}), "HOME": "/tmp"}
    found.env = _read.Guess(env, (f"{found.env.source}; " if found.env else "") + f"{writers[0]} writes under HOME")
    listed = tuple(found.writable.value) if found.writable else ()
    if "/tmp" not in listed:
        found.writable = _read.Guess((*listed, "/tmp"), (f"{found.writable.source}; " if found.writable else "")
                                     + f"HOME=/tmp for {writers[0]}")


def _package_manager(root: Path, package: dict, notes: list[str]):
    """(dependencies, package_manager) Guesses: package.json's ``packageManager`` field first,
    then the lock file present (pnpm, yarn, bun, npm); package_manager is None for npm."""
    from . import _read

    field = package.get("packageManager") if isinstance(package.get("packageManager"), str) else ""
    named, _, pinned = field.partition("@")
    present = {name: packagers.module(name).found(root) for name in PACKAGERS}
    locked = [name for name, files in present.items() if len(files) > 1]
    name = named if named in PACKAGERS else (locked[0] if locked else "npm")
    deps = present[name] or (("package.json",) if (root / "package.json").is_file() else ())
    source = f"package.json: packageManager = {field.split('+', 1)[0]}" if named == name else f"{deps[-1]} found"
    if name == "yarn" and _berry(root, pinned) and ".yarnrc.yml" not in deps:
        notes.append("yarn.lock is yarn berry's (its __metadata header) but there is no .yarnrc.yml: dockgen installs "
                     "berry only with that file listed in dependencies; create it (nodeLinker: node-modules) and list it")
    if name in ("yarn", "pnpm") and named != name and (name == "pnpm" or _berry(root, pinned)):
        notes.append(f"package.json has no packageManager field: corepack runs its own default {name}; pin yours "
                     f"with `corepack use {name}@<version>` (it writes the field)")
    if len(locked) > 1:
        notes.append(f"several lock files ({', '.join(present[n][1] for n in locked)}): "
                     f"dockgen installs with {name}; delete the others")
    dependencies = _read.Guess(deps, "found next to the spec")
    return dependencies, (None if name == "npm" else _read.Guess(name, source))


def _berry(root: Path, pinned: str) -> bool:
    """yarn berry (v2 and newer): a .yarnrc.yml, a lock with berry's __metadata header, or packageManager yarn@2+."""
    import re

    from . import _read

    lock = (_read.read(root / "yarn.lock") or "")[:2000]
    major = re.match(r"\d+", pinned)
    return ((root / ".yarnrc.yml").is_file() or re.search(r"^__metadata:", lock, re.M) is not None
            or bool(major and int(major.group()) >= 2))


def _version(root: Path, package: dict):
    import re

    from . import _read

    for filename in (".nvmrc", ".node-version"):
        line = _read.first_line(root / filename)
        if not line:
            continue
        lts = LTS.get(line.lower().removeprefix("lts/"))
        if lts:
            return _read.Guess(lts, f"{filename}: {line}")
        if re.match(r"v?\d+", line):
            return _read.Guess(_read.short(line, 1), f"{filename}: {line}")
    stated = _read.first(_read.tool_versions(root, ("nodejs", "node"), 1), _read.dockerfile_from(root, ("node",), 1))
    engines = _read.mapping(package, "engines")
    if stated is None and isinstance(engines.get("node"), str):
        return _read.range_guess(VERSIONS, engines["node"], "package.json: engines.node", parts=1)
    return stated


NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")
NEXT_PORT = 3000  # `next start`'s and the standalone server's default port


def _framework(root: Path, package: dict, manager: str, found: Found, notes: list[str]) -> list[Command]:
    """A framework's build step and start command (issue 11), from the project's ``build``
    script run with its package manager: the first of :data:`FRAMEWORKS` whose dependency
    package.json declares and whose detector recognises the project. Sets ``found.build``
    and what the framework needs besides; ``[]`` for none."""
    from . import _read

    declared = {**_read.mapping(package, "dependencies"), **_read.mapping(package, "devDependencies")}
    scripts = _read.mapping(package, "scripts")
    build = scripts.get("build")
    if not isinstance(build, str):
        return []
    for names, detector in FRAMEWORKS:
        if any(name in declared for name in names):
            candidates = detector(root, package, found, notes)
            if candidates is not None:
                found.build = _read.Guess((f"{manager} run build",), f"package.json: scripts.build = {_read.one_line(build, 40)}")
                return candidates
    return []


def _nextjs(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command]:
    """Next.js: with ``output: "standalone"`` in next.config the final image takes the
    standalone server, its static assets and public/ (HOSTNAME=0.0.0.0, else it binds the
    container's hostname only); without it ``next start`` with the production dependencies."""
    import re

    from . import _read

    port = _read.Guess(NEXT_PORT, "Next.js's default port")
    env = {"HOSTNAME": "0.0.0.0", "NEXT_TELEMETRY_DISABLED": "1", "PORT": str(NEXT_PORT)}
    # Next.js writes its image and fetch caches under .next/cache at run time (R13: read-only root)
    found.writable = _read.Guess(("/app/.next/cache",), "Next.js writes its run-time caches to .next/cache")
    for name in NEXT_CONFIGS:
        text = _read.read(root / name) or ""
        match = re.search(r"""\boutput\s*:\s*["']standalone["']""", text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            source = f"{name}:{line}: output: \"standalone\""
            taken = [".next/standalone:.", ".next/static"] + (["public"] if (root / "public").is_dir() else [])
            found.artifacts = _read.Guess(tuple(taken), f"{source}: the standalone server, its assets and public/")
            found.env = _read.Guess(env, "the standalone server listens on HOSTNAME and PORT (its default is the "
                                         "container's hostname, unreachable from outside)")
            return [_read.Command(("node", "server.js"), f"{source} (.next/standalone/server.js)", port)]
    found.env = _read.Guess({k: v for k, v in env.items() if k != "HOSTNAME"}, "Next.js reads PORT; no telemetry")
    return [_read.Command(("/app/node_modules/.bin/next", "start"), "package.json: next (next start, production "
                          "dependencies)", port)]


def _vite(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command] | None:
    """A Vite app with an index.html: a single-page app, built in the node builder and
    served from ``dist/`` (Vite's ``build.outDir`` unless the config names another) by the
    static server; None for a Vite library or server (no index.html)."""
    import re

    from . import _read

    if not (root / "index.html").is_file():
        return None
    out = "dist"
    for name in ("vite.config.js", "vite.config.mjs", "vite.config.ts"):
        match = re.search(r"""\boutDir\s*:\s*["']([\w./-]+)["']""", _read.read(root / name) or "")
        out = match.group(1) if match else out
    return _static(found, out, True, f"index.html and vite: a single-page app built into {out}/, "
                                     "deep links answered with index.html")


def _static(found: Found, out: str, spa: bool, source: str) -> list[Command]:
    """The built files under ``out`` served by the static server on :data:`STATIC_PORT`
    (``static: {root: out, spa: spa}``); the candidate has no argv (the server is the image's)."""
    from . import _read

    found.static = _read.Guess({"root": out, "spa": spa}, source)
    return [_read.Command((), "static: nginx serves the built files", _read.Guess(STATIC_PORT, "the static server's port"))]


def _tsc_layout(root: Path) -> tuple[str, str] | None:
    """(outDir, rootDir) of tsconfig.json when the build script runs ``tsc``, else None."""
    from . import _read

    scripts = _read.mapping(_read.json_object(root / "package.json") or {}, "scripts")
    if "tsc" not in str(scripts.get("build", "")).split():
        return None
    options = _read.mapping(_read.json_object(root / "tsconfig.json") or {}, "compilerOptions")
    return (str(options.get("outDir", "dist")).strip("./") or "dist", str(options.get("rootDir", "src")).strip("./") or ".")


def _typescript(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command] | None:
    """TypeScript compiled by tsc (``tsc`` in the build script): the final image takes the
    compiled ``outDir``, the production node_modules and package.json (the start script's
    port is read from the TypeScript source, :func:`_source_of`)."""
    from . import _read

    layout = _tsc_layout(root)
    if layout is None:
        return None
    found.artifacts = _read.Guess((layout[0], "node_modules", "package.json"), f"tsconfig.json: outDir {layout[0]}: the "
                                  "compiled app, with the production dependencies")
    return []


SERVED = ("node_modules", "package.json")  # a server's production dependencies, and package.json (its "type")


def _server(found: Found, artifacts: tuple[str, ...], why: str, env: dict[str, str] | None = None,
            env_why: str = "") -> None:
    """A framework server's final image: ``artifacts`` taken from the builder (``why`` says
    which build output they are) and the ``env`` it needs to listen outside the container."""
    from . import _read

    found.artifacts = _read.Guess(artifacts, why)
    if env:
        found.env = _read.Guess(env, env_why)


def _config_text(root: Path, stem: str) -> tuple[str, str]:
    """(file name, text) of the first ``<stem>.{js,mjs,ts,cjs,mts}`` config under ``root``, or ("", "")."""
    from . import _read

    for suffix in ("js", "mjs", "ts", "cjs", "mts"):
        text = _read.read(root / f"{stem}.{suffix}")
        if text is not None:
            return f"{stem}.{suffix}", text
    return "", ""


def _option(text: str, key: str) -> str | None:
    """The string value of ``key: "value"`` in a JavaScript config's text, or None."""
    import re

    match = re.search(rf"""\b{key}\s*:\s*["']([\w./-]+)["']""", text)
    return match.group(1) if match else None


def _nuxt(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command]:
    """Nuxt 3: ``nuxt build`` writes a self-contained Nitro server to ``.output`` (its own
    trimmed node_modules inside), started with ``node .output/server/index.mjs``; Nitro
    listens on PORT (default 3000) on every interface, so no HOST is needed. A build script
    running ``nuxt generate`` writes static pages to ``.output/public`` (a single-page app
    with ``ssr: false`` in nuxt.config)."""
    import re

    from . import _read

    if "generate" in str(_read.mapping(package, "scripts").get("build", "")).split():
        spa = re.search(r"\bssr\s*:\s*false\b", _config_text(root, "nuxt.config")[1]) is not None
        return _static(found, ".output/public", spa, "package.json: scripts.build runs nuxt generate: static pages "
                       "in .output/public/" + (" (ssr: false, a single-page app)" if spa else ""))
    _server(found, (".output",), "nuxt: the Nitro server .output/ is self-contained (its own node_modules)")
    port = _read.Guess(3000, "Nitro's default port (NITRO_PORT or PORT)")
    return [_read.Command(("node", ".output/server/index.mjs"), "package.json: nuxt (nuxt build writes .output/)", port)]


def _remix(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command]:
    """Remix: with ``@remix-run/serve`` a production dependency, ``remix-serve`` on the
    server build (the path the start script gives, else ``build/server/index.js``, or
    ``build/index.js`` for the classic compiler's remix.config); port 3000. A custom server
    (no remix-serve in dependencies) is the ``start`` script resolved: ``[]``."""
    from . import _read

    if "@remix-run/serve" not in _read.mapping(package, "dependencies"):
        return []
    words, _ = _resolve(_read.mapping(package, "scripts"), str(_read.mapping(package, "scripts").get("start", "")))
    classic = bool(_config_text(root, "remix.config")[0])
    entry = "build/index.js" if classic else "build/server/index.js"
    source = f"package.json: @remix-run/serve ({'remix.config: classic compiler' if classic else 'the Vite build'})"
    if words and words[0] == "remix-serve" and len(words) > 1:
        entry, source = words[1], f"package.json: scripts.start = {_read.one_line(' '.join(words), 40)}"
    public = ("public",) if classic and (root / "public").is_dir() else ()
    _server(found, ("build", *public, *SERVED), "remix: the server build and its production dependencies")
    port = _read.Guess(3000, "remix-serve's default port (PORT)")
    return [_read.Command(("/app/node_modules/.bin/remix-serve", entry), source, port)]


def _sveltekit(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command] | None:
    """SvelteKit: adapter-node builds a Node server into ``build/`` (``out``), started with
    ``node build`` on port 3000, HOST=0.0.0.0; adapter-static prerenders into ``build/``
    (``pages``), served by the static server (a SPA when the config names a ``fallback``).
    None for another adapter (adapter-auto builds nothing outside its hosting platforms)."""
    from . import _read

    declared = {**_read.mapping(package, "dependencies"), **_read.mapping(package, "devDependencies")}
    name, text = _config_text(root, "svelte.config")
    if "@sveltejs/adapter-node" in declared:
        out = _option(text, "out") or "build"
        _server(found, (out, *SERVED), f"@sveltejs/adapter-node: the server it builds into {out}/ and the production "
                "dependencies", {"HOST": "0.0.0.0", "PORT": "3000"}, "adapter-node listens on HOST and PORT")
        return [_read.Command(("node", out), "package.json: @sveltejs/adapter-node", _read.Guess(3000, "adapter-node's default port"))]
    if "@sveltejs/adapter-static" in declared:
        out = _option(text, "pages") or "build"
        spa = _option(text, "fallback") is not None
        return _static(found, out, spa, f"@sveltejs/adapter-static: pages prerendered into {out}/"
                       + (f" ({name}: fallback, a single-page app)" if spa else ""))
    notes.append("SvelteKit without adapter-node or adapter-static (adapter-auto builds no server outside its hosting "
                 "platforms): install @sveltejs/adapter-node, set it in svelte.config.js and run init again")
    return None


def _astro(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command]:
    """Astro: with ``@astrojs/node`` (standalone mode) the server ``dist/server/entry.mjs``
    on the config's ``server.port`` (else 4321) with HOST=0.0.0.0 (it binds localhost
    otherwise); its middleware mode is the ``start`` script's server (``[]``, with a note);
    without the adapter static pages in ``outDir`` (``dist``)."""
    from . import _read

    declared = {**_read.mapping(package, "dependencies"), **_read.mapping(package, "devDependencies")}
    name, text = _config_text(root, "astro.config")
    out = _option(text, "outDir") or "dist"
    if "@astrojs/node" not in declared:
        return _static(found, out, False, f"astro without a server adapter: static pages built into {out}/")
    if _option(text, "mode") == "middleware":
        notes.append(f"{name}: @astrojs/node in middleware mode: the image runs your own server (scripts.start), "
                     "which must listen on 0.0.0.0")
        return []
    port = (_read.port_in(root, root / name) if name else None) or _read.Guess(4321, "Astro's default port")
    _server(found, (out, *SERVED), "@astrojs/node standalone: the server and client build and the production "
            "dependencies", {"HOST": "0.0.0.0", "PORT": str(port.value)}, "the standalone server listens on HOST "
            "(default localhost, unreachable from outside) and PORT (over the config's server.port)")
    return [_read.Command(("node", f"{out}/server/entry.mjs"), "package.json: @astrojs/node (standalone)", port)]


def _nestjs(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command]:
    """NestJS: ``nest build`` compiles into tsconfig's ``outDir`` (``dist``), started with
    ``node dist/main``; the port from ``app.listen(N)`` in src/main.ts, else Nest's 3000."""
    from . import _read

    options = _read.mapping(_read.json_object(root / "tsconfig.json") or {}, "compilerOptions")
    out = str(options.get("outDir", "dist")).strip("./") or "dist"
    _server(found, (out, *SERVED), f"@nestjs/core: nest build compiles into {out}/ (tsconfig.json outDir)")
    port = _read.port_in(root, root / "src" / "main.ts") or _read.Guess(3000, "NestJS's conventional port (app.listen(3000))")
    return [_read.Command(("node", f"{out}/main"), f"package.json: @nestjs/core (nest build, {out}/main.js)", port)]


def _create_react_app(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command]:
    """Create React App (react-scripts): a single-page app built into ``build/``."""
    return _static(found, "build", True, "react-scripts: a single-page app built into build/, deep links answered with index.html")


def _angular_build(root: Path) -> tuple[str, dict] | None:
    """(project name, its ``architect.build``) from angular.json: ``defaultProject``, else the
    first application; None without angular.json or an application."""
    from . import _read

    workspace = _read.json_object(root / "angular.json") or {}
    projects, default = _read.mapping(workspace, "projects"), workspace.get("defaultProject")
    apps = [n for n, p in projects.items() if isinstance(p, dict) and p.get("projectType", "application") == "application"]
    name = default if default in apps else (apps[0] if apps else None)
    return (name, _read.mapping(_read.mapping(projects[name], "architect"), "build")) if name else None


def _angular(root: Path, package: dict, found: Found, notes: list[str]) -> list[Command] | None:
    """Angular (@angular/core and angular.json): a single-page app built into the project's
    ``outputPath`` (default ``dist/<project>``), under ``browser/`` with the application
    builder (Angular 17 and newer); with ``@angular/ssr`` and the build's ``ssr`` option the
    server ``<outputPath>/server/server.mjs`` (port from the ssr entry, else 4000); None
    without angular.json."""
    from . import _read

    project = _angular_build(root)
    if project is None:
        return None
    name, build = project
    options = _read.mapping(build, "options")
    output = options.get("outputPath", f"dist/{name}")
    base = str(output.get("base", f"dist/{name}") if isinstance(output, dict) else output).strip("/").removeprefix("./")
    if "@angular/ssr" in _read.mapping(package, "dependencies") and options.get("ssr"):
        entry = _read.mapping(options, "ssr").get("entry", "server.ts")
        _server(found, (base, *SERVED), f"angular.json: projects.{name} ssr: the server and browser build in {base}/")
        port = _read.port_in(root, root / str(entry)) or _read.Guess(4000, "Angular SSR's default port (PORT)")
        return [_read.Command(("node", f"{base}/server/server.mjs"), f"angular.json: projects.{name} ssr", port)]
    if isinstance(output, dict):
        out = f"{base}/{output.get('browser', 'browser')}"
    else:
        out = base if str(build.get("builder", "")).endswith(":browser") else f"{base}/browser"
    return _static(found, out, True, f"angular.json: projects.{name} outputPath: a single-page app built into {out}/")


# Frameworks by the dependencies that name them, most specific first (Nuxt, Remix, SvelteKit
# and Astro build with Vite; NestJS with TypeScript).
FRAMEWORKS = (
    (("next",), _nextjs),
    (("nuxt",), _nuxt),
    (("@remix-run/serve", "@remix-run/dev"), _remix),
    (("@sveltejs/kit",), _sveltekit),
    (("astro",), _astro),
    (("@nestjs/core",), _nestjs),
    (("react-scripts",), _create_react_app),
    (("@angular/core",), _angular),
    (("vite",), _vite),
    (("typescript",), _typescript),
)


STATIC_PORT = 8080  # the static server's unprivileged port


RUNNERS = ("npm", "yarn", "pnpm", "bun")  # package managers whose run command starts a script through sh


def _source_of(root: Path, file: str, compiled: tuple[str, str] | None) -> Path:
    """The file whose code ``file`` is: itself, or for tsc's output (``dist/server.js``) the
    TypeScript it is compiled from (``src/server.ts``), which exists before the build."""
    out, source_dir = compiled or ("", "")
    if compiled and file.startswith(out + "/") and file.endswith(".js"):
        return root / source_dir / (file[len(out) + 1:-3] + ".ts")
    return root / file


# Development watchers a `start` script may run: the image runs node on the same file instead.
WATCHERS = ("nodemon", "node-dev")
# Frameworks' development servers, by program and subcommand ("" for none): never a production start.
DEV_SERVERS = {"vite": ("", "dev", "serve"), "next": ("dev",), "nuxt": ("dev",), "nuxi": ("dev",), "ng": ("serve",),
               "nx": ("serve",), "astro": ("dev",), "remix": ("dev",), "react-scripts": ("start",),
               "vue-cli-service": ("serve",), "webpack": ("serve",), "webpack-dev-server": ("",),
               "nest": ("start",)}  # nest start compiles with the CLI, a devDependency, then runs dist/main


def _dev_server(words: list[str]) -> str | None:
    """The development server ``words`` start (``vite``, ``next dev``, ``ng serve``, ``nx serve app``), or None."""
    subcommand = next((w for w in words[1:] if not w.startswith("-")), "")
    if subcommand in DEV_SERVERS.get(words[0], ()):
        return " ".join(words[:2] if subcommand else words[:1])
    return None


def _start_script(root: Path, package: dict, notes: list[str], compiled: tuple[str, str] | None = None) -> list[Command]:
    """The program ``scripts.start`` runs, as a candidate; a note instead when it is shell syntax.

    ``npm run NAME`` (and yarn/pnpm/bun's) inside the script is followed to that script,
    so the candidate is always the program itself, never a package manager (R02, R11).
    """
    from . import _read

    scripts = _read.mapping(package, "scripts")
    start = scripts.get("start")
    if not isinstance(start, str) or not start.strip():
        return []
    source = f"package.json: scripts.start = {_read.one_line(start, 40)}"
    words, script = _resolve(scripts, start)
    if not words:
        notes.append(_shell_syntax_note(script))
        return []
    if _dev_server(words):
        notes.append(f"scripts.start runs `{_dev_server(words)}`, a development server (it rebuilds on change and "
                     "is not made for production): the image runs the production command instead")
        return []
    if words[0] in WATCHERS and any(not w.startswith("-") for w in words[1:]):
        notes.append(f"scripts.start runs {words[0]}, a development watcher that restarts on file changes; "
                     "the image runs node directly (a container restarts through its engine)")
        words = ["node", *words[1:]]
    if words[0] == "node":
        file = next((w for w in words[1:] if not w.startswith("-")), None)
        port = _read.port_in(root, _source_of(root, file, compiled)) if file else None
        return [_read.Command(tuple(words), source, port)]
    development = _read.mapping(package, "devDependencies")
    if words[0] in development and words[0] not in _read.mapping(package, "dependencies"):
        notes.append(f"the start command runs {words[0]}, a devDependency: the production image installs without "
                     f"devDependencies, so move {words[0]} to dependencies (or start with node)")
    return [_read.Command((f"/app/node_modules/.bin/{words[0]}", *words[1:]), source)]


def _resolve(scripts: dict, script: str, depth: int = 0) -> tuple[list[str] | None, str]:
    """(the argv ``script`` runs, following ``npm run X``/``npm start``, or None for shell syntax; the last script read)."""
    import shlex

    if any(c in script for c in ";&|<>`$=()") or depth > 5:
        return None, script
    try:
        words = shlex.split(script)
    except ValueError:
        return None, script
    if len(words) >= 2 and words[0] in RUNNERS:
        name = words[2] if words[1] == "run" and len(words) == 3 else words[1] if len(words) == 2 else None
        target = scripts.get(name) if name else None
        if isinstance(target, str) and target.strip():
            return _resolve(scripts, target, depth + 1)
        return None, script
    return words, script


def _shell_syntax_note(script: str) -> str:
    """What to write instead of a start script dockgen cannot run without npm and sh."""
    import re

    program = re.search(r"\bnode\s+((?:[\w./-]+/)?[\w.-]+\.[cm]?js)\b", script)
    example = f"entrypoint: [node], cmd: [{program.group(1)}]" if program else "entrypoint: [node], cmd: [server.js]"
    return (f"package.json: scripts.start `{script}` is shell syntax; dockgen does not start it with npm "
            "(tini -> npm -> sh -> node: SIGTERM never reaches the app): write the program it runs, "
            f"e.g. {example}, and any VAR=value it sets under env")
