"""Rust: ``cargo build --release --locked`` in a rust builder; the final image holds only the binary.

By default the binary is static (musl, the native target of the ``rust:<version>-alpine``
builder, with Alpine's ``musl-dev`` for the linker) and the final image is ``scratch``;
``variant: alpine`` puts it on Alpine. When the final image has a C library of glibc's
family (``base: debian:12-slim``, a distroless ``cc`` image), the builder is the Debian
``rust:<version>-slim-<codename>`` of the same release, so the binary links the glibc
(and, say, the OpenSSL) that the final image has (R05).

Dependencies are compiled in their own step before the code is copied (R07): the
manifests (``Cargo.toml``, ``Cargo.lock``) and an empty ``src/lib.rs`` make a crate that
``cargo build`` compiles with every dependency, then the stand-in is removed. After the
code is copied, its files are touched (COPY keeps the build context's times, which may
be older than the stand-in's build) and the real build compiles only the app's own
crate. The registry, git checkouts and ``target/`` are BuildKit cache mounts (R04), so
nothing of cargo reaches a layer. Limits of the stand-in crate: a workspace, a
``[[bin]]`` or ``build`` whose file is not yet copied, fail the dependency step; list
``dependencies`` (and ``copy``) accordingly, or use cargo-chef in your own ``build``.

Cross-compiling (issue 14): the static (musl) build runs on the build platform
(``FROM --platform=$BUILDPLATFORM``) and compiles for the target one: BuildKit's
``TARGETARCH`` (``amd64``, ``arm64``) names the triple (``x86_64``/``aarch64`` +
``-unknown-linux-musl``), which ``rustup target add`` installs before the dependency step,
``cargo build --target`` builds for, and whose ``target/<triple>/release/`` holds the
binary. ``rust-lld`` links it (``CARGO_TARGET_<TRIPLE>_LINKER``): the musl targets ship
self-contained crt objects and libc, so no C cross toolchain is needed; build scripts and
proc macros still link for the host with Alpine's ``musl-dev``. Builds that link C code of
the target (``build_packages``), ``cargo install`` of ``packages`` and every glibc build
(a Debian builder: it would need ``gcc-aarch64-linux-gnu`` and the target's libc and
libraries, e.g. OpenSSL, in the builder) run per platform, emulated when the target is not
the build machine's.

The binary's name is the basename of the entrypoint's first word, else the spec's
``name`` (``cargo build --bin NAME``); it goes to :func:`~.base.binary_path`. Detection
(``dockgen init``) reads Cargo.toml (package name, ``[[bin]]``, ``rust-version``),
rust-toolchain(.toml), Cargo.lock (``openssl-sys`` asks for a glibc base) and the
sources' ``bind`` calls (actix, axum, std) for the port.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from ..images import ALPINE, family_of
from ..ospkg import Glob
from .base import Toolchain, binary_path, manifests_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

VERSIONS = ("1.91", "1.90", "1.89", "1.88")
DEFAULT_VERSION = "1.91"
DEFAULT_MANIFESTS = ("Cargo.toml", "Cargo.lock")
SCAFFOLD = "rust"
NEW_PORT = 8080
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("Cargo.toml", 4), ("Cargo.lock", 2), ("rust-toolchain.toml", 2), ("src/main.rs", 1))
TIE_BREAK = 6
COMPILED = True
BINARY = True
RESOURCES = {"limits": {"memory": "128Mi", "cpu": "500m"}, "requests": {"memory": "64Mi", "cpu": "100m"}, "pids": 128}
# Health routes init looks for (``_read.health_route``): axum's ``.route("/health"``,
# actix-web's ``#[get("/health")]``.
HEALTH_ROUTES = (
    ((".rs",), r"(?:\.route\(|#\[(?:get|head)\()\s*\"(?P<path>/[^\"]*)\""),
)

SOURCE = "/src"
CARGO_HOME = "/usr/local/cargo"  # the official images' CARGO_HOME
CERTS = "/etc/ssl/certs/ca-certificates.crt"
OUT = "/out/app"
TOOLS = "/out/tools"
# Debian releases by version and codename: the glibc builder matches the final image's release.
CODENAMES = {"12": "bookworm", "bookworm": "bookworm", "13": "trixie", "trixie": "trixie"}
# Issue 14: the musl build cross-compiles, told the target by BuildKit's TARGETARCH.
CROSS_ENV = (("RUST_TARGETARCH", "TARGETARCH"),)
ARCHES = (("amd64", "x86_64"), ("arm64", "aarch64"))  # TARGETARCH -> the triple's first part
MUSL = "unknown-linux-musl"
# rust-lld links a musl target without a C cross toolchain (self-contained crt objects and libc)
LINKERS = tuple((f"CARGO_TARGET_{arch.upper()}_{MUSL.upper().replace('-', '_')}_LINKER", "rust-lld")
                for _, arch in ARCHES)
# one shell word that sets $triple from $RUST_TARGETARCH in a RUN that compiles; an arch
# without a triple here names itself in the one rustup or cargo then refuses
TRIPLE = Glob('triple="$(case $RUST_TARGETARCH in ' + " ".join(f"({t}) echo {a} ;;" for t, a in ARCHES)
              + f' (*) echo unsupported-TARGETARCH-$RUST_TARGETARCH ;; esac)-{MUSL}"')


def builder_image(spec: Spec, final: str) -> str:
    """The rust image that builds for ``final``: Alpine (musl, static) unless ``final`` has glibc."""
    family = family_of(final)
    glibc = family.name == "debian" or (family.name == "distroless" and "/static" not in final)
    if not glibc:
        return f"rust:{spec.version}-alpine"
    import re

    words = [w.removeprefix("debian") for w in re.split(r"[-:/@.]", final)]  # debian:12-slim, cc-debian12
    codename = next((CODENAMES[w] for w in words if w in CODENAMES), None)
    return f"rust:{spec.version}-slim-{codename}" if codename else f"rust:{spec.version}-slim"


def cross(spec: Spec, builder: str) -> bool:
    """Issue 14: the build cross-compiles: the musl builder (Alpine), nothing of the target's
    C code to link (no ``build_packages``), no ``cargo install`` of ``packages``."""
    return builder.endswith("-alpine") and not spec.build_packages and not spec.packages


def toolchain(spec: Spec) -> Toolchain:
    """Rust's toolchain for ``spec`` (see module docstring)."""
    final = spec.base or (ALPINE if spec.variant == "alpine" else "scratch")
    builder = builder_image(spec, final)
    crossing = cross(spec, builder)
    target = ("--target", Glob('"$triple"')) if crossing else ()
    manifests = manifests_for(spec, DEFAULT_MANIFESTS)
    locked = ("--locked",) if "Cargo.lock" in manifests else ()
    install: list[tuple[str, ...]] = [(TRIPLE,), ("rustup", "target", "add", Glob('"$triple"'))] if crossing else []
    if "Cargo.toml" in manifests:  # R07: the dependencies alone, compiled for a stand-in crate
        install += [("mkdir", "-p", "src"), ("touch", "src/lib.rs"), ("cargo", "build", "--release", *locked, *target),
                    ("rm", "-rf", "src")]
    install += [("cargo", "install", "--locked", "--root", TOOLS, package) for package in spec.packages]
    binary = binary_path(spec)
    name = binary.rsplit("/", 1)[-1]
    release = Glob('target/"$triple"/release/' + shlex.quote(name)) if crossing else f"target/release/{name}"
    build = (("find", ".", "-path", "./target", "-prune", "-o", "-type", "f", "-exec", "touch", "{}", "+"),
             *(((TRIPLE,),) if crossing else ()),
             ("cargo", "build", "--release", *locked, *target, "--bin", name),
             ("mkdir", "-p", OUT.rsplit("/", 1)[0]), ("cp", release, OUT))
    artifacts = [(OUT, binary), (CERTS, CERTS)]
    if spec.packages:
        artifacts.append((f"{TOOLS}/bin/", "/usr/local/bin/"))
    warnings = () if locked or "Cargo.toml" not in manifests else (
        "dependencies: no Cargo.lock, so the build is not --locked and may resolve other crate versions over time; "
        "commit Cargo.lock and list it",)
    return Toolchain(
        final_image=final,
        builder_image=builder,
        manifests=manifests,
        install=tuple(install),
        caches=(f"{CARGO_HOME}/registry", f"{CARGO_HOME}/git/db", f"{SOURCE}/target"),
        builder_env=LINKERS if crossing else (),
        build=build,
        artifacts=tuple(artifacts),
        entrypoint=(binary,),
        ignore=("target/", "**/*.rs.bk"),
        builder_workdir=SOURCE,
        builder_packages=("musl-dev",) if builder.endswith("-alpine") else (),
        unpinned=tuple(p for p in spec.packages if "@" not in p),
        warnings=warnings,
        cross_env=CROSS_ENV if crossing else (),
        cross_install=crossing,
    )


def healthcheck(port: int, path: str, base: str | None) -> None:
    """None: the final image is the binary alone (scratch), with no program to run a check."""
    return None


def _toolchain_version(root: Path):
    """The version rust-toolchain.toml's ``channel`` (or the legacy rust-toolchain file) pins, as a Guess."""
    import re

    from . import _read

    data = _read.toml(root / "rust-toolchain.toml") or {}
    channel = str(_read.mapping(data, "toolchain").get("channel", ""))
    where = "rust-toolchain.toml: channel"
    if not channel:
        channel, where = _read.first_line(root / "rust-toolchain") or "", "rust-toolchain"
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", channel.strip()):
        return _read.Guess(_read.short(channel, 2), f"{where} = {channel.strip()}")
    return None


_BIND = (r"\"PORT\"\)\s*\.unwrap_or(?:_else)?\((?:\|_\|\s*)?\"(\d{2,5})\"",  # env::var("PORT").unwrap_or("8080")
         r"\.bind\(\(\s*\"[^\"]*\"\s*,\s*(\d{2,5})\s*\)\)",  # actix: .bind(("0.0.0.0", 8080))
         r"bind\(\s*\"[^\"]*:(\d{2,5})\"", r"SocketAddr::from\(\(\s*\[[\d,\s]+\]\s*,\s*(\d{2,5})\s*\)\)")


def _port(root: Path):
    """The port the sources bind (actix ``.bind((host, N))``, axum/std ``bind("host:N")``), as a Guess."""
    import re

    from . import _read

    for path in _read.sources(root, ".rs"):
        text = _read.read(path) or ""
        for pattern in _BIND:
            match = re.search(pattern, text)
            if match and 0 < int(match.group(1)) < 65536:
                line = text.count("\n", 0, match.start()) + 1
                code = text.splitlines()[line - 1].strip()
                return _read.Guess(int(match.group(1)), f"{_read.rel(root, path)}:{line}: {_read.one_line(code, 60)}")
        guess = _read.port_in(root, path)
        if guess:
            return guess
    return None


def detect(root: Path, notes: list[str]) -> Found:
    """What a Rust project's files say (see module docstring and the contract in base.py)."""
    from . import _read

    found = _read.Found()
    cargo = _read.toml(root / "Cargo.toml") or {}
    package = _read.mapping(cargo, "package")
    if isinstance(package.get("name"), str):
        found.name = _read.Guess(package["name"], "Cargo.toml: [package] name")
    rust_version = package.get("rust-version")
    found.version = _read.first(
        _toolchain_version(root), _read.tool_versions(root, ("rust",)), _read.dockerfile_from(root, ("rust",)),
        _read.range_guess(VERSIONS, f">={rust_version}", "Cargo.toml: rust-version") if isinstance(rust_version, str) else None)
    found.dependencies = _read.Guess(_read.existing(root, DEFAULT_MANIFESTS), "found next to the spec")
    bins = [b for b in cargo.get("bin", []) if isinstance(b, dict) and isinstance(b.get("name"), str)]
    if bins:
        command = _read.Command((bins[0]["name"],), "Cargo.toml: [[bin]] name (built with cargo build --bin)", _port(root))
    elif found.name is not None:
        command = _read.Command((str(found.name.value),), "Cargo.toml: [package] name, the binary's name", _port(root))
    else:
        command = None
    if command:
        found.candidates.append(command)
    if "workspace" in cargo:
        notes.append("Cargo.toml is a workspace: dockgen's dependency step builds one package; list the members' "
                     "Cargo.toml files in `dependencies`, or build with cargo-chef")
    lock = _read.read(root / "Cargo.lock") or ""
    if 'name = "openssl-sys"' in lock:
        found.base = _read.Guess("debian:12-slim", "Cargo.lock: openssl-sys links the system OpenSSL (a glibc build)")
        notes.append("openssl-sys links OpenSSL: add system_packages: [libssl3] and build_packages: [libssl-dev, "
                     "pkg-config], or switch the crate to rustls for a static binary on scratch")
    return found
