"""Java (issue 12): Maven or Gradle (with or without the wrapper) in a JDK builder, the
dependencies resolved before the code, the JRE with the jar's layers in the final image,
and what ``dockgen init`` reads from a Maven or Gradle project.

The Dockerfiles are parsed with the BuildKit parser; the container tier builds
specs/java-maven-greeter and specs/java-gradle-clock for real (tests/containers/test_examples.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import dockerfile
import pytest
import yaml

from support import dockgen, lint_problems, render, shell_commands, split_stages

from dockgen.detect import detect
from dockgen.languages import java

POM = "<project><modelVersion>4.0.0</modelVersion><artifactId>svc</artifactId><version>1</version></project>\n"


def _stages(tmp_path: Path, spec: dict, files: dict[str, str]) -> list[list]:
    project = tmp_path / "app"
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    (project / "dockgen.yaml").write_text(yaml.safe_dump({"name": "svc", "language": "java", "version": "21", **spec}))
    rendered = render(project / "dockgen.yaml", tmp_path / "out")
    return split_stages(dockerfile.parse_string(rendered["Dockerfile"].read_text()))


def _run_words(stage) -> list[list[str]]:
    return [w for c in stage if c.cmd == "RUN" for w in shell_commands(" ".join(c.value))]


WRAPPED_MAVEN = {"pom.xml": POM, "mvnw": "#!/bin/sh\n", ".mvn/wrapper/maven-wrapper.properties": "x=1\n"}
WRAPPED_GRADLE = {"settings.gradle": "", "build.gradle": "", "gradlew": "#!/bin/sh\n",
                  "gradle/wrapper/gradle-wrapper.properties": "x=1\n"}


@pytest.mark.parametrize("spec, files, builder, deps, build", [
    ({}, {"pom.xml": POM}, "maven:3.9-eclipse-temurin-21", ["mvn", "-B", "dependency:go-offline"],
     ["mvn", "-B", "package", "-DskipTests"]),
    ({"dependencies": ["pom.xml", "mvnw", ".mvn/"]}, WRAPPED_MAVEN, "eclipse-temurin:21-jdk",
     ["./mvnw", "-B", "dependency:go-offline"], ["./mvnw", "-B", "package", "-DskipTests"]),
    ({"dependencies": ["settings.gradle", "build.gradle"]}, {"settings.gradle": "", "build.gradle": ""},
     "gradle:8.14-jdk21", ["gradle", "--no-daemon", "dependencies"], ["gradle", "--no-daemon", "assemble", "-x", "test"]),
    ({"dependencies": ["settings.gradle", "build.gradle", "gradlew", "gradle/"]}, WRAPPED_GRADLE,
     "eclipse-temurin:21-jdk", ["./gradlew", "--no-daemon", "dependencies"],
     ["./gradlew", "--no-daemon", "assemble", "-x", "test"]),
])
def test_r07_java_build_tool_follows_the_manifests_and_resolves_before_the_code(tmp_path, spec, files, builder, deps, build):
    stages = _stages(tmp_path, spec, files)
    builder_stage, final = stages[-2], stages[-1]
    assert builder_stage[0].value[0] == builder
    copies = [i for i, c in enumerate(builder_stage) if c.cmd == "COPY"]
    code = next(i for i in copies if list(builder_stage[i].value) == [".", "./"])
    runs = [(i, shell_commands(" ".join(c.value))) for i, c in enumerate(builder_stage) if c.cmd == "RUN"]
    assert [i for i, words in runs if deps in words][0] < code < [i for i, words in runs if build in words][0]
    for i, c in enumerate(builder_stage):
        if c.cmd == "RUN":
            assert any(f.startswith("--mount=type=cache,target=/root/.") for f in c.flags), "R04: ~/.m2 or ~/.gradle cached"
    # a wrapper's directory keeps its path (COPY would put its files beside the others in ./)
    for directory in (d for d in spec.get("dependencies", []) if d.endswith("/")):
        assert [directory, f"./{directory}"] in [list(builder_stage[i].value) for i in copies[:-1]]
    assert final[0].value[0] == "eclipse-temurin:21-jre"


def test_r04_r07_java_final_image_is_the_jre_with_the_jars_layers(tmp_path: Path):
    final = _stages(tmp_path, {"cmd": ["--verbose"]}, {"pom.xml": POM})[-1]
    layers = [c.value for c in final if c.cmd == "COPY" and "--from=builder" in c.flags]
    assert layers == [(f"/out/layers/{name}/", "/app/") for name in
                      ("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")]
    env = [c.value for c in final if c.cmd == "ENV"][0]
    assert env[:2] == ("JAVA_TOOL_OPTIONS", '"-XX:MaxRAMPercentage=75"')  # not in the entrypoint: args still work
    assert [c.value for c in final if c.cmd == "ENTRYPOINT"] == [
        ("/usr/local/bin/run.sh", "/usr/bin/tini", "--", "java", "-jar", "/app/app.jar")]
    assert [c.value for c in final if c.cmd == "CMD"] == [("--verbose",)]
    assert not {w for words in _run_words(final) for w in words} & {"mvn", "gradle", "javac", "maven"}
    assert [c.value for c in final if c.cmd == "USER"][-1] == ("10001:10001",)


def test_java_alpine_variant_and_packages_warning(tmp_path: Path):
    stages = _stages(tmp_path, {"variant": "alpine"}, {"pom.xml": POM})
    assert (stages[-2][0].value[0], stages[-1][0].value[0]) == ("maven:3.9-eclipse-temurin-21-alpine",
                                                                 "eclipse-temurin:21-jre-alpine")
    (tmp_path / "app" / "dockgen.yaml").write_text("name: svc\nlanguage: java\nversion: \"21\"\npackages: [guava]\n")
    result = dockgen("render", tmp_path / "app" / "dockgen.yaml", "-o", tmp_path / "out2")
    assert result.returncode == 0 and "packages: guava ignored" in result.stderr


def _jar(path: Path, entries: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)


def test_r04_java_unpack_puts_a_plain_jar_in_the_application_layer(tmp_path: Path):
    """The builder's unpack command, run by sh as written (its paths moved into tmp_path): the
    jar the build made, and only that one, becomes application/app.jar; every layer exists."""
    (tmp_path / "target").mkdir()
    _jar(tmp_path / "target" / "svc-1.jar", {"META-INF/MANIFEST.MF": "Main-Class: svc.Main\n"})
    _jar(tmp_path / "target" / "svc-1-sources.jar", {"svc/Main.java": ""})
    layers = tmp_path / "out" / "layers"
    script = java.UNPACK.format(out="target", layers=layers, dirs=" ".join(java.LAYERS)).replace("/tmp/app.jar", str(tmp_path / "a.jar"))
    subprocess.run(["sh", "-c", script], cwd=tmp_path, check=True)
    assert sorted(p.name for p in layers.iterdir()) == sorted(java.LAYERS)
    assert [p.name for p in (layers / "application").iterdir()] == ["app.jar"]
    assert zipfile.ZipFile(layers / "application" / "app.jar").namelist() == ["META-INF/MANIFEST.MF"]
    (tmp_path / "empty").mkdir()
    failed = subprocess.run(["sh", "-c", java.UNPACK.format(out="empty", layers=layers, dirs="x")], cwd=tmp_path,
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "no jar in empty" in failed.stderr


def test_r20_init_reads_a_spring_boot_maven_project(tmp_path: Path):
    (tmp_path / "pom.xml").write_text(
        "<project><parent><artifactId>spring-boot-starter-parent</artifactId><groupId>org.springframework.boot"
        "</groupId></parent><artifactId>shop</artifactId><properties><java.version>17</java.version></properties>"
        "<dependencies><dependency><artifactId>spring-boot-starter-web</artifactId></dependency></dependencies></project>\n")
    (tmp_path / "mvnw").write_text("#!/bin/sh\n")
    (tmp_path / ".mvn" / "wrapper").mkdir(parents=True)
    found = detect(tmp_path)
    assert found.language.value == "java"
    assert (found.name.value, found.version.value) == ("shop", "17")
    assert "java.version" in found.version.source
    assert found.dependencies.value == ("pom.xml", "mvnw", ".mvn/")
    assert found.port.value == 8080 and "Spring Boot" in found.port.source
    assert found.command.argv == ()  # the jar is the app: no start command to guess
    (tmp_path / "src" / "main" / "resources").mkdir(parents=True)
    (tmp_path / "src" / "main" / "resources" / "application.properties").write_text("server.port=9000\n")
    assert detect(tmp_path).port.value == 9000


def test_r20_init_reads_a_gradle_project_with_a_toolchain(tmp_path: Path):
    (tmp_path / "settings.gradle.kts").write_text('rootProject.name = "clock"\n')
    (tmp_path / "build.gradle.kts").write_text(
        'plugins { java }\njava {\n    toolchain {\n        languageVersion = JavaLanguageVersion.of(21)\n    }\n}\n')
    (tmp_path / "src" / "main" / "java" / "clock").mkdir(parents=True)
    (tmp_path / "src" / "main" / "java" / "clock" / "Main.java").write_text(
        "class Main {\n  void run() {\n    HttpServer.create(new InetSocketAddress(7070), 0);\n  }\n}\n")
    found = detect(tmp_path)
    assert found.language.value == "java"
    assert (found.name.value, found.version.value) == ("clock", "21")
    assert "JavaLanguageVersion.of(21)" in found.version.source
    assert found.dependencies.value == ("settings.gradle.kts", "build.gradle.kts")
    assert found.port.value == 7070


def test_r20_init_new_java_is_a_jdk_only_web_app(tmp_path: Path):
    result = dockgen("init", "--new", "hello-java", "--language", "java", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    repo = tmp_path / "hello-java"
    spec = yaml.safe_load((repo / "dockgen.yaml").read_text())
    assert (spec["version"], spec["ports"], spec["dependencies"]) == ("21", [8080], ["pom.xml"])
    assert "entrypoint" not in spec
    assert "<dependencies>" not in (repo / "pom.xml").read_text()  # the JDK alone
    assert "com.sun.net.httpserver" in (repo / "src/main/java/app/Main.java").read_text()
    assert (repo / "run.sh").is_file() and {"target/", ".gradle/"} <= set((repo / ".gitignore").read_text().split("\n"))
    ignored = (repo / ".dockerignore").read_text().split("\n")
    assert {"target/", "build/", ".gradle/"} <= set(ignored)


GREETER = Path(__file__).parent.parent / "specs" / "java-maven-greeter"


@pytest.mark.parametrize("spec, base, compress", [
    ({"version": "17"}, "debian:12-slim", "--compress=2"),
    ({"version": "21"}, "debian:12-slim", "--compress=zip-6"),
    ({"variant": "alpine"}, "alpine:3.22", "--compress=zip-6"),
    ({"base": "debian:12.8-slim"}, "debian:12.8-slim", "--compress=zip-6"),
])
def test_r04_r07_java_jlink_runtime_on_a_small_base_without_the_jdk(tmp_path: Path, spec, base, compress):
    """Issue 12: ``jlink: true``: the builder (a JDK image) finds the modules with jdeps and
    links them into /opt/jre; the final image is the small base with that runtime copied in
    first (R07), on PATH, and neither the JDK, its image nor a build tool (R04)."""
    stages = _stages(tmp_path, {"jlink": True, **spec}, {"pom.xml": POM})
    assert len(stages) == 2
    builder, final = stages
    assert "temurin" in builder[0].value[0]  # jdeps and jlink come with the builder's JDK
    scripts = [" ".join(words) for words in _run_words(builder) if words[:2] == ["sh", "-c"]]
    link = scripts[-1]  # after the unpack: the layers' jars are there
    version = spec.get("version", "21")
    assert f"jdeps --ignore-missing-deps --print-module-deps --multi-release {version} $(find /out/layers -name" in link
    assert "mods=\"$mods,jdk.crypto.ec\"" in link and "no jar in" not in link
    assert (f"jlink --add-modules \"$mods\" --strip-java-debug-attributes --no-man-pages --no-header-files {compress} "
            "--output /opt/jre") in link
    assert final[0].value == (base,)
    copies = [c.value for c in final if c.cmd == "COPY" and "--from=builder" in c.flags]
    assert copies[0] == ("/opt/jre/", "/opt/jre/") and copies[-1] == ("/out/layers/application/", "/app/")
    env = dict(zip(*[iter([c for c in final if c.cmd == "ENV"][0].value)] * 2))
    assert env["JAVA_HOME"] == '"/opt/jre"' and env["PATH"].startswith('"/opt/jre/bin:')
    assert env["JAVA_TOOL_OPTIONS"] == '"-XX:MaxRAMPercentage=75"'
    assert [c.value for c in final if c.cmd == "ENTRYPOINT"][0][-3:] == ("java", "-jar", "/app/app.jar")
    text = " ".join(c.original for c in final)
    assert not {"jdk", "temurin", "mvn", "maven", "jlink", "jdeps"} & set(re.split(r"[^a-z]+", text.lower()))
    assert [c.value for c in final if c.cmd == "USER"][-1] == ("10001:10001",)


def test_java_jlink_greeter_lints_clean(tmp_path: Path):
    """The example greeter with ``jlink: true`` passes hadolint (warning level) and BuildKit's parser."""
    project = tmp_path / "greeter"
    shutil.copytree(GREETER, project)
    spec = yaml.safe_load((project / "dockgen.yaml").read_text())
    (project / "dockgen.yaml").write_text(yaml.safe_dump({**spec, "jlink": True}))
    text = render(project / "dockgen.yaml", tmp_path / "out")["Dockerfile"].read_text()
    assert [s[0].value[0] for s in split_stages(dockerfile.parse_string(text))] == [
        "maven:3.9-eclipse-temurin-17", "debian:12-slim"]
    assert lint_problems(text, spec) == []


@pytest.mark.parametrize("language, version", [("python", "3.12"), ("go", "1.23"), ("none", None)])
def test_jlink_is_refused_outside_java(tmp_path: Path, language, version):
    """Issue 12: only Java has a JDK to link a runtime from; elsewhere ``jlink`` is bad input (exit 2) naming the field."""
    lines = [f"name: svc\nlanguage: {language}\n", f"version: \"{version}\"\n" if version else "base: alpine:3.22\n",
             "entrypoint: [/svc]\njlink: true\n"]
    (tmp_path / "dockgen.yaml").write_text("".join(lines))
    result = dockgen("render", tmp_path / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "dockgen.yaml:5:1: jlink: " in result.stderr  # file:line:col of the field
    assert f"only language java links a runtime with jlink; {language} has no JDK" in result.stderr
    assert not (tmp_path / "out").exists()
