"""Java: Maven or Gradle builds a jar in a JDK builder; the final image is the JRE and the jar.

The build tool follows the manifests the spec installs from: ``pom.xml`` is Maven,
``build.gradle``/``build.gradle.kts`` is Gradle. With its wrapper among them (``mvnw`` +
``.mvn/``, ``gradlew`` + ``gradle/``) the builder is ``eclipse-temurin:<version>-jdk`` and
the wrapper runs; without one, the official image that carries the tool
(``maven:3.9-eclipse-temurin-<version>``, ``gradle:8.14-jdk<version>``; each with ``-alpine``
for the alpine variant). The dependencies
are resolved from the manifests alone before the code is copied (``dependency:go-offline``,
``gradle dependencies``: R07), into ``/root/.m2`` or ``/root/.gradle``, cache mounts
(R04); then ``package``/``assemble`` without the tests.

The final image is ``eclipse-temurin:<version>-jre`` (R05): no JDK, no build tool. What it
takes from the builder is four layers, each its own COPY, so that a code change rebuilds
only the last one (R07): a Spring Boot 3.3+ jar (it carries the tools jar mode) is
extracted with ``java -Djarmode=tools -jar app.jar extract --layers`` into dependencies,
spring-boot-loader, snapshot-dependencies and application (the app's jar, whose
manifest names its libraries in ``lib/``); any other jar is the application layer alone.
Either way the entrypoint is ``java -jar /app/app.jar`` in exec form, and
``JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75`` sizes the heap from the container's memory
limit without taking the place of the app's own arguments (``docker run image --args``).
The JVM runs its shutdown hooks on SIGTERM and exits 143 (128 + 15).

With ``jlink: true`` (issue 12) the final image is no JRE image but a small glibc base
(``debian:12-slim``, Alpine's for the alpine variant, or the spec's ``base``) with a Java
runtime of only the modules the app uses: the builder (a JDK image) runs ``jdeps
--print-module-deps`` over the jars of the layers (the app's jar, and a Spring Boot
jar's libraries), adds ``jdk.crypto.ec`` when the JDK has it (a TLS provider that no class
names, so jdeps cannot see it), and ``jlink`` writes the runtime to ``/opt/jre``, which the
final image copies first (it changes least, R07) and puts on ``PATH`` with ``JAVA_HOME``;
still no JDK and no build tool there (R04).

Detection (``dockgen init``) reads pom.xml (artifactId, ``maven.compiler.release``,
``java.version``, Spring Boot), build.gradle(.kts) and settings.gradle(.kts) (toolchain
``languageVersion``, ``sourceCompatibility``, ``rootProject.name``), the wrappers, and
the port from Spring Boot's ``server.port`` (8080 by default) or the sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Toolchain, in_workdir, manifests_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..spec import Spec
    from ._read import Found

VERSIONS = ("25", "21", "17")
DEFAULT_VERSION = "21"
DEFAULT_MANIFESTS = ("pom.xml",)
SCAFFOLD = "java"
NEW_PORT = 8080
NEW_HEALTH_PATH = "/health"
EVIDENCE = (("pom.xml", 4), ("build.gradle", 4), ("build.gradle.kts", 4), ("settings.gradle", 2),
            ("settings.gradle.kts", 2), ("src/main/java/**/*.java", 1))
TIE_BREAK = 7
COMPILED = True
BINARY = False
RESOURCES = {"limits": {"memory": "1Gi", "cpu": "1"}, "requests": {"memory": "512Mi", "cpu": "500m"}, "pids": 256}
# Health routes init looks for (``_read.health_route``): Spring Boot Actuator as a
# dependency (``/actuator/health``), a Spring ``@GetMapping("/health")``, a JAX-RS ``@Path``.
HEALTH_ROUTES = (
    (("pom.xml", "build.gradle", "build.gradle.kts"), r"spring-boot-starter-actuator", "/actuator/health"),
    ((".java", ".kt"), r"@(?:Get|Request)Mapping\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*\"(?P<path>[^\"]+)\""),
    ((".java", ".kt"), r"@Path\(\s*\"(?P<path>[^\"]+)\""),
)

SOURCE = "/src"
MAVEN_IMAGE = "maven:3.9-eclipse-temurin-{version}{alpine}"
GRADLE_IMAGE = "gradle:8.14-jdk{version}{alpine}"
GRADLE_FILES = ("build.gradle", "build.gradle.kts")
LAYERS_DIR = "/out/layers"
LAYERS = ("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")
HEAP = ("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75")
JRE = "/opt/jre"  # the jlink runtime, in the builder and in the final image alike
# jlink's --compress: JDK 21 names the levels zip-0..zip-9 and deprecates 0-2; JDK 17 knows only 0-2.
COMPRESS = {"17": "2"}
DEFAULT_COMPRESS = "zip-6"
# The modules the layers' jars use (jdeps), plus jdk.crypto.ec when the JDK has it, linked into a runtime.
# --strip-java-debug-attributes, not --strip-debug: since JDK 13 (JDK-8219257) --strip-debug also strips
# the native libraries with objcopy, which not every JDK image has (adoptium/containers#80: the -alpine
# ones; Debian's OpenJDK); Temurin's native libraries come stripped already.
JLINK = (
    "set -e; mods=$(jdeps --ignore-missing-deps --print-module-deps --multi-release {version} "
    "$(find {layers} -name \"*.jar\" | sort)); test -n \"$mods\" || {{ echo \"jdeps found no modules\" >&2; exit 1; }}; "
    "if java --list-modules | grep -q ^jdk.crypto.ec@; then mods=\"$mods,jdk.crypto.ec\"; fi; "
    "echo \"jlink modules: $mods\"; jlink --add-modules \"$mods\" --strip-java-debug-attributes --no-man-pages --no-header-files "
    "--compress={compress} --output {jre}"
)
# The jar the build made (not -plain, -sources, -javadoc), unpacked into LAYERS_DIR: by the
# Spring Boot tools jar mode when the jar has it, else as the application layer alone.
UNPACK = (
    "set -e; jar=$(find {out} -maxdepth 1 -name \"*.jar\" ! -name \"*-plain.jar\" ! -name \"*-sources.jar\""
    " ! -name \"*-javadoc.jar\" | sort | head -n 1); test -n \"$jar\" || {{ echo \"no jar in {out}\" >&2; exit 1; }}; "
    "if jar tf \"$jar\" | grep -q ^BOOT-INF/lib/spring-boot-jarmode-tools; then "
    "java -Djarmode=tools -jar \"$jar\" extract --layers --destination {layers}; "
    "mv {layers}/application/*.jar /tmp/app.jar; mv /tmp/app.jar {layers}/application/app.jar; "
    "else mkdir -p {layers}/application; cp \"$jar\" {layers}/application/app.jar; fi; "
    "cd {layers}; mkdir -p {dirs}"
)


def _tool(manifests: tuple[str, ...]) -> tuple[str, bool]:
    """(``maven`` or ``gradle``, whether its wrapper is among the manifests)."""
    if any(m in GRADLE_FILES for m in manifests):
        return "gradle", "gradlew" in manifests
    return "maven", "mvnw" in manifests


def toolchain(spec: Spec) -> Toolchain:
    """Java's toolchain for ``spec`` (see module docstring)."""
    manifests = manifests_for(spec, DEFAULT_MANIFESTS)
    tool, wrapper = _tool(manifests)
    if tool == "maven":
        program, cache, out = ("./mvnw" if wrapper else "mvn"), "/root/.m2", "target"
        install = ((program, "-B", "dependency:go-offline"),)
        build = ((program, "-B", "package", "-DskipTests"),)
        image = MAVEN_IMAGE
    else:
        program, cache, out = ("./gradlew" if wrapper else "gradle"), "/root/.gradle", "build/libs"
        install = ((program, "--no-daemon", "dependencies"),)
        build = ((program, "--no-daemon", "assemble", "-x", "test"),)
        image = GRADLE_IMAGE
    alpine = "-alpine" if spec.variant == "alpine" else ""
    builder = f"eclipse-temurin:{spec.version}-jdk{alpine}" if wrapper else image.format(version=spec.version, alpine=alpine)
    unpack = UNPACK.format(out=out, layers=LAYERS_DIR, dirs=" ".join(LAYERS))
    warnings = () if {"pom.xml", *GRADLE_FILES} & set(manifests) else (
        "dependencies: neither pom.xml nor build.gradle(.kts) is listed, so the builder has no build to run; "
        "list the build file (dependencies: [pom.xml])",)
    if spec.packages:
        warnings += (f"packages: {', '.join(spec.packages)} ignored: a Java build takes its dependencies from "
                     f"{'pom.xml' if tool == 'maven' else 'build.gradle'}; declare them there",)
    final_image, final_env = spec.base or f"eclipse-temurin:{spec.version}-jre{alpine}", (HEAP,)
    artifacts = tuple((f"{LAYERS_DIR}/{layer}/", in_workdir(spec, "")) for layer in LAYERS)
    build += (("sh", "-c", unpack),)
    if spec.jlink:
        final_image, final_env, link, runtime = _jlink(spec)
        build, artifacts = (*build, link), (runtime, *artifacts)
    return Toolchain(
        final_image=final_image,
        builder_image=builder,
        manifests=manifests,
        install=install if {"pom.xml", *GRADLE_FILES} & set(manifests) else (),
        caches=(cache,),
        build=build,
        artifacts=artifacts,
        final_env=final_env,
        entrypoint=("java", "-jar", in_workdir(spec, "app.jar")),
        ignore=("target/", "build/", ".gradle/", "out/", "*.class", ".classpath", ".project", ".settings/"),
        builder_workdir=SOURCE,
        warnings=warnings,
    )


def _jlink(spec: Spec) -> tuple[str, tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, str]]:
    """What ``jlink: true`` changes: (final image, final ENV, the builder's jdeps + jlink
    command, the runtime's (builder path, final path) artifact). See the module docstring."""
    from ..images import ALPINE, DEBIAN

    final_image = spec.base or (ALPINE if spec.variant == "alpine" else DEBIAN)
    env = (("JAVA_HOME", JRE), ("PATH", f"{JRE}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), HEAP)
    script = JLINK.format(version=spec.version, layers=LAYERS_DIR, jre=JRE,
                          compress=COMPRESS.get(spec.version.split(".")[0], DEFAULT_COMPRESS))
    return final_image, env, ("sh", "-c", script), (f"{JRE}/", f"{JRE}/")


def healthcheck(port: int, path: str, base: str | None) -> None:
    """None: the JRE has no HTTP client command (and no compiler for a one-file check); a
    check needs an endpoint of the app's own, e.g. Spring Boot Actuator with a small client."""
    return None


def _pom_version(pom: str):
    """The Java release pom.xml states (``maven.compiler.release``, ``java.version``, ...), as a Guess."""
    import re

    from . import _read

    for key in ("maven.compiler.release", "java.version", "maven.compiler.target", "maven.compiler.source", "release"):
        match = re.search(rf"<{re.escape(key)}>\s*(?:1\.)?(\d+)\s*</{re.escape(key)}>", pom)
        if match:
            return _read.Guess(match.group(1), f"pom.xml: <{key}>{match.group(1)}</{key}>")
    return None


def _gradle_version(text: str, name: str):
    """The Java release a Gradle build asks for (toolchain ``languageVersion``, ``sourceCompatibility``), as a Guess."""
    import re

    from . import _read

    for pattern in (r"JavaLanguageVersion\.of\(\s*(\d+)\s*\)", r"(?:source|target)Compatibility\s*=\s*"
                    r"(?:JavaVersion\.VERSION_(?:1_)?|['\"]?(?:1\.)?)(\d+)"):
        match = re.search(pattern, text)
        if match:
            return _read.Guess(match.group(1), f"{name}: {_read.one_line(match.group(0), 50)}")
    return None


def _port(root: Path, spring: bool):
    """Spring Boot's ``server.port`` (8080 by default), else the port the sources listen on, as a Guess."""
    import re

    from . import _read

    resources = root / "src" / "main" / "resources"
    for name in ("application.properties", "application.yml", "application.yaml"):
        text = _read.read(resources / name) or ""
        match = re.search(r"^server\.port\s*[=:]\s*(\d{2,5})\s*$", text, re.M) or \
            re.search(r"^server:\s*\n(?:\s+.*\n)*?\s+port:\s*(\d{2,5})\s*$", text, re.M)
        if match:
            return _read.Guess(int(match.group(1)), f"src/main/resources/{name}: server.port {match.group(1)}")
    if spring:
        return _read.Guess(8080, "Spring Boot's default server.port")
    for path in _read.sources(root, ".java"):
        text = _read.read(path) or ""
        match = re.search(r"new\s+InetSocketAddress\(\s*(?:\"[^\"]*\"\s*,\s*)?(\d{2,5})\s*\)", text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            return _read.Guess(int(match.group(1)), f"{_read.rel(root, path)}:{line}: {_read.one_line(match.group(0), 50)}")
        guess = _read.port_in(root, path)
        if guess:
            return guess
    return None


def _manifests(root: Path, tool: str) -> tuple[str, ...]:
    """The build files and the wrapper (script and its directory) present in ``root``."""
    from . import _read

    if tool == "maven":
        files = _read.existing(root, ("pom.xml", "mvnw"))
        return files + ((".mvn/",) if "mvnw" in files and (root / ".mvn").is_dir() else ())
    files = _read.existing(root, ("settings.gradle", "settings.gradle.kts", *GRADLE_FILES, "gradle.properties", "gradlew"))
    return files + (("gradle/",) if "gradlew" in files and (root / "gradle").is_dir() else ())


def detect(root: Path, notes: list[str]) -> Found:
    """What a Java project's files say (see module docstring and the contract in base.py)."""
    import re

    from . import _read

    found = _read.Found()
    pom = _read.read(root / "pom.xml")
    gradle_name = next((n for n in GRADLE_FILES if (root / n).is_file()), None)
    if pom is not None:
        project = re.sub(r"<(parent|dependencies|build|dependencyManagement|profiles)>.*?</\1>", "", pom, flags=re.S)
        artifact = re.search(r"<artifactId>\s*([^<\s]+)\s*</artifactId>", project)
        if artifact:
            found.name = _read.Guess(artifact.group(1), "pom.xml: <artifactId>")
        found.version = _pom_version(pom)
        build, tool = pom, "maven"
    elif gradle_name is not None:
        build, tool = _read.read(root / gradle_name) or "", "gradle"
        for settings in ("settings.gradle", "settings.gradle.kts"):
            match = re.search(r"rootProject\.name\s*=\s*['\"]([^'\"]+)['\"]", _read.read(root / settings) or "")
            if match:
                found.name = _read.Guess(match.group(1), f"{settings}: rootProject.name")
                break
        found.version = _gradle_version(build, gradle_name)
    else:
        return found
    found.version = _read.first(found.version, _read.tool_versions(root, ("java",), 1),
                                _read.dockerfile_from(root, ("eclipse-temurin", "openjdk", "amazoncorretto"), 1))
    found.dependencies = _read.Guess(_manifests(root, tool), "found next to the spec")
    spring = "spring-boot" in build or "org.springframework.boot" in build
    # the build's jar is the app (java -jar): no start command to guess, only the port
    found.candidates.append(_read.Command((), f"{'pom.xml' if tool == 'maven' else gradle_name}: the jar "
                                          f"{tool} builds{' (Spring Boot)' if spring else ''}", _port(root, spring)))
    if not spring and not re.search(r"mainClass|Main-Class", build):
        notes.append(f"java -jar runs the jar {tool} builds: its manifest needs a Main-Class")
    return found
