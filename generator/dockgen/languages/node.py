"""Node.js: ``npm ci --omit=dev`` in a builder stage; the final image copies node_modules.

Official image ``node:<version>-slim|alpine`` (R05); the npm cache lives in a BuildKit
cache mount (R04); without a lock file ``npm install --omit=dev`` is used instead.
"""

from ..spec import Spec
from . import Toolchain, in_workdir, manifests_for


def toolchain(spec: Spec) -> Toolchain:
    """Node's toolchain for ``spec`` (see module docstring)."""
    image = spec.base or f"node:{spec.version}-{spec.variant}"
    manifests = manifests_for(spec, ("package.json", "package-lock.json"))
    install = []
    warnings = ()
    if "package.json" in manifests:
        locked = any(m in manifests for m in ("package-lock.json", "npm-shrinkwrap.json"))
        install.append(("npm", "ci", "--omit=dev") if locked else ("npm", "install", "--omit=dev"))
        if not locked:
            warnings = ("dependencies: no package-lock.json, so npm install resolves versions anew on every build; "
                        "commit a lock file and list it (npm ci)",)
    if spec.packages:
        install.append(("npm", "install", "--omit=dev", "--no-save", *spec.packages))
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
        caches=("/root/.npm",),
        artifacts=((modules, modules),),
        final_env=(("NODE_ENV", "production"),),
        ignore=("node_modules/", "npm-debug.log*", ".npm/", "coverage/", ".next/cache/"),
        pin_rule="DL3016",
        warnings=warnings,
        unpinned=tuple(p for p in spec.packages if "@" not in p[1:]),
    )
