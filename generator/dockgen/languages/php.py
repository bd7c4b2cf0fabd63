"""PHP: Composer installs the vendor tree in a builder stage; the final image copies it.

Final image ``php:<version>-fpm|fpm-alpine`` (R05); the builder is the matching ``-cli``
image with the ``composer`` binary copied from the official Composer image.
"""

from ..spec import Spec
from . import Toolchain, in_workdir, manifests_for

COMPOSER = "composer:2.8"


def toolchain(spec: Spec) -> Toolchain:
    """PHP's toolchain for ``spec`` (see module docstring)."""
    suffix = "-alpine" if spec.variant == "alpine" else ""
    final = spec.base or f"php:{spec.version}-fpm{suffix}"
    manifests = manifests_for(spec, ("composer.json", "composer.lock"))
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
