"""Ruby: ``bundle install`` in a builder stage; the final image copies the gems.

Official image ``ruby:<version>-slim|alpine`` (R05), whose GEM_HOME is /usr/local/bundle.
Development and test groups are left out; the gem cache is removed in the same RUN (R04).
"""

from ..spec import Spec
from . import Toolchain, manifests_for

GEMS = "/usr/local/bundle"


def toolchain(spec: Spec) -> Toolchain:
    """Ruby's toolchain for ``spec`` (see module docstring)."""
    image = spec.base or f"ruby:{spec.version}-{spec.variant}"
    manifests = manifests_for(spec, ("Gemfile", "Gemfile.lock"))
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
