"""Go: a golang builder compiles a static binary; the final image holds only that binary.

Builder ``golang:<version>`` (or ``-alpine``); final ``scratch`` by default, Alpine for the
alpine variant, or the spec's ``base`` (R05). Module downloads and the build cache live in
BuildKit cache mounts (R04); ``CGO_ENABLED=0`` makes the binary static.
"""

from ..images import ALPINE
from ..spec import Spec
from . import Toolchain, manifests_for

SOURCE = "/src"
CERTS = "/etc/ssl/certs/ca-certificates.crt"


def binary_path(spec: Spec) -> str:
    """Where the binary goes in the final image: the spec's entrypoint, or /usr/local/bin/<name>."""
    first = spec.entrypoint[0] if spec.entrypoint else spec.name
    return first if first.startswith("/") else f"/usr/local/bin/{first}"


def toolchain(spec: Spec) -> Toolchain:
    """Go's toolchain for ``spec`` (see module docstring)."""
    suffix = "-alpine" if spec.variant == "alpine" else ""
    final = spec.base or (ALPINE if spec.variant == "alpine" else "scratch")
    manifests = manifests_for(spec, ("go.mod", "go.sum"))
    install = [("go", "mod", "download")] if "go.mod" in manifests else []
    install += [("go", "install", package) for package in spec.packages]
    binary = binary_path(spec)
    artifacts = [("/out/app", binary), (CERTS, CERTS)]
    if spec.packages:
        artifacts.append(("/go/bin/", "/usr/local/bin/"))
    return Toolchain(
        final_image=final,
        builder_image=f"golang:{spec.version}{suffix}",
        manifests=manifests,
        install=tuple(install),
        caches=("/go/pkg/mod", "/root/.cache/go-build"),
        builder_env=(("CGO_ENABLED", "0"),),
        build=(("go", "build", "-trimpath", "-ldflags=-s -w", "-o", "/out/app", "."),),
        artifacts=tuple(artifacts),
        entrypoint=(binary,),
        ignore=("bin/", "*.test", "*.out", "coverage.txt"),
        builder_workdir=SOURCE,
        unpinned=tuple(p for p in spec.packages if "@" not in p),
    )
