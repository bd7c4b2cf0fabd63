"""A private podman set-up and locally made stand-ins for the official base images (issue 4).

No container registry is reachable here, so the images that rendered Dockerfiles name in
``FROM`` (``python:3.11-slim``, ``node:22-slim``, ...) are made from Debian packages and
tagged under exactly those names:

* ``debian:12-slim`` is a ``mmdebstrap --variant=minbase`` bookworm root file system with
  merged /usr, the official images' apt clean-up settings and docs/man/locales left out,
  plus the extra CA certificates this machine trusts (``/usr/local/share/ca-certificates``:
  HTTPS from inside a build goes through a proxy whose CA only those certificates hold).
* every other stand-in is built *from* that image with a small Containerfile (Debian's
  python3, nodejs + npm, ruby + bundler, golang-go, busybox-static, php-fpm ...), set up
  the way the official image is (``python``/``pip`` on PATH, ``GEM_HOME=/usr/local/bundle``,
  ``GOPATH=/go``, BusyBox with /etc/passwd, /etc/group and /tmp).

The language versions are Debian bookworm's, not the tag's (Python 3.11, Node 18, Ruby 3.1,
Go 1.19, PHP 8.2, Rust 1.63, Java 17 with Maven 3.8 and Gradle 4.4): the tag is only the name the FROM line uses. Alpine images cannot be
stood in from Debian packages; :func:`recipe_for` returns None for them.

Podman never touches the machine's default storage: :class:`Engine` writes its own
``storage.conf``, ``containers.conf`` (runtime runc, cgroupfs, file events, ulimits that
this VM allows) and ``registries.conf`` under a work directory and points
``CONTAINERS_STORAGE_CONF`` / ``CONTAINERS_CONF`` / ``CONTAINERS_REGISTRIES_CONF`` at them.
The stand-ins stay in that storage between runs on one machine (the mmdebstrap root is
rebuilt only when its recipe changes; the others are podman's own layer cache).

Run ``python tests/containers/standins.py IMAGE...`` to make stand-ins by hand.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WORK_DIR = Path(os.environ.get("DOCKGEN_PODMAN_DIR", "/var/tmp/dockgen-podman"))
LIBRARY = "docker.io/library/"
MIRRORS = (
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
)
EXTRA_CA_DIR = Path("/usr/local/share/ca-certificates")

# The official Debian images' apt settings (docker-library/debian, "slim" variant).
APT_CONF = {
    "docker-clean": (
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
        '/var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
        '/var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
    ),
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
}
DPKG_EXCLUDES = (
    "path-exclude=/usr/share/doc/*", "path-include=/usr/share/doc/*/copyright", "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/groff/*", "path-exclude=/usr/share/info/*", "path-exclude=/usr/share/lintian/*",
    "path-exclude=/usr/share/linda/*", "path-exclude=/usr/share/locale/*", "path-include=/usr/share/locale/locale.alias",
)
ROOT_PACKAGES = ("ca-certificates",)

APT = ("apt-get update && apt-get install -y --no-install-recommends {packages}"
       " && rm -rf /var/lib/apt/lists/*")


@dataclass(frozen=True)
class Recipe:
    """How to make one stand-in from ``debian:12-slim``.

    Attributes:
        key: a short name for logs and the benchmark (``python``, ``node`` ...).
        containerfile: the Containerfile text (starts ``FROM docker.io/library/debian:12-slim``).
        files: (name, text) pairs written next to the Containerfile (its build context).
    """

    key: str
    containerfile: str
    files: tuple[tuple[str, str], ...] = ()


def _apt(*packages: str) -> str:
    return "RUN " + APT.format(packages=" ".join(packages))


BASE = f"FROM {LIBRARY}debian:12-slim\n"

# Python: like the official image, no .pyc files and no test directories (its Dockerfile
# deletes them after `make install`); the official slim image has Python's C headers (pip builds extensions against
# them) but no -dev packages; Debian ships the headers in libpython3.11-dev, which drags in
# libc6-dev and a 25 MB static library, so only the headers are kept.
PYTHON = Recipe("python", BASE + _apt("python3", "python3-venv", "python3-pip", "libpython3.11-dev") + (
    " \\\n && cp -a /usr/include/python3.11 /tmp/include \\\n"
    " && cp -a /usr/include/x86_64-linux-gnu/python3.11 /tmp/include-arch \\\n"
    " && apt-get purge -y --auto-remove libpython3.11-dev >/dev/null \\\n"
    " && mv /tmp/include /usr/include/python3.11 \\\n"
    " && mkdir -p /usr/include/x86_64-linux-gnu && mv /tmp/include-arch /usr/include/x86_64-linux-gnu/python3.11 \\\n"
    " && ln -s /usr/bin/python3 /usr/local/bin/python && ln -s /usr/bin/pip3 /usr/local/bin/pip \\\n"
    # the official image's Python is its own build, not the distribution's: no PEP 668 marker,
    # so its pip installs tools such as uv, poetry and pipenv (the packagers' builders do)
    " && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED \\\n"
    # as the official image does after `make install`: no byte code, no test suites
    " && find /usr/lib/python3 /usr/lib/python3.11 -depth \\( \\( -type d -a \\( -name test -o -name tests"
    " -o -name idle_test \\) \\) -o \\( -type f -a \\( -name '*.pyc' -o -name '*.pyo' \\) \\) \\) -exec rm -rf '{}' +\n"
    "ENV LANG=C.UTF-8\nCMD [\"python3\"]\n"))
NODE = Recipe("node", BASE + _apt("nodejs", "npm") + "\nCMD [\"node\"]\n")
RUBY = Recipe("ruby", BASE + _apt("ruby", "bundler") + (
    " && mkdir -p /usr/local/bundle && chmod 1777 /usr/local/bundle\n"
    "ENV LANG=C.UTF-8 GEM_HOME=/usr/local/bundle BUNDLE_SILENCE_ROOT_WARNING=1 BUNDLE_APP_CONFIG=/usr/local/bundle\n"
    "ENV PATH=/usr/local/bundle/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
    "CMD [\"irb\"]\n"))
# Go: the official golang image (buildpack-deps based) has gcc and libc6-dev for cgo.
GOLANG = Recipe("golang", BASE + _apt("golang-go", "gcc", "libc6-dev") + (
    " && mkdir -p /go/src /go/bin && chmod -R 1777 /go\n"
    "ENV GOPATH=/go GOTOOLCHAIN=local\n"
    "ENV PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
    "WORKDIR /go\n"))
# BusyBox: Debian's static busybox with its applets as links, the way the official image
# lays it out; no package manager, /etc/passwd and /etc/group with root and nobody.
# Debian builds busybox without the adduser/addgroup applets (Debian has its own adduser);
# two small sh scripts take their place, accepting the options dockgen's RUN uses.
ADDGROUP = """#!/bin/sh
# Stand-in for BusyBox's addgroup applet: addgroup [-S] [-g GID] NAME
gid=1000
while getopts Sg: opt; do
    case $opt in g) gid=$OPTARG ;; S) ;; *) exit 1 ;; esac
done
shift $((OPTIND - 1))
if grep -q "^$1:" /etc/group; then echo "addgroup: group '$1' in use" >&2; exit 1; fi
echo "$1:x:$gid:" >> /etc/group
"""
ADDUSER = """#!/bin/sh
# Stand-in for BusyBox's adduser applet: adduser [-SDH] [-u UID] [-G GROUP] [-h HOME] [-s SHELL] NAME
uid=1000 group="" home="" shell=/bin/sh
while getopts SDHu:G:h:s:g: opt; do
    case $opt in
        u) uid=$OPTARG ;; G) group=$OPTARG ;; h) home=$OPTARG ;; s) shell=$OPTARG ;; S|D|H|g) ;; *) exit 1 ;;
    esac
done
shift $((OPTIND - 1))
if grep -q "^$1:" /etc/passwd; then echo "adduser: user '$1' in use" >&2; exit 1; fi
gid=$(awk -F: -v g="${group:-$1}" '$1 == g { print $3 }' /etc/group)
if [ -z "$gid" ]; then addgroup -g "$uid" "$1"; gid=$uid; fi
echo "$1:x:$uid:$gid:Linux User:${home:-/home/$1}:$shell" >> /etc/passwd
echo "$1:!:19000:0:99999:7:::" >> /etc/shadow
"""
BUSYBOX = Recipe("busybox", BASE + _apt("busybox-static") + " \\\n"
                 " && mkdir -p /rootfs/bin /rootfs/etc /rootfs/root /rootfs/tmp /rootfs/var/www /rootfs/home \\\n"
                 " && cp /bin/busybox /rootfs/bin/busybox \\\n"
                 " && for applet in $(/bin/busybox --list); do [ \"$applet\" = busybox ] || ln -s busybox \"/rootfs/bin/$applet\"; done \\\n"
                 " && printf 'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/home:/bin/false\\n' > /rootfs/etc/passwd \\\n"
                 " && printf 'root:x:0:\\nnobody:x:65534:\\n' > /rootfs/etc/group \\\n"
                 " && printf 'root:*:19000:0:99999:7:::\\nnobody:*:19000:0:99999:7:::\\n' > /rootfs/etc/shadow \\\n"
                 " && chmod 1777 /rootfs/tmp && chmod 700 /rootfs/root && chmod 640 /rootfs/etc/shadow\n"
                 "COPY --chmod=755 addgroup adduser /rootfs/bin/\n"
                 "FROM scratch\nCOPY --from=0 /rootfs/ /\nCMD [\"sh\"]\n",
                 files=(("addgroup", ADDGROUP), ("adduser", ADDUSER)))
# PHP: Debian's php8.2; the fpm image has php-fpm on PATH and runs in the foreground like
# the official one. Debian's composer is a script over libraries in /usr/share/php, not a
# phar: the composer stand-in holds it, and the php stand-ins hold the libraries, so a
# `COPY --from=composer /usr/bin/composer` works in them as with the official images.
PHP_CLI = Recipe("php-cli", BASE + _apt("php8.2-cli", "composer", "unzip") + "\nCMD [\"php\", \"-a\"]\n")
PHP_FPM = Recipe("php-fpm", BASE + _apt("php8.2-fpm", "composer") + (
    " && ln -s /usr/sbin/php-fpm8.2 /usr/local/sbin/php-fpm \\\n"
    " && sed -i -e 's|^listen = .*|listen = 127.0.0.1:9000|' -e 's|^;clear_env = no|clear_env = no|'"
    " -e 's|^user = |;user = |' -e 's|^group = |;group = |' /etc/php/8.2/fpm/pool.d/www.conf \\\n"
    " && sed -i -e 's|^pid = .*|pid = /tmp/php-fpm.pid|' -e 's|^error_log = .*|error_log = /proc/self/fd/2|'"
    " /etc/php/8.2/fpm/php-fpm.conf\n"
    "STOPSIGNAL SIGQUIT\nEXPOSE 9000\nCMD [\"php-fpm\", \"-F\"]\n"))
# nginx: Debian's nginx, laid out like the official image (nginx on PATH, /etc/nginx/mime.types,
# logs to stdout/stderr, STOPSIGNAL SIGQUIT); dockgen's static images replace its nginx.conf.
NGINX = Recipe("nginx", BASE + _apt("nginx") + (
    " && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log\n"
    "STOPSIGNAL SIGQUIT\nEXPOSE 80\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"))
# Rust: Debian's rustc and cargo (1.63 in bookworm) with gcc and libc6-dev as the linker, laid out
# like the official rust:*-slim images (CARGO_HOME=/usr/local/cargo, its bin on PATH). Only the
# glibc builders (rust:*-slim-bookworm) are stood in: the musl ones are rust:*-alpine.
RUST = Recipe("rust", BASE + _apt("rustc", "cargo", "gcc", "libc6-dev") + (
    " && mkdir -p /usr/local/cargo/bin && chmod -R 1777 /usr/local/cargo\n"
    "ENV CARGO_HOME=/usr/local/cargo RUSTUP_HOME=/usr/local/rustup\n"
    "ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"))
# Java: Debian's OpenJDK 17 laid out like the eclipse-temurin images (JAVA_HOME=/opt/java/openjdk,
# its bin on PATH): the JDK for builders, the JRE for final images. Maven Central is not reachable,
# so the maven stand-in is Debian's Maven 3.8 with Debian's Maven plugins, and its global
# settings mirror every repository to Debian's local one (/usr/share/maven-repo), which those
# packages fill: `mvn dependency:go-offline` and `mvn package` resolve from it into /root/.m2
# (the Dockerfile's cache mount) as they would from Maven Central. The gradle stand-in is
# Debian's Gradle 4.4 (its Groovy DSL; no Kotlin DSL, no toolchains).
TEMURIN = (" \\\n && mkdir -p /opt/java && ln -s /usr/lib/jvm/java-17-openjdk-amd64 /opt/java/openjdk\n"
           "ENV JAVA_HOME=/opt/java/openjdk LANG=C.UTF-8\n"
           "ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n")
MAVEN_PLUGINS = ("libmaven-clean-plugin-java", "libmaven-compiler-plugin-java", "libmaven-dependency-plugin-java",
                 "libmaven-deploy-plugin-java", "libmaven-install-plugin-java", "libmaven-jar-plugin-java",
                 "libmaven-resources-plugin-java", "libmaven-site-plugin-java", "libsurefire-java")
MAVEN_SETTINGS = """<settings>
  <mirrors>
    <mirror><id>debian</id><mirrorOf>*</mirrorOf><url>file:///usr/share/maven-repo</url></mirror>
  </mirrors>
</settings>
"""
# OpenJDK's postinst links its man pages, whose directory the slim image leaves out.
MAN1 = "RUN mkdir -p /usr/share/man/man1\n"
JDK = Recipe("temurin-jdk", BASE + MAN1 + _apt("openjdk-17-jdk-headless") + TEMURIN)
JRE = Recipe("temurin-jre", BASE + MAN1 + _apt("openjdk-17-jre-headless") + TEMURIN)
MAVEN = Recipe("maven", BASE + MAN1 + _apt("openjdk-17-jdk-headless", "maven", *MAVEN_PLUGINS) + TEMURIN
               + "COPY settings.xml /usr/share/maven/conf/settings.xml\nCMD [\"mvn\"]\n",
               files=(("settings.xml", MAVEN_SETTINGS),))
GRADLE = Recipe("gradle", BASE + MAN1 + _apt("openjdk-17-jdk-headless", "gradle") + TEMURIN + "CMD [\"gradle\"]\n")
COMPOSER = Recipe("composer", BASE + _apt("php8.2-cli", "composer", "unzip") + "\nCMD [\"composer\"]\n")


def recipe_for(image: str) -> Recipe | None:
    """The stand-in recipe for an image reference as a rendered FROM line names it.

    Args:
        image: e.g. ``python:3.11-slim`` or ``docker.io/library/node:22-slim``.
    Returns:
        the :class:`Recipe`, or None for the Debian root itself (``debian:12-slim``, made
        by :meth:`Engine.ensure_root`) and ``scratch``.
    Raises:
        LookupError: no stand-in can be made from Debian packages (Alpine images and
            anything unknown); the message names the image.
    """
    name = image.removeprefix(LIBRARY).split("@", 1)[0]
    repository, _, tag = name.partition(":")
    if name in ("scratch", "debian:12-slim", "debian:bookworm-slim"):
        return None
    if repository.startswith("mcr.microsoft.com/dotnet/"):
        raise LookupError(f"{image}: a .NET image cannot be stood in: Debian ships no .NET SDK or runtime, and "
                          "mcr.microsoft.com and nuget.org are not reachable here")
    if "alpine" in tag or repository == "alpine":
        raise LookupError(f"{image}: an Alpine image cannot be stood in from Debian packages")
    if repository == "python" and tag.startswith("3"):
        return PYTHON
    if repository == "node":
        return NODE
    if repository == "ruby":
        return RUBY
    if repository == "golang":
        return GOLANG
    if repository == "busybox":
        return BUSYBOX
    if repository == "rust" and re.match(r"1\.\d+(\.\d+)?-slim-bookworm$", tag):
        return RUST
    if repository == "nginx" and re.match(r"1\.\d+(\.\d+)?(-bookworm)?$", tag):
        return NGINX
    if repository == "eclipse-temurin" and re.match(r"17(\.\d+)*-jdk$", tag):
        return JDK
    if repository == "eclipse-temurin" and re.match(r"17(\.\d+)*-jre$", tag):
        return JRE
    if repository == "maven" and re.match(r"3(\.\d+)*-eclipse-temurin-17$", tag):
        return MAVEN
    if repository == "gradle" and re.match(r"\d+(\.\d+)*-jdk17$", tag):
        return GRADLE
    if repository == "composer":
        return COMPOSER
    if repository == "php" and re.match(r"8(\.\d+)?-fpm(-bookworm)?$", tag):
        return PHP_FPM
    if repository == "php" and re.match(r"8(\.\d+)?-cli(-bookworm)?$", tag):
        return PHP_CLI
    raise LookupError(f"{image}: no stand-in recipe for this image")


def full_name(image: str) -> str:
    """``python:3.11-slim`` → ``docker.io/library/python:3.11-slim`` (names with a registry stay)."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    return image if image.startswith(LIBRARY) else LIBRARY + image


class EngineError(RuntimeError):
    """A podman or mmdebstrap command failed; the message holds its command and output tail."""


class Engine:
    """podman with its own configuration and storage under ``work_dir``.

    Args:
        work_dir: where storage, run state and configuration files live (created).
        arch: the Debian architecture of the stand-ins this storage holds (issue 14:
            ``arm64`` for the arm64 tier, whose storage is its own, since one storage
            holds one image per name); builds are ``--platform linux/<arch>``.
    """

    def __init__(self, work_dir: Path = WORK_DIR, arch: str = "amd64") -> None:
        self.work_dir = work_dir
        self.arch = arch
        self.podman = shutil.which("podman")
        if not self.podman:
            raise EngineError("podman is not installed: run scripts/system-deps.sh (make test does)")
        work_dir.mkdir(parents=True, exist_ok=True)
        storage, containers, registries = (work_dir / n for n in ("storage.conf", "containers.conf", "registries.conf"))
        storage.write_text(f'[storage]\ndriver = "overlay"\ngraphroot = "{work_dir}/storage"\n'
                           f'runroot = "{work_dir}/run"\n')
        containers.write_text(
            '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n'
            'log_driver = "k8s-file"\n'
            '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
            f'events_logfile_path = "{work_dir}/events.log"\n'
            f'tmp_dir = "{work_dir}/tmp"\n')
        registries.write_text('unqualified-search-registries = ["docker.io"]\nshort-name-mode = "permissive"\n')
        self.env = dict(os.environ, CONTAINERS_STORAGE_CONF=str(storage), CONTAINERS_CONF=str(containers),
                        CONTAINERS_REGISTRIES_CONF=str(registries), BUILDAH_FORMAT="docker")

    def run(self, *args: str, check: bool = True, timeout: float = 900, input: str | None = None) -> subprocess.CompletedProcess:
        """Run ``podman ARGS`` in this engine's environment; text output captured.

        Raises:
            EngineError: when ``check`` and podman exits non-zero (the message ends with
                the last 3000 characters of its output).
        """
        result = subprocess.run([self.podman, *args], env=self.env, capture_output=True, text=True,
                                timeout=timeout, input=input)
        if check and result.returncode != 0:
            raise EngineError(f"podman {' '.join(args)} exited {result.returncode}:\n"
                              f"{(result.stdout + result.stderr)[-3000:]}")
        return result

    def exists(self, image: str) -> bool:
        """True when ``image`` is in this engine's storage."""
        return self.run("image", "exists", full_name(image), check=False).returncode == 0

    def build(self, context: Path, tag: str, *extra: str, file: Path | None = None,
              timeout: float = 1800) -> tuple[subprocess.CompletedProcess, float]:
        """``podman build --pull=never --format docker`` of ``context``; returns (result, seconds).

        The build output (stdout + stderr) is in ``result.stdout``. Raises EngineError on failure.
        """
        args = ["build", "--pull=never", "--format", "docker", "--layers", "-t", tag, *extra]
        if self.arch != "amd64":
            args.append(f"--platform=linux/{self.arch}")
        if file:
            args += ["-f", str(file)]
        start = time.monotonic()
        result = subprocess.run([self.podman, *args, str(context)], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=timeout)
        elapsed = time.monotonic() - start
        if result.returncode != 0:
            raise EngineError(f"podman build of {context} exited {result.returncode}:\n{result.stdout[-4000:]}")
        return result, elapsed

    # --- stand-ins -----------------------------------------------------------------

    def root_recipe(self) -> list[str]:
        """The mmdebstrap command line of ``debian:12-slim`` (without the output path)."""
        conf = self.work_dir / "apt.conf.d"
        conf.mkdir(exist_ok=True)
        for name, text in APT_CONF.items():
            (conf / name).write_text(text)
        hooks = [f'cp {conf}/docker-* "$1/etc/apt/apt.conf.d/"']
        certs = sorted(EXTRA_CA_DIR.glob("*.crt")) if EXTRA_CA_DIR.is_dir() else []
        for cert in certs:
            hooks.append(f'cp {cert} "$1/usr/local/share/ca-certificates/"')
        if certs and self.arch == "amd64":
            hooks.append('chroot "$1" update-ca-certificates --fresh >/dev/null')
        elif certs:  # the same bookworm bundle as the host's; update-ca-certificates under qemu
            # forks once per certificate (minutes), so a foreign root takes the host's result
            hooks.append('cp -a /etc/ssl/certs/. "$1/etc/ssl/certs/"')
        hooks.append('rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/apt/* "$1"/var/log/dpkg.log '
                     '"$1"/var/log/alternatives.log')
        args = ["mmdebstrap", "--variant=minbase", "--mode=root", "--format=tar", "--quiet",
                *([f"--arch={self.arch}"] if self.arch != "amd64" else []),  # emulated by qemu-user-static
                "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
                "--aptopt=Dir::Cache::pkgcache \"\"", "--aptopt=Dir::Cache::srcpkgcache \"\"",
                f"--include={','.join(ROOT_PACKAGES)}"]
        args += [f"--dpkgopt={option}" for option in DPKG_EXCLUDES]
        args += [f"--customize-hook={hook}" for hook in hooks]
        # The certificates' content is part of the recipe: a new proxy CA makes a new root.
        digest = hashlib.sha256(b"".join(c.read_bytes() for c in certs)).hexdigest()[:12]
        return [*args, "bookworm", "OUT", *MIRRORS, f"# extra CAs {digest}"]

    def ensure_root(self, log=print) -> None:
        """Make ``debian:12-slim`` with mmdebstrap unless the same recipe made it before.

        Raises:
            EngineError: mmdebstrap or ``podman import`` failed.
        """
        recipe = self.root_recipe()
        stamp = self.work_dir / "debian-root.stamp"
        digest = hashlib.sha256("\n".join(recipe).encode()).hexdigest()
        name = LIBRARY + "debian:12-slim"
        if self.exists(name) and stamp.exists() and stamp.read_text() == digest:
            return
        if not shutil.which("mmdebstrap"):
            raise EngineError("mmdebstrap is not installed: run scripts/system-deps.sh (make test does)")
        tarball = self.work_dir / "debian-root.tar"
        command = [tarball.as_posix() if a == "OUT" else a for a in recipe[:-1]]
        log(f"standins: making {name} with mmdebstrap")
        result = subprocess.run(command, capture_output=True, text=True, timeout=1200)
        if result.returncode != 0:
            raise EngineError(f"mmdebstrap exited {result.returncode}:\n{(result.stdout + result.stderr)[-3000:]}")
        self.run("import", f"--arch={self.arch}", "--change", "CMD [\"bash\"]", "--change",
                 "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", str(tarball), name)
        tarball.unlink()
        stamp.write_text(digest)

    def ensure(self, images: list[str] | set[str], log=print) -> dict[str, float]:
        """Make sure every image in ``images`` (FROM references) is in storage.

        Returns:
            seconds spent per image name (0.0-ish when it was cached).
        Raises:
            LookupError: an image has no stand-in (see :func:`recipe_for`).
            EngineError: making a stand-in failed.
        """
        timings: dict[str, float] = {}
        start = time.monotonic()
        self.ensure_root(log)
        timings[LIBRARY + "debian:12-slim"] = time.monotonic() - start
        for image in sorted(set(images)):
            recipe = recipe_for(image)
            if recipe is None:
                continue
            name = full_name(image)
            directory = self.work_dir / "recipes" / recipe.key
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "Containerfile").write_text(recipe.containerfile)
            for file_name, text in recipe.files:
                (directory / file_name).write_text(text)
            start = time.monotonic()
            self.build(directory, name)
            timings[name] = time.monotonic() - start
            log(f"standins: {name} ready in {timings[name]:.1f} s")
        return timings


if __name__ == "__main__":
    engine = Engine()
    print(engine.ensure(sys.argv[1:]))
