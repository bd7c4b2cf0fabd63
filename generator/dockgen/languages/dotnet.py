""".NET (C#, F#, VB): the SDK image restores and publishes; the final image holds the published app.

Builder ``mcr.microsoft.com/dotnet/sdk:<version>`` (``-alpine`` with the alpine variant or an
Alpine ``base``). The project files alone (the spec's ``dependencies``: the ``.csproj`` and
``packages.lock.json``, ``Directory.*.props``, ``global.json``, ``nuget.config`` when the
project has them) are copied first and ``dotnet restore`` runs on them (``--locked-mode``
with a lock file), so a code change keeps the restore cached (R07); NuGet's package folder
``/root/.nuget/packages`` is a BuildKit cache mount, never a layer (R04). ``dotnet publish
-c Release -o /app`` runs after the code is copied. It restores again instead of taking
``--no-restore``: that second restore is a no-op while the packages are in the cache mount,
and fetches them again when the mount was emptied while the restore layer stayed cached
(``docker builder prune``, or CI importing layers with ``--cache-from``), where
``--no-restore`` fails with NETSDK1064. The lock is enforced there too
(``-p:RestoreLockedMode=true``).

The final image (R05) follows from the image the spec names: without ``base``,
``mcr.microsoft.com/dotnet/aspnet:<version>`` (ASP.NET Core; it carries the plain runtime
too, so a console app runs on it); ``base: mcr.microsoft.com/dotnet/runtime:<version>`` for a
console or worker app (``init`` writes it for a project without ``Sdk.Web``); any other base
(``runtime-deps``, chiseled, Debian) gets a self-contained publish for the builder's
platform (``--self-contained --use-current-runtime``; the project's ``PublishAot`` then
compiles it natively, with ``build_packages: [clang, zlib1g-dev]``, which ``init`` writes).
The app is ``dotnet <Assembly>.dll`` (framework-dependent) or ``<workdir>/<Assembly>``
(self-contained); without ``entrypoint`` the assembly is the spec's ``name`` and the project
``<name>.csproj``. ``init`` writes both from the project file, so a spec names them once.

Not BINARY: the whole publish directory is copied, so no COPY line writes the entrypoint.

The final environment: ``ASPNETCORE_HTTP_PORTS`` from ``ports`` (Kestrel listens there; .NET
8+ images default to 8080), and ``DOTNET_EnableDiagnostics=0``: the runtime's diagnostic
port is a socket in ``/tmp``, which the read-only root has not (R13), and it lets any process
of the app's user dump the app's memory (secrets included, R18) or attach a profiler; a spec
that wants dotnet-dump or dotnet-counters sets ``env: {DOTNET_EnableDiagnostics: "1"}`` and a
writable ``/tmp``. Microsoft's images bring the account ``app`` (uid and gid 1654,
``APP_UID``); ``user: {name: app, uid: 1654, gid: 1654}`` runs as it (see
:data:`dockgen.images.IMAGE_USERS`).

Detection (``dockgen init``) reads the root's project file (``Sdk``, ``TargetFramework``,
``AssemblyName``, ``PublishAot``, ``SelfContained``), ``global.json`` (``sdk.version``),
``Properties/launchSettings.json`` (``applicationUrl``) and ``Program.cs`` (``app.Run(url)``,
``UseUrls``, ``ListenAnyIP``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..images import family_of, parse_reference
from .base import Toolchain

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

VERSIONS = ("10.0", "9.0", "8.0")
DEFAULT_VERSION = "10.0"
DEFAULT_MANIFESTS = ()  # no fixed name: the project file is the spec's `dependencies`, or <name>.csproj
SCAFFOLD = "dotnet"
NEW_PORT = 8080
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("*.csproj", 4), ("*.fsproj", 4), ("*.vbproj", 4), ("*.sln", 3), ("global.json", 2), ("*.cs", 1))
TIE_BREAK = 5
COMPILED = True
BINARY = False
RESOURCES = {"limits": {"memory": "512Mi", "cpu": "1"}, "requests": {"memory": "256Mi", "cpu": "250m"}, "pids": 256}
# Health routes init looks for (``_read.health_route``): ASP.NET Core's
# ``MapHealthChecks("/health")``, a minimal API's ``MapGet("/health"``, ``[HttpGet("health")]``.
HEALTH_ROUTES = (
    ((".cs",), r"\b(?:MapHealthChecks|MapGet)\(\s*\"(?P<path>[^\"]+)\""),
    ((".cs",), r"\[(?:HttpGet|Route)\(\s*\"(?P<path>[^\"]+)\""),
)

REGISTRY = "mcr.microsoft.com/dotnet"  # Microsoft's .NET images (R05, R06: pinned to <version>)
PROJECTS = (".csproj", ".fsproj", ".vbproj")
# The files beside the project that restore reads (each copied with it when present, R07).
PROJECT_FILES = ("global.json", "nuget.config", "NuGet.config", "NuGet.Config", "Directory.Build.props",
                 "Directory.Build.targets", "Directory.Packages.props", "packages.lock.json")
LOCK = "packages.lock.json"
SOURCE = "/src"
OUT = "/app"
NUGET = "/root/.nuget/packages"
RUNTIMES = ("aspnet", "runtime")  # Microsoft's images with the shared framework: framework-dependent apps
AOT_PACKAGES = {"debian": ("clang", "zlib1g-dev"), "alpine": ("build-base", "clang", "zlib-dev")}


def _framework_dependent(image: str) -> bool:
    """True when ``image`` is Microsoft's aspnet or runtime image (it has the shared framework)."""
    ref = parse_reference(image)
    return any(f"{ref.registry}/{ref.repository}" == f"{REGISTRY}/{name}" for name in RUNTIMES)


def toolchain(spec: Spec) -> Toolchain:
    """.NET's toolchain for ``spec`` (see the module docstring)."""
    alpine = spec.variant == "alpine" or (spec.base is not None and family_of(spec.base).name == "alpine")
    suffix = "-alpine" if alpine else ""
    final = spec.base or f"{REGISTRY}/aspnet:{spec.version}{suffix}"
    manifests = tuple(spec.dependencies) if spec.dependencies is not None else (f"{spec.name}.csproj",)
    project = tuple(m for m in manifests if m.endswith(PROJECTS))[:1]
    shared = _framework_dependent(final)
    platform = () if shared else ("--use-current-runtime",)
    locked = LOCK in [m.rsplit("/", 1)[-1] for m in manifests]
    restore = ("dotnet", "restore", *project, *platform, *(("--locked-mode",) if locked else ()))
    publish = ("dotnet", "publish", *project, "-c", "Release", "-o", OUT, *platform,
               *(() if shared else ("--self-contained",)), *(("-p:RestoreLockedMode=true",) if locked else ()))
    env = [("DOTNET_EnableDiagnostics", "0")]
    if spec.ports:
        env.insert(0, ("ASPNETCORE_HTTP_PORTS", ";".join(str(p) for p in spec.ports)))
    entrypoint = ("dotnet", f"{spec.name}.dll") if shared else (f"{spec.workdir.rstrip('/')}/{spec.name}",)
    warnings = ()
    if spec.packages:
        warnings = ("packages: a .NET app's packages are the PackageReferences of its project file, which dotnet "
                    "restore installs; the packages listed here are not installed",)
    return Toolchain(
        final_image=final,
        builder_image=f"{REGISTRY}/sdk:{spec.version}{suffix}",
        manifests=manifests,
        install=(restore,),
        caches=(NUGET,),
        builder_env=(("DOTNET_CLI_TELEMETRY_OPTOUT", "1"),),
        build=(publish,),
        artifacts=((OUT, spec.workdir),),
        final_env=tuple(env),
        entrypoint=entrypoint,
        ignore=("bin/", "obj/", ".vs/", "*.user", "TestResults/"),
        builder_workdir=SOURCE,
        warnings=warnings,
    )


def healthcheck(port: int, path: str, base: str | None) -> None:
    """None: Microsoft's images have no HTTP client (no curl, no wget), and a second .NET
    process per check would cost the app's memory again; a check needs the app's own flag."""
    return None


def _project(root: Path, notes: list[str]) -> Path | None:
    """The project file at the root (the first by name), noting others and nested ones."""
    found = sorted(p for suffix in PROJECTS for p in root.glob(f"*{suffix}"))
    if len(found) > 1:
        notes.append(f"several project files at the root ({', '.join(p.name for p in found)}); dockgen publishes "
                     f"{found[0].name}: to publish another, name it first in `dependencies`")
    if not found:
        from . import _read

        nested = sorted(p for suffix in PROJECTS for p in _read.sources(root, suffix))
        if nested:
            notes.append(f"the project is {nested[0].relative_to(root).as_posix()}, but dockgen restores and publishes "
                         "a project at the build context's root: move it there, or render from its directory")
    return found[0] if found else None


def _properties(text: str) -> dict[str, tuple[str, str]]:
    """The project file's ``Sdk`` attribute and the MSBuild properties init reads, {name: (value, as written)}."""
    import re

    found = {}
    sdk = re.search(r"<Project\b[^>]*\bSdk\s*=\s*\"([^\"]+)\"", text)
    if sdk:
        found["Sdk"] = (sdk.group(1), sdk.group(0).split(None, 1)[1])
    for name in ("TargetFramework", "TargetFrameworks", "AssemblyName", "PublishAot", "SelfContained"):
        match = re.search(rf"<{name}>\s*([^<]*?)\s*</{name}>", text)
        if match:
            found[name] = (match.group(1), match.group(0))
    return found


def _version(root: Path, project: str, props: dict[str, tuple[str, str]], notes: list[str]):
    """The version: the TargetFramework's (the runtime the app needs), else global.json's SDK."""
    import re

    from . import _read

    framework = props.get("TargetFramework") or props.get("TargetFrameworks")
    target = None
    if framework:
        match = re.match(r"net(\d+\.\d+)", framework[0].split(";")[0].strip())
        if match:
            target = _read.Guess(match.group(1), f"{project}: {framework[1]}")
        if ";" in framework[0]:
            notes.append(f"{project} targets several frameworks ({framework[0]}); the image runs the first")
    sdk = _read.mapping(_read.json_object(root / "global.json") or {}, "sdk").get("version")
    pinned = _read.Guess(_read.short(sdk, 2), f"global.json: sdk.version {sdk}") if isinstance(sdk, str) else None
    if target and pinned and target.value != pinned.value:
        notes.append(f"global.json pins the SDK {sdk}, but the image's SDK is .NET {target.value} (the app's "
                     "TargetFramework): the build fails unless global.json lets it roll forward or the versions agree")
    return _read.first(target, pinned)


def _port(root: Path, web: bool):
    """The port: the code's own URL, then launchSettings.json's http applicationUrl, then ASP.NET's 8080."""
    import re

    from . import _read

    pattern = re.compile(r"(?:\.Run|UseUrls)\(\s*\"https?://[^\":]*:(\d{2,5})|ListenAnyIP\(\s*(\d{2,5})")
    for path in _read.sources(root, ".cs")[:50]:
        text = _read.read(path) or ""
        match = pattern.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            code = _read.one_line(text.splitlines()[line - 1].strip(), 60)
            return _read.Guess(int(match.group(1) or match.group(2)), f"{_read.rel(root, path)}:{line}: {code}")
    settings = _read.json_object(root / "Properties" / "launchSettings.json") or {}
    for name, profile in sorted(_read.mapping(settings, "profiles").items()):
        url = profile.get("applicationUrl") if isinstance(profile, dict) else None
        match = re.search(r"http://[^;:]*:(\d{2,5})", url) if isinstance(url, str) else None
        if match:
            return _read.Guess(int(match.group(1)), f"Properties/launchSettings.json: {name}: {match.group(0)}")
    if web:
        return _read.Guess(8080, "ASP.NET Core 8+ in a container listens on 8080 (ASPNETCORE_HTTP_PORTS)")
    return None


def detect(root: Path, notes: list[str]) -> Found:
    """What a .NET project's files say (see the module docstring and the contract in base.py)."""
    from . import _read

    found = _read.Found()
    found.user = _read.Guess({"name": "app", "uid": 1654, "gid": 1654}, "the account Microsoft's .NET images bring (APP_UID)")
    path = _project(root, notes)
    if path is None:
        found.version = _version(root, "", {}, notes)
        return found
    props = _properties(_read.read(path) or "")
    assembly = props["AssemblyName"][0] if "AssemblyName" in props else path.stem
    where = props["AssemblyName"][1] if "AssemblyName" in props else "the file name"
    found.name = _read.Guess(assembly, f"{path.name}: {where}")
    found.version = _version(root, path.name, props, notes)
    found.dependencies = _read.Guess((path.name, *_read.existing(root, PROJECT_FILES)), "found next to the spec")
    sdk = props.get("Sdk", ("Microsoft.NET.Sdk", "no Sdk attribute"))
    native = [props[k][1] for k in ("PublishAot", "SelfContained") if props.get(k, ("",))[0].lower() == "true"]
    version = found.version.value if found.version else DEFAULT_VERSION
    if native:
        found.base = _read.Guess(f"{REGISTRY}/runtime-deps:{version}", f"{path.name}: {native[0]} (self-contained: "
                                 "no shared framework in the image)")
        if "PublishAot" in native[0]:
            found.build_packages = _read.Guess(list(AOT_PACKAGES["debian"]), f"{path.name}: {native[0]} (native AOT "
                                               "compiles with clang)")
        argv = (f"/app/{assembly}",)
    elif sdk[0] != "Microsoft.NET.Sdk.Web":
        found.base = _read.Guess(f"{REGISTRY}/runtime:{version}", f"{path.name}: {sdk[1]} (not Sdk.Web: the runtime "
                                 "without ASP.NET Core)")
        argv = ("dotnet", f"{assembly}.dll")
    else:
        argv = ("dotnet", f"{assembly}.dll")
    found.candidates.append(_read.Command(argv, f"{path.name}: the assembly {assembly} ({where})",
                                          _port(root, sdk[0] == "Microsoft.NET.Sdk.Web")))
    return found
