"""Rust (issue 12): the builder a final image needs, the dependency step before the code,
the binary's name, and what ``dockgen init`` reads from a Cargo project.

The Dockerfiles are parsed with the BuildKit parser; the container tier builds
specs/rust-greeter-debian for real (tests/containers/test_examples.py).
"""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest
import yaml

from support import dockgen, render, shell_commands, split_stages

from dockgen.detect import detect

DIGEST = "sha256:" + "ab" * 32


def _stages(tmp_path: Path, spec: dict, files: dict[str, str] | None = None) -> list[list]:
    project = tmp_path / "app"
    project.mkdir(exist_ok=True)
    for name, text in {"Cargo.toml": "[package]\nname = \"svc\"\n", "Cargo.lock": "version = 3\n", **(files or {})}.items():
        (project / name).write_text(text)
    (project / "dockgen.yaml").write_text(yaml.safe_dump({"name": "svc", "language": "rust", "version": "1.91", **spec}))
    rendered = render(project / "dockgen.yaml", tmp_path / "out")
    return split_stages(dockerfile.parse_string(rendered["Dockerfile"].read_text()))


def _runs(stage) -> list[list[list[str]]]:
    return [shell_commands(" ".join(c.value)) for c in stage if c.cmd == "RUN"]


@pytest.mark.parametrize("spec, builder, final", [
    ({}, "rust:1.91-alpine", "scratch"),  # static musl binary alone
    ({"variant": "alpine"}, "rust:1.91-alpine", "alpine:3.22"),
    ({"base": "debian:12-slim"}, "rust:1.91-slim-bookworm", "debian:12-slim"),  # glibc of the same release
    ({"base": "debian:13-slim"}, "rust:1.91-slim-trixie", "debian:13-slim"),
    ({"base": f"gcr.io/distroless/cc-debian12@{DIGEST}"}, "rust:1.91-slim-bookworm", f"gcr.io/distroless/cc-debian12@{DIGEST}"),
    ({"base": f"gcr.io/distroless/static-debian12@{DIGEST}"}, "rust:1.91-alpine", f"gcr.io/distroless/static-debian12@{DIGEST}"),
])
def test_r05_rust_builder_matches_the_final_images_c_library(tmp_path: Path, spec: dict, builder: str, final: str):
    stages = _stages(tmp_path, spec)
    froms = {s[0].value[-1] if len(s[0].value) == 3 else None: s[0].value[0] for s in stages}
    assert froms["builder"] == builder
    assert froms[None] == final


def test_r04_r07_rust_dependencies_compile_before_the_code_and_no_cargo_reaches_the_final_image(tmp_path: Path):
    stages = _stages(tmp_path, {"entrypoint": ["/usr/local/bin/greeter"], "cmd": ["--quiet"]})
    builder, final = stages[-2], stages[-1]
    copies = [(i, list(c.value)) for i, c in enumerate(builder) if c.cmd == "COPY"]
    assert copies[0][1] == ["Cargo.toml", "Cargo.lock", "./"] and copies[1][1] == [".", "./"]
    runs = [(i, c) for i, c in enumerate(builder) if c.cmd == "RUN"]
    deps = next(i for i, c in runs if "cargo build --release --locked" in " ".join(c.value) and "--bin" not in " ".join(c.value))
    assert copies[0][0] < deps < copies[1][0], "R07: the dependencies are compiled before the code is copied"
    build = shell_commands(" ".join(builder[-1].value))
    # the entrypoint names the binary; the static build cross-compiles (issue 14, tests/test_cross_compile.py)
    assert ["cargo", "build", "--release", "--locked", "--target", "$triple", "--bin", "greeter"] in build
    for c in builder:
        if c.cmd == "RUN" and "cargo" in " ".join(c.value):
            assert {"--mount=type=cache,target=/usr/local/cargo/registry",
                    "--mount=type=cache,target=/src/target"} <= set(c.flags), "R04: registry and target/ are cache mounts"
    final_words = {w for run in _runs(final) for command in run for w in command}
    assert "cargo" not in final_words and "rustc" not in final_words
    sources = [c.value[0] for c in final if c.cmd == "COPY" and "--from=builder" in c.flags]
    assert sources == ["/out/app", "/etc/ssl/certs/ca-certificates.crt"], "R04: only the binary and the CA bundle"
    assert [c.value for c in final if c.cmd == "ENTRYPOINT"] == [("/sbin/tini", "--", "/usr/local/bin/greeter")]
    assert [c.value for c in final if c.cmd == "USER"][-1] == ("10001:10001",)


def test_rust_without_cargo_lock_builds_unlocked_and_says_so(tmp_path: Path):
    project = tmp_path / "app"
    project.mkdir()
    (project / "Cargo.toml").write_text("[package]\nname = \"svc\"\n")
    (project / "dockgen.yaml").write_text("name: svc\nlanguage: rust\nversion: \"1.91\"\ndependencies: [Cargo.toml]\n")
    result = dockgen("render", project / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "no Cargo.lock" in result.stderr
    assert "--locked" not in (tmp_path / "out" / "Dockerfile").read_text()


def test_r17_rust_on_scratch_refuses_secrets_it_could_not_deliver(tmp_path: Path):
    project = tmp_path / "app"
    project.mkdir()
    (project / "dockgen.yaml").write_text("name: svc\nlanguage: rust\nversion: \"1.91\"\nsecrets: [API_TOKEN]\n")
    result = dockgen("validate", project / "dockgen.yaml")
    assert result.returncode == 2 and "no shell" in result.stderr


def test_r20_init_reads_a_cargo_project(tmp_path: Path):
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "shop"\nrust-version = "1.80"\n\n[[bin]]\nname = "shop-server"\n'
                                         'path = "src/main.rs"\n')
    (tmp_path / "Cargo.lock").write_text('version = 3\n\n[[package]]\nname = "openssl-sys"\nversion = "0.9.100"\n')
    (tmp_path / "rust-toolchain.toml").write_text('[toolchain]\nchannel = "1.89.0"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.rs").write_text('fn main() {\n    HttpServer::new(app)\n        .bind(("0.0.0.0", 9090))?\n}\n')
    found = detect(tmp_path)
    assert found.language.value == "rust"
    assert (found.name.value, found.version.value) == ("shop", "1.89")
    assert "rust-toolchain.toml" in found.version.source
    assert found.command.argv == ("shop-server",) and "[[bin]]" in found.command.source
    assert found.port.value == 9090 and "src/main.rs:3" in found.port.source
    assert found.dependencies.value == ("Cargo.toml", "Cargo.lock")
    assert found.base.value == "debian:12-slim" and any("libssl" in note for note in found.notes)


def test_r20_init_takes_the_newest_release_for_rust_version_and_the_package_name_as_binary(tmp_path: Path):
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "tiny"\nrust-version = "1.80"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.rs").write_text('let listener = TcpListener::bind("0.0.0.0:3000").await?;\n')
    found = detect(tmp_path)
    assert found.version.value == "1.91" and "rust-version" in found.version.source
    assert found.command.argv == ("tiny",) and found.port.value == 3000
    assert found.base is None


def test_r20_init_new_rust_is_a_std_only_web_app_without_run_sh(tmp_path: Path):
    result = dockgen("init", "--new", "hello-rs", "--language", "rust", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    repo = tmp_path / "hello-rs"
    spec = yaml.safe_load((repo / "dockgen.yaml").read_text())
    assert spec["ports"] == [8080] and spec["entrypoint"] == ["hello-rs"]
    assert "[dependencies]\n\n" in (repo / "Cargo.toml").read_text()  # no crates: std only
    assert (repo / "Cargo.lock").is_file() and (repo / "src" / "main.rs").is_file()
    assert not (repo / "run.sh").exists() and "run.sh" not in (repo / "README.md").read_text()
    assert "/target/" in (repo / ".gitignore").read_text()
    assert "target/" in (repo / ".dockerignore").read_text().split("\n")
