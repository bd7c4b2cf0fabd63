"""OS package managers, one module each: apt (Debian), apk (Alpine); room for dnf/microdnf.

Each module holds its manager's install and cleanup argv, its pin rule, where tini lives
once installed, and the user-creation tool its images carry. :mod:`dockgen.images` points
each image family at them.
"""

from .apk import ADDUSER, APK
from .apt import APT, TINI_STATIC, USERADD
from .base import Command, Glob, PackageManager, UserTool

MANAGERS = {m.name: m for m in (APT, APK)}

__all__ = ["ADDUSER", "APK", "APT", "MANAGERS", "TINI_STATIC", "USERADD", "Command", "Glob", "PackageManager", "UserTool"]
