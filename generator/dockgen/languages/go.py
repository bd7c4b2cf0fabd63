"""Go: a golang builder compiles a static binary; the final image holds only that binary.

Builder ``golang:<version>`` (or ``-alpine``); final ``scratch`` by default, Alpine for the
alpine variant, or the spec's ``base`` (R05). Module downloads and the build cache live in
BuildKit cache mounts (R04); ``CGO_ENABLED=0`` makes the binary static. Go modules stay
in this module until the build-step issue moves them to :mod:`dockgen.packagers`.

A spec ``build`` runs before dockgen's ``go build .`` (``go generate``), or, when one of its
lines writes the binary to :data:`OUT` (``-o /out/app``), replaces it (issue 11): the
project's own compile, e.g. a main package under ``cmd/`` or ``CGO_ENABLED=1`` for a module
that calls C (then the final image needs libc: ``base: debian:12-slim``).

Detection (``dockgen init``) reads ``go.mod`` (``module``, the ``go`` line), go.sum and the
``*.go`` files for ``package main``: the module root's, else one ``cmd/<name>/`` package,
chosen in the order :data:`MAIN_ORDER` states (the build line's comment and a note name
it and the others found, so the user knows which line to edit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..images import ALPINE
from .base import Toolchain, binary_path, manifests_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

VERSIONS = ("1.25", "1.24")
DEFAULT_VERSION = "1.24"
DEFAULT_MANIFESTS = ("go.mod", "go.sum")
SCAFFOLD = "go"
NEW_PORT = 8080
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("go.mod", 4), ("*.go", 1))
TIE_BREAK = 0
COMPILED = True
BINARY = True
RESOURCES = {"limits": {"memory": "128Mi", "cpu": "500m"}, "requests": {"memory": "64Mi", "cpu": "100m"}, "pids": 128}
# Health routes init looks for (``_read.health_route``): net/http's ``HandleFunc("/healthz"``
# (with Go 1.22's ``"GET /healthz"``), gin's ``r.GET("/health"``, echo's, chi's, fiber's.
HEALTH_ROUTES = (
    ((".go",), r"\b(?:HandleFunc|Handle|GET|HEAD|Any|Get|Head)\(\s*\"(?:(?:GET|HEAD)\s+)?(?P<path>/[^\"]*)\""),
)

SOURCE = "/src"
OUT = "/out/app"  # where the build writes the binary
GIN_PORT = 8080
LIBC_BASE = "debian:12-slim"  # the final image of a cgo binary (init's guess)
CERTS = "/etc/ssl/certs/ca-certificates.crt"
# Which cmd/<name>/ main package init builds when there are several, first rule first: named
# like the module (go.mod's last path element), one of these names (in this order), one whose
# code listens on a port (a server, not a one-off tool), else the first by name.
MAIN_NAMES = ("server", "api", "web", "app")
MAIN_ORDER = ("named like the module", "named " + "/".join(MAIN_NAMES), "listens on a port", "first by name")
CGO = "0"  # static binaries: no C toolchain of the target platform is needed
# Issue 14: Go cross-compiles from the build platform, told the target by GOOS/GOARCH.
CROSS_ENV = (("GOOS", "TARGETOS"), ("GOARCH", "TARGETARCH"))


def toolchain(spec: Spec) -> Toolchain:
    """Go's toolchain for ``spec`` (see module docstring)."""
    suffix = "-alpine" if spec.variant == "alpine" else ""
    final = spec.base or (ALPINE if spec.variant == "alpine" else "scratch")
    manifests = manifests_for(spec, DEFAULT_MANIFESTS)
    install = [("go", "mod", "download")] if "go.mod" in manifests else []
    install += [("go", "install", package) for package in spec.packages]
    binary = binary_path(spec)
    artifacts = [(OUT, binary), (CERTS, CERTS)]
    if spec.packages:
        artifacts.append(("/go/bin/", "/usr/local/bin/"))
    return Toolchain(
        final_image=final,
        builder_image=f"golang:{spec.version}{suffix}",
        manifests=manifests,
        install=tuple(install),
        caches=("/go/pkg/mod", "/root/.cache/go-build"),
        builder_env=(("CGO_ENABLED", CGO),),
        build=() if _compiles(spec) else (("go", "build", "-trimpath", "-ldflags=-s -w", "-o", OUT, "."),),
        artifacts=tuple(artifacts),
        entrypoint=(binary,),
        ignore=("bin/", "*.test", "*.out", "coverage.txt"),
        builder_workdir=SOURCE,
        unpinned=tuple(p for p in spec.packages if "@" not in p),
        cross_env=cross_env(spec),
    )


def cross_env(spec: Spec) -> tuple[tuple[str, str], ...]:
    """Issue 14: Go cross-compiles unless cgo is on (the spec's build sets CGO_ENABLED=1: a
    C compiler of the target platform would be needed) or ``packages`` are ``go install``ed:
    a cross-compiled ``go install`` writes to ``/go/bin/<os>_<arch>/`` instead of
    ``/go/bin/``, so those builds run per platform."""
    cgo = any("CGO_ENABLED=1" in line for line in spec.build)
    return CROSS_ENV if CGO == "0" and not cgo and not spec.packages else ()


def _compiles(spec: Spec) -> bool:
    """One of the spec's build lines writes the binary (``-o /out/app``): it is the compile."""
    import re

    return any(re.search(rf"(?:^|\s)-o[= ]\s*{OUT}(?:\s|$)", line) for line in spec.build)


def healthcheck(port: int, path: str, base: str | None) -> None:
    """None: the final image is the binary alone (scratch), with no program to run a check;
    a check needs a flag of the binary itself (e.g. ``-healthcheck``)."""
    return None


def _gomod_version(gomod: str, directive: str):
    """The version of go.mod's ``toolchain go1.22.3`` (the toolchain the module asks for)
    or ``go 1.22`` (the oldest it builds with) line, as a Guess; None without it."""
    import re

    from . import _read

    match = re.search(rf"^{directive}\s*(\d+\.\d+(?:\.\d+)?)", gomod, re.M)
    if not match:
        return None
    return _read.Guess(_read.short(match.group(1), 2), f"go.mod: {match.group(0).strip()}")


def detect(root: Path, notes: list[str]) -> Found:
    """What a Go project's files say (see module docstring and the contract in base.py)."""
    import re

    from . import _read

    found = _read.Found()
    gomod = _read.read(root / "go.mod") or ""
    module = re.search(r"^module\s+(\S+)", gomod, re.M)
    if module:
        found.name = _read.Guess(module.group(1).rstrip("/").split("/")[-1], "go.mod: module")
    found.version = _read.first(_read.tool_versions(root, ("golang", "go")), _gomod_version(gomod, "toolchain go"),
                                _read.dockerfile_from(root, ("golang",)), _gomod_version(gomod, "go "))
    found.dependencies = _read.Guess(_read.existing(root, DEFAULT_MANIFESTS), "found next to the spec")
    module_name = found.name.value if found.name else None
    found.candidates, package, why = _main_package(root, module_name, notes)
    if found.candidates and found.candidates[0].port is None and "github.com/gin-gonic/gin" in gomod:
        first = found.candidates[0]  # gin's Run() without an address listens on :8080 (or $PORT)
        found.candidates[0] = _read.Command(first.argv, first.source, _read.Guess(GIN_PORT, "gin's default port (Run() listens on :8080)"))
    cgo = next((p for p in _read.sources(root, ".go") if re.search(r'^import\s+"C"', _read.read(p) or "", re.M)), None)
    if package != "." or cgo:
        how = "CGO_ENABLED=1 " if cgo else ""
        said = [f"{_read.rel(root, cgo)}: import \"C\" (cgo)"] if cgo else []
        said += [f"the main package is {package}{why}"] if package != "." else []
        found.build = _read.Guess((f"{how}go build -trimpath -ldflags='-s -w' -o {OUT} {package}",), "; ".join(said))
    if cgo:  # the binary links against libc: a Debian slim base has it, scratch does not
        found.base = _read.Guess(LIBC_BASE, f"{_read.rel(root, cgo)}: cgo links the binary against libc")
    elif package == "." and not found.candidates:
        notes.append("no package main at the module root or under cmd/: dockgen builds the module root (`go build .`)")
    return found


def _main_package(root: Path, module: str | None, notes: list[str]):
    """([the start candidate], the package to build, why that one): the module root's
    ``package main``, else one of the ``cmd/<name>/`` packages that hold one (the usual
    layout of a module with several), picked by :data:`MAIN_ORDER`. With more than one,
    ``why`` (`` (named like the module; also found: ./cmd/migrate)``) says which rule
    chose it and the others, and a note says which line to edit to build another."""
    from . import _read

    mains = {d: files for d in [root, *sorted(p for p in root.glob("cmd/*") if p.is_dir())] if (files := _mains(d))}
    if not mains:
        return [], ".", ""
    ports = {d: next((g for g in (_read.port_in(root, p) for p in files) if g), None) for d, files in mains.items()}
    chosen, rule = (root, "the module root") if root in mains else _pick(mains, ports, module)
    package = "." if chosen == root else "./" + _read.rel(root, chosen)
    others = ["./" + _read.rel(root, d) for d in mains if d != chosen]
    why = ""
    if others:
        why = f" ({rule}; also found: {', '.join(others)}: to build one, name it here instead)"
        edit = ("add `build: [\"go build -trimpath -ldflags='-s -w' -o /out/app ./cmd/<name>\"]`" if package == "."
                else f"change {package} at the end of the `build` line")
        notes.append(f"several main packages ({', '.join([package, *others])}): dockgen builds {package} ({rule}); "
                     f"to build another, {edit}")
    # the binary goes to /usr/local/bin/<name> and is the entrypoint: no start command needed
    source = f"{_read.rel(root, mains[chosen][0])}: package main (built with `go build {package}`)"
    return [_read.Command((), source, ports[chosen])], package, why


def _mains(directory: Path) -> list[Path]:
    """The ``*.go`` files of ``directory`` that say ``package main``, sorted."""
    import re

    from . import _read

    return [p for p in sorted(directory.glob("*.go")) if re.search(r"^package\s+main\b", _read.read(p) or "", re.M)]


def _pick(mains: dict, ports: dict, module: str | None) -> tuple[Path, str]:
    """The ``cmd/<name>/`` package to build and the rule of :data:`MAIN_ORDER` that chose it."""
    names = {d.name: d for d in mains}  # sorted by name already
    if module in names:
        return names[module], MAIN_ORDER[0]
    preferred = next((n for n in MAIN_NAMES if n in names), None)
    if preferred:
        return names[preferred], f"named {preferred}"
    server = next((d for d in mains if ports[d] is not None), None)
    if server is not None:
        return server, f"{MAIN_ORDER[2]} ({ports[server].source.split(': ', 1)[0]})"
    return next(iter(mains)), MAIN_ORDER[3]
