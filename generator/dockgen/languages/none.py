"""No language runtime: the spec's own pinned base (alpine, debian-slim, busybox, scratch)
with the application's files copied in (R05)."""

from ..spec import Spec
from . import Toolchain


def toolchain(spec: Spec) -> Toolchain:
    """The toolchain of a spec without a language: just its base image."""
    assert spec.base, "the spec model requires base for language none"
    return Toolchain(final_image=spec.base)
