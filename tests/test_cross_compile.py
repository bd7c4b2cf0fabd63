"""Issue 14: Go cross-compiles in a builder on the build platform (``FROM
--platform=$BUILDPLATFORM``, GOOS/GOARCH from BuildKit's TARGETOS/TARGETARCH) instead of
emulating the whole build; interpreted languages and per-platform Go builds do not."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import dockerfile
import pytest
import yaml

from dockgen.languages import go
from dockgen.loader import load_text
from dockgen.plan import make_plan

GO = {"name": "pinger", "language": "go", "version": "1.24"}


def _plan(spec: dict):
    return make_plan(load_text(yaml.safe_dump(spec), Path("dockgen.yaml")))


def _instructions(text: str) -> list[tuple[str, str]]:
    return [(i.cmd.upper(), i.original) for i in dockerfile.parse_string(text)]


def test_r07_go_builder_runs_on_the_build_platform_and_targets_the_target(tmp_path: Path) -> None:
    from support import render

    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump({**GO, "dependencies": []}))
    (tmp_path / "main.go").write_text("package main\nfunc main() {}\n")
    text = render(tmp_path / "dockgen.yaml", tmp_path / "out")["Dockerfile"].read_text()
    instructions = _instructions(text)
    builder = next(i for i, (cmd, line) in enumerate(instructions) if cmd == "FROM" and "AS builder" in line)
    assert instructions[builder][1] == "FROM --platform=$BUILDPLATFORM golang:1.24 AS builder"
    stage = instructions[builder:next(i for i in range(builder + 1, len(instructions)) if instructions[i][0] == "FROM")]
    lines = [line for _, line in stage]
    arg = lines.index("ARG TARGETOS TARGETARCH")
    env = lines.index("ENV GOOS=${TARGETOS} GOARCH=${TARGETARCH}")
    build = next(i for i, line in enumerate(lines) if "go build" in line)
    assert arg < env < build  # the platform reaches the compiler
    assert 'ENV CGO_ENABLED="0"' in lines  # a static binary needs no C toolchain of the target
    final = [line for cmd, line in instructions[builder:] if cmd == "FROM"][-1]
    assert "--platform" not in final  # the final stage is the target platform's


def test_r07_the_platform_args_come_after_the_module_download() -> None:
    """The module download layer is the same for every target platform (R07)."""
    steps = make_plan(load_text(yaml.safe_dump(GO), Path("dockgen.yaml"))).stages[-2].steps
    kinds = [s.kind for s in steps]
    assert kinds.index("target_platform") > kinds.index("run")  # go mod download first
    assert steps[kinds.index("target_platform")].args == ("TARGETOS", "TARGETARCH")


def test_go_install_packages_build_per_platform() -> None:
    """A cross-compiled `go install` writes to /go/bin/<os>_<arch>/, which the final image
    would not find: such specs build per platform (no --platform, no GOOS)."""
    plan = _plan({**GO, "packages": ["github.com/example/tool@v1.2.3"]})
    builder = plan.stages[-2]
    assert builder.steps[0].platform is None
    assert "target_platform" not in [s.kind for s in builder.steps]


def test_toolchain_hook_is_language_neutral() -> None:
    """The hook other compiled languages (Rust) use: Toolchain.cross_env, Toolchain.cross."""
    tool = go.toolchain(load_text(yaml.safe_dump(GO), Path("dockgen.yaml")).spec)
    assert tool.cross and tool.cross_env == (("GOOS", "TARGETOS"), ("GOARCH", "TARGETARCH"))


def test_interpreted_builders_run_per_platform() -> None:
    plan = _plan({"name": "demo", "language": "python", "version": "3.12", "entrypoint": ["python", "app.py"],
                  "dependencies": []})
    for stage in plan.stages:
        assert all(getattr(s, "platform", None) is None for s in stage.steps)
        assert "target_platform" not in [s.kind for s in stage.steps]


# --- Rust (issue 14): the static musl build cross-compiles, glibc builds run per platform ---

RUST = {"name": "greeter", "language": "rust", "version": "1.91"}


def _rust_builder(tmp_path: Path, spec: dict) -> tuple[str, list[str]]:
    """(the rendered Dockerfile, the builder stage's instructions as written) for a Cargo project."""
    from support import render

    project = tmp_path / "app"
    project.mkdir(exist_ok=True)
    (project / "Cargo.toml").write_text('[package]\nname = "greeter"\n')
    (project / "Cargo.lock").write_text("version = 3\n")
    (project / "dockgen.yaml").write_text(yaml.safe_dump({**RUST, **spec}))
    text = render(project / "dockgen.yaml", tmp_path / "out")["Dockerfile"].read_text()
    instructions = _instructions(text)
    builder = next(i for i, (cmd, line) in enumerate(instructions) if cmd == "FROM" and "AS builder" in line)
    end = next(i for i in range(builder + 1, len(instructions)) if instructions[i][0] == "FROM")
    return text, [line for _, line in instructions[builder:end]]


def test_r07_rust_musl_builder_cross_compiles_for_the_target_triple(tmp_path: Path) -> None:
    from support import hadolint

    text, lines = _rust_builder(tmp_path, {})
    assert lines[0] == "FROM --platform=$BUILDPLATFORM rust:1.91-alpine AS builder"
    arg, env = lines.index("ARG TARGETARCH"), lines.index("ENV RUST_TARGETARCH=${TARGETARCH}")
    deps = next(i for i, line in enumerate(lines) if "rustup target add" in line)
    build = next(i for i, line in enumerate(lines) if "--bin greeter" in line)
    assert arg < env < lines.index("COPY Cargo.toml Cargo.lock ./") < deps < build  # the dependencies compile for the target too
    assert 'cargo build --release --locked --target "$triple" && rm -rf src' in " ".join(lines[deps].split())
    assert 'cargo build --release --locked --target "$triple" --bin greeter' in lines[build]
    assert 'cp target/"$triple"/release/greeter /out/app' in lines[build]
    linkers = next(line for line in lines if "_LINKER=" in line)  # no C cross toolchain: rust-lld links musl
    assert 'CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER="rust-lld"' in linkers
    assert 'CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER="rust-lld"' in linkers
    assert hadolint(text) == []


@pytest.mark.parametrize("arch, triple", [("amd64", "x86_64-unknown-linux-musl"), ("arm64", "aarch64-unknown-linux-musl"),
                                          ("s390x", "unsupported-TARGETARCH-s390x-unknown-linux-musl")])
def test_rust_triple_comes_from_targetarch(tmp_path: Path, arch: str, triple: str) -> None:
    """The rendered shell word, run by a POSIX shell as BuildKit's RUN would, names the triple
    (an arch without one names itself in the error rustup then gives)."""
    _, lines = _rust_builder(tmp_path, {})
    run = next(line for line in lines if "rustup target add" in line)
    word = re.search(r'triple="\$\(case .*? esac\)[^"]*"', run).group(0)
    result = subprocess.run(["sh", "-c", f'{word} && printf %s "$triple"'], env={"RUST_TARGETARCH": arch, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, check=True)
    assert result.stdout == triple


@pytest.mark.parametrize("spec", [{"base": "debian:12-slim"}, {"build_packages": ["libssl-dev"]},
                                  {"packages": ["cargo-audit@0.21.0"]}])
def test_rust_glibc_c_linking_and_cargo_install_builds_run_per_platform(tmp_path: Path, spec: dict) -> None:
    """A Debian (glibc) builder would need a gcc cross toolchain and the target's libraries;
    target C code (build_packages) cannot be linked by rust-lld; ``cargo install`` puts host
    tools in the image: these build per platform (no --platform, no --target)."""
    _, lines = _rust_builder(tmp_path, spec)
    assert "--platform" not in lines[0]
    assert not any("TARGETARCH" in line or "--target" in line or "_LINKER=" in line for line in lines)
    assert any("cp target/release/greeter /out/app" in line for line in lines)
