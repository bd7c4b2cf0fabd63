"""Render-time warnings about how the container runs (issue 10, items 5 and 6).

- :func:`runner_warnings`: an entrypoint (or a process) that starts the app through a
  package manager's run command (``npm start``, ``yarn run x``, ``npx x``): tini -> npm ->
  ``sh -c`` -> node, and SIGTERM never reaches the app (R02, R11; paketo-buildpacks/nodejs#37).
  ``bundle exec`` execs the program and is fine.
- :func:`healthcheck_warnings`: a HEALTHCHECK whose program the final image does not have
  (``curl`` on slim, alpine or scratch): the container stays unhealthy for ever. The
  suggestion is the language module's own ``healthcheck(port, path, base)``.
"""

from __future__ import annotations

import json
import posixpath
import re
from urllib.parse import urlsplit

from .. import languages
from ..images import Family
from ..languages import Toolchain
from ..spec import Spec, below

# Package managers whose run commands start a script through `sh -c` in a child process.
RUNNERS = {"npm", "yarn", "pnpm"}
# ...and the ones that fetch/run a package binary the same way.
EXECUTORS = {"npx", "pnpx", "bunx"}
# HTTP/TCP clients a check commonly calls that no official slim or alpine image carries
# (BusyBox has its own wget and nc, see BUSYBOX_APPLETS).
CLIENTS = {"curl", "wget", "nc", "netcat", "ncat", "http", "httpie"}
# BusyBox applets on alpine and busybox images that a health check may call.
BUSYBOX_APPLETS = {"wget", "nc", "sh", "test", "cat", "grep", "pgrep", "pidof", "ps", "ls", "stat", "true", "false"}


# hadolint's DL3064 takes an ENV name that holds one of these words for a secret (a name
# heuristic, hadolint 2.15). The spec model's R18 check has refused every name that names a
# secret value, so a name DL3064 still flags is not one (TOKENIZERS_PARALLELISM, MAX_TOKENS):
# its ENV silences DL3064 and render says why.
DL3064_WORDS = ("api_key", "client_key", "password", "private", "secret", "token", "username")


def linter_secret_names(env: dict[str, str]) -> tuple[str, ...]:
    """The names of ``env`` that hadolint's DL3064 takes for secrets (:data:`DL3064_WORDS`),
    in order; the spec model has already refused real secret names (R18)."""
    return tuple(name for name in env if any(word in name.lower() for word in DL3064_WORDS))


def linter_warnings(spec: Spec) -> list[str]:
    """One warning when the ENV silences hadolint's DL3064 (:func:`linter_secret_names`)."""
    names = linter_secret_names(spec.env)
    if not names:
        return []
    return [f"env: hadolint (DL3064) takes {', '.join(names)} for secrets by name; dockgen's own check found no secret "
            "name (R18), so the ENV silences DL3064: if one of them does hold a secret, list it under `secrets` and "
            "deliver it at run time via NAME_FILE"]


def runner_warnings(spec: Spec) -> list[str]:
    """One warning per command (``entrypoint``/``cmd``, each of ``processes``) that starts the
    app through a package manager, saying what to write instead."""
    commands = [(f"processes.{name}.command", list(p.command)) for name, p in spec.processes.items()]
    if spec.entrypoint or spec.cmd:
        commands.insert(0, ("entrypoint" if spec.entrypoint else "cmd", [*(spec.entrypoint or ()), *(spec.cmd or ())]))
    warnings = []
    for field, argv in commands:
        program = posixpath.basename(argv[0])
        rest = argv[1:]
        if program in EXECUTORS and rest:
            bin_path = f"{spec.workdir.rstrip('/')}/node_modules/.bin/{rest[0]}"
            instead = f"start the binary itself: [{bin_path}{''.join(', ' + a for a in rest[1:])}]"
        elif program in RUNNERS or (program == "bun" and rest[:1] in (["run"], ["start"])
                                    and not (len(rest) > 1 and "." in rest[1])):
            instead = ("write the program the package.json script runs, e.g. entrypoint: [node, server.js] "
                       "(`dockgen init` resolves it)")
        else:
            continue
        warnings.append(f"{field}: `{' '.join(argv[:3])}` starts the app through {program} and `sh -c`, which do "
                        f"not pass SIGTERM on: docker stop then waits for SIGKILL (R02, R11); {instead}")
    return warnings


def healthcheck_warnings(spec: Spec, tool: Toolchain, family: Family) -> list[str]:
    """A warning when the health check's program is not something the final image has (the
    runtime, a listed system package, the app's own files, BusyBox applets on busybox and
    alpine); dockgen stays silent about programs of a custom Debian base it cannot know."""
    if not spec.healthcheck:
        return []
    argv = spec.healthcheck.command
    if _image_has(argv[0], spec, tool, family):
        return []
    url = next((urlsplit(w) for w in argv if re.match(r"https?://", w)), None)
    port = (url.port if url and url.port else None) or (spec.ports[0] if spec.ports else 8080)
    path = (url.path or "/") if url else "/"
    suggestion = languages.module(spec.language).healthcheck(port, path, spec.base)
    own = f"give the app a check of its own (e.g. [{_binary(spec, tool)}, -healthcheck])"
    instead = (f"use the runtime's own client, e.g. command: {json.dumps(list(suggestion))}" if suggestion else
               f"add {argv[0]} to system_packages, or {own}" if family.manager else own)
    return [f"healthcheck.command: {argv[0]} is not in the final image {tool.final_image}, so the container would "
            f"stay unhealthy ({argv[0]}: not found); {instead}"]


def _image_has(program: str, spec: Spec, tool: Toolchain, family: Family) -> bool:
    name = posixpath.basename(program)
    own = [spec.workdir, *(dest for _, dest in tool.artifacts), *(tool.entrypoint[:1]), *(spec.entrypoint or ())[:1]]
    if program.startswith("/") and any(program == p or below(program, p) for p in own):
        return True  # the app's own files (its workdir, the builder's artifacts, its binary)
    if not family.shell:
        return False  # scratch, distroless: nothing but what was copied in
    runtime = languages.module(spec.language).healthcheck(8080, "/", spec.base)
    if runtime and re.fullmatch(re.escape(runtime[0]) + r"[0-9.]*", name):
        return True  # the runtime itself (python, python3, node, ruby, php)
    packages = {re.split(r"[=~<>]", p, maxsplit=1)[0] for p in spec.system_packages}
    if name in packages or (name in ("nc", "netcat") and any(p.startswith("netcat") for p in packages)):
        return True
    if family.name in ("busybox", "alpine") and name in BUSYBOX_APPLETS:
        return True
    if family.name == "debian" and spec.base:
        return True  # a custom Debian-like base: dockgen cannot know what it carries
    return name not in CLIENTS


def _binary(spec: Spec, tool: Toolchain) -> str:
    return (spec.entrypoint or tool.entrypoint or ("/app/server",))[0]
