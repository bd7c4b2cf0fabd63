""".NET (issue 12): what dockgen renders for an ASP.NET Core app, and what ``init`` reads from a .NET project.

Every Dockerfile here is rendered by the installed CLI and parsed with the BuildKit parser
(``dockerfile``), then checked instruction by instruction: the final stage holds no SDK
(R04, R05), a numeric non-root USER (R15), the project files copied before the restore and
the code after it (R07), NuGet's packages in a cache mount (R04), references to Microsoft's
registry pinned (R06). Nothing is built: Debian has no .NET SDK, and mcr.microsoft.com and
nuget.org are not reachable here (README, "What is built for real").
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dockerfile
import pytest
import yaml

from support import ROOT, dockgen, lint_problems, render, shell_commands, split_stages, write_tree

from dockgen.images import accounts_of, family_of, image_users

EXAMPLE = ROOT / "specs" / "dotnet-tasks"
SDK = "mcr.microsoft.com/dotnet/sdk"


class Rendered:
    """The files the CLI rendered for a spec, its Dockerfile parsed into stages."""

    def __init__(self, spec: Path, out: Path):
        self.spec = yaml.safe_load(spec.read_text())
        self.files = render(spec, out)
        self.stages = split_stages(dockerfile.parse_string(self.files["Dockerfile"].read_text()))
        self.builder, self.final = self.stages[-2], self.stages[-1]

    def runs(self, stage) -> list[list[list[str]]]:
        """The &&-joined commands (word lists) of each RUN of ``stage``."""
        return [shell_commands(" ".join(c.value)) for c in stage if c.cmd == "RUN"]

    def one(self, stage, cmd: str):
        found = [c for c in stage if c.cmd == cmd]
        assert len(found) == 1, [c.original for c in found]
        return found[0]

    def user(self) -> str:
        """The final stage's last USER (a spec's own ``base`` starts it with ``USER 0:0``)."""
        return [c.value[0] for c in self.final if c.cmd == "USER"][-1]

    def env(self, stage) -> dict[str, str]:
        values = [v for c in stage if c.cmd == "ENV" for v in c.value]
        return {name: value.strip('"') for name, value in zip(values[::2], values[1::2])}


def spec_dir(tmp_path: Path, spec: dict, files: dict[str, str] | None = None) -> Path:
    """A build context with ``spec`` as dockgen.yaml and the example's app files (or ``files``)."""
    directory = tmp_path / "ctx"
    directory.mkdir()
    if files is None:
        for name in ("Tasks.csproj", "packages.lock.json", "Program.cs"):
            shutil.copy(EXAMPLE / name, directory / name)
    else:
        write_tree(directory, files)
    (directory / "dockgen.yaml").write_text(yaml.safe_dump(spec))
    return directory / "dockgen.yaml"



def example_spec(**changes) -> dict:
    spec = yaml.safe_load((EXAMPLE / "dockgen.yaml").read_text())
    spec.update(changes)
    return {key: value for key, value in spec.items() if value is not None}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Rendered:
    return Rendered(EXAMPLE / "dockgen.yaml", tmp_path_factory.mktemp("dotnet") / "out")


# --- the example: ASP.NET Core on aspnet ---------------------------------------------------


def test_r04_r05_final_stage_is_the_aspnet_runtime_without_the_sdk(example):
    assert example.builder[0].value == (f"{SDK}:10.0", "AS", "builder")
    assert example.final[0].value == ("mcr.microsoft.com/dotnet/aspnet:10.0",)
    final_words = {w for run in example.runs(example.final) for command in run for w in command}
    assert "dotnet" not in final_words, "no restore or publish in the final stage"
    copies = [c for c in example.final if c.cmd == "COPY"]
    assert [(c.flags, c.value) for c in copies if c.flags] == [(("--from=builder",), ("/app", "/app"))], \
        "the final image takes only the published app from the builder"
    assert [c.value for c in copies if not c.flags] == [("run.sh", "/usr/local/bin/run.sh")], "no code from the context"


def test_r07_project_files_copied_before_the_restore_and_the_code_after_it(example):
    names = [(c.cmd, c.value) for c in example.builder]
    project = names.index(("COPY", ("Tasks.csproj", "packages.lock.json", "./")))
    runs = [i for i, (cmd, _) in enumerate(names) if cmd == "RUN"]
    code = names.index(("COPY", (".", "./")))
    assert project < runs[0] < code < runs[1], names
    restore, publish = (shell_commands(" ".join(example.builder[i].value)) for i in runs)
    assert restore == [["dotnet", "restore", "Tasks.csproj", "--locked-mode"]]
    assert publish == [["dotnet", "publish", "Tasks.csproj", "-c", "Release", "-o", "/app", "-p:RestoreLockedMode=true"]]


def test_r04_nuget_packages_live_in_a_cache_mount_for_restore_and_publish(example):
    runs = [c for c in example.builder if c.cmd == "RUN"]
    assert len(runs) == 2
    for run in runs:
        assert "--mount=type=cache,target=/root/.nuget/packages" in run.flags, run.original


def test_r15_numeric_user_is_the_images_own_account_not_created_again(example):
    assert example.one(example.final, "USER").value == ("1654:1654",)
    words = {w for run in example.runs(example.final) for command in run for w in command}
    assert not words & {"useradd", "groupadd"}, "the aspnet image already has app (1654)"
    assert example.final[-2].cmd == "ENTRYPOINT" and [c.cmd for c in example.final].index("USER") < len(example.final) - 2


def test_r12_entrypoint_runs_the_assembly_and_kestrel_listens_on_the_specs_ports(example):
    assert list(example.one(example.final, "ENTRYPOINT").value) == ["/usr/local/bin/run.sh", "/usr/bin/tini", "--", "dotnet"]
    assert list(example.one(example.final, "CMD").value) == ["Tasks.dll"]
    env = example.env(example.final)
    assert env["ASPNETCORE_HTTP_PORTS"] == "8080" and env["DOTNET_EnableDiagnostics"] == "0"
    assert example.env(example.builder) == {"DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    assert example.one(example.final, "EXPOSE").value == ("8080",)


def test_r19_dockerignore_keeps_build_output_out(example):
    patterns = example.files[".dockerignore"].read_text().splitlines()
    assert {"bin/", "obj/", ".vs/"} <= set(patterns)


# --- the other final images -------------------------------------------------------------


@pytest.mark.parametrize("base, shared", [("mcr.microsoft.com/dotnet/runtime:10.0", True),
                                          ("mcr.microsoft.com/dotnet/runtime-deps:10.0", False)])
def test_r05_console_apps_run_on_runtime_and_self_contained_ones_on_runtime_deps(base, shared, tmp_path):
    spec = example_spec(base=base, ports=None, entrypoint=None, cmd=None, name="tasks")
    r = Rendered(spec_dir(tmp_path, spec), tmp_path / "out")
    assert r.final[0].value == (base,)
    publish = r.runs(r.builder)[-1][0]
    restore = r.runs(r.builder)[0][0]
    assert ("--self-contained" in publish) is not shared and ("--use-current-runtime" in publish) is not shared
    assert ("--use-current-runtime" in restore) is not shared, "restore for the platform publish builds for"
    entrypoint = list(r.one(r.final, "ENTRYPOINT").value)
    assert entrypoint[-2:] == (["dotnet", "tasks.dll"] if shared else ["--", "/app/tasks"])
    assert "ASPNETCORE_HTTP_PORTS" not in r.env(r.final), "no ports, no Kestrel port"
    assert lint_problems(r.files["Dockerfile"].read_text(), spec) == []


def test_r17_a_chiseled_image_has_no_shell_so_no_run_sh_and_no_secrets(tmp_path):
    spec = example_spec(base="mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled")
    r = Rendered(spec_dir(tmp_path, spec), tmp_path / "out")
    assert "run.sh" not in r.files
    assert list(r.one(r.final, "ENTRYPOINT").value) == ["/sbin/tini", "--", "dotnet"]
    assert r.user() == "1654:1654"
    (tmp_path / "s").mkdir()
    refused = dockgen("render", spec_dir(tmp_path / "s", example_spec(
        base="mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", secrets=["DB_PASSWORD"])), "-o", tmp_path / "o2")
    assert refused.returncode == 2 and "no shell" in refused.stderr and "R17" in refused.stderr


def test_r05_alpine_variant_builds_and_runs_on_alpine_images(tmp_path):
    r = Rendered(spec_dir(tmp_path, example_spec(variant="alpine")), tmp_path / "out")
    assert r.builder[0].value[0] == f"{SDK}:10.0-alpine"
    assert r.final[0].value == ("mcr.microsoft.com/dotnet/aspnet:10.0-alpine",)
    assert ["apk", "add", "--no-cache", "tini"] in [c for run in r.runs(r.final) for c in run]


def test_r07_without_a_lock_file_restore_is_not_locked(tmp_path):
    spec = example_spec(dependencies=["Tasks.csproj"])
    r = Rendered(spec_dir(tmp_path, spec), tmp_path / "out")
    restore, publish = (run[0] for run in r.runs(r.builder))
    assert restore == ["dotnet", "restore", "Tasks.csproj"]
    assert not [w for w in publish if "Locked" in w]


# --- users, references outside Docker Hub (R06, R15) -------------------------------------


def test_r15_the_default_user_name_clashes_with_the_images_app_and_the_refusal_says_how_to_use_it(tmp_path):
    spec = example_spec(user=None)
    result = dockgen("render", spec_dir(tmp_path, spec), "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "already has (uid 1654, gid 1654)" in result.stderr
    assert "user: {name: app, uid: 1654, gid: 1654}" in result.stderr and "R15" in result.stderr


def test_r15_an_own_account_is_created_with_the_specs_ids(tmp_path):
    spec = example_spec(user={"name": "tasks", "uid": 10001, "gid": 10001})
    r = Rendered(spec_dir(tmp_path, spec), tmp_path / "out")
    commands = [c for run in r.runs(r.final) for c in run]
    assert ["groupadd", "--gid", "10001", "tasks"] in commands
    assert r.user() == "10001:10001"


@pytest.mark.parametrize("base, message", [
    ("mcr.microsoft.com/dotnet/aspnet:latest", "uses the tag `latest`"),
    ("mcr.microsoft.com/dotnet/aspnet", "has no tag"),
    ("mcr.microsoft.com/dotnet/aspnet:noble", "does not start with a version"),
])
def test_r06_microsoft_registry_references_must_be_pinned(base, message, tmp_path):
    result = dockgen("validate", spec_dir(tmp_path, example_spec(base=base)))
    assert result.returncode == 2 and message in result.stderr and "R06" in result.stderr
    assert "mcr.microsoft.com/dotnet/aspnet:<version>" in result.stderr or message == "does not start with a version"


def test_r06_a_digest_pins_a_registry_reference(tmp_path):
    digest = "sha256:" + "a" * 64
    base = f"mcr.microsoft.com/dotnet/aspnet:10.0@{digest}"
    r = Rendered(spec_dir(tmp_path, example_spec(base=base)), tmp_path / "out")
    assert r.final[0].value == (base,)
    assert r.user() == "1654:1654"


def test_microsoft_images_family_and_accounts_are_read_from_the_reference():
    digest = "sha256:" + "b" * 64
    assert image_users(f"mcr.microsoft.com/dotnet/aspnet:10.0@{digest}") == {"app": (1654, 1654)}
    assert image_users("localhost:5000/dotnet/aspnet:10.0") == {} and image_users("dotnet/aspnet:10.0") == {}
    assert family_of("mcr.microsoft.com/dotnet/aspnet:10.0-alpine").name == "alpine"
    assert family_of("mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled").name == "distroless"
    assert family_of("mcr.microsoft.com/dotnet/aspnet:8.0-azurelinux3.0-distroless").name == "distroless"
    assert family_of("mcr.microsoft.com/dotnet/aspnet:10.0").name == "debian"
    assert "app" in accounts_of("mcr.microsoft.com/dotnet/runtime:9.0") and "app" not in accounts_of("debian:12-slim")
    assert "node" in accounts_of("docker.io/library/node:22-slim")


# --- init on .NET projects (R20) ----------------------------------------------------------


def test_r20_init_on_the_example_writes_the_committed_spec(tmp_path):
    directory = tmp_path / "tasks"
    directory.mkdir()
    for name in ("Tasks.csproj", "packages.lock.json", "Program.cs"):
        shutil.copy(EXAMPLE / name, directory / name)
    result = dockgen("init", directory, "--yes")
    assert result.returncode == 0, result.stderr
    drafted = yaml.safe_load((directory / "dockgen.yaml").read_text())
    committed = yaml.safe_load((EXAMPLE / "dockgen.yaml").read_text())
    assert drafted == {key: value for key, value in committed.items() if key != "description"}
    text = (directory / "dockgen.yaml").read_text()
    assert "version: '10.0'  # Tasks.csproj: <TargetFramework>net10.0</TargetFramework>" in text
    assert "ports: [8080]  # ASP.NET Core 8+ in a container listens on 8080" in text


CONSOLE = '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <OutputType>Exe</OutputType>\n' \
          '    <TargetFramework>net8.0</TargetFramework>\n    <AssemblyName>Reporter</AssemblyName>\n' \
          '  </PropertyGroup>\n</Project>\n'
AOT = '<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n    <TargetFramework>net9.0</TargetFramework>\n' \
      '    <PublishAot>true</PublishAot>\n  </PropertyGroup>\n</Project>\n'
WEB8 = '<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n' \
       '  </PropertyGroup>\n</Project>\n'


def init_render(tmp_path: Path, files: dict[str, str]) -> tuple[dict, str, Rendered]:
    """init --yes --render on a project of ``files``: (the spec, its text, the rendered files)."""
    directory = write_tree(tmp_path / "proj", files)
    result = dockgen("init", directory, "--yes", "--render")
    assert result.returncode == 0, result.stderr
    text = (directory / "dockgen.yaml").read_text()
    spec = yaml.safe_load(text)
    rendered = Rendered(directory / "dockgen.yaml", tmp_path / "out")
    assert lint_problems(rendered.files["Dockerfile"].read_text(), spec) == []
    return spec, text, rendered


def test_r20_init_puts_a_console_app_on_the_runtime_image(tmp_path):
    spec, text, r = init_render(tmp_path, {"Reporter.csproj": CONSOLE, "Program.cs": 'Console.WriteLine("hi");\n'})
    assert spec["name"] == "reporter" and spec["version"] == "8.0"
    assert spec["base"] == "mcr.microsoft.com/dotnet/runtime:8.0" and "not Sdk.Web" in text
    assert spec["entrypoint"] == ["dotnet"] and spec["cmd"] == ["Reporter.dll"]
    assert "ports" not in spec and "# ports: [8080]" in text
    assert r.final[0].value == ("mcr.microsoft.com/dotnet/runtime:8.0",)


def test_r20_init_compiles_native_aot_with_clang_onto_runtime_deps(tmp_path):
    spec, text, r = init_render(tmp_path, {"Api.csproj": AOT, "Program.cs": "var app = WebApplication.Create();\napp.Run();\n"})
    assert spec["base"] == "mcr.microsoft.com/dotnet/runtime-deps:9.0"
    assert spec["build_packages"] == ["clang", "zlib1g-dev"] and "<PublishAot>true</PublishAot>" in text
    assert spec["entrypoint"] == ["/app/Api"] and "cmd" not in spec
    builder_commands = [c for run in r.runs(r.builder) for c in run]
    assert any(c[:2] == ["apt-get", "install"] and "clang" in c for c in builder_commands)
    final_words = {w for run in r.runs(r.final) for c in run for w in c}
    assert "clang" not in final_words, "R04: the compiler stays in the builder"
    assert "--self-contained" in r.runs(r.builder)[-1][0]


def test_r20_init_reads_the_port_from_the_code_then_launch_settings(tmp_path):
    launch = '{"profiles": {"http": {"applicationUrl": "https://localhost:7001;http://localhost:5123"}}}'
    spec, text, _ = init_render(tmp_path / "a", {"Web.csproj": WEB8, "Properties/launchSettings.json": launch,
                                                 "Program.cs": "var app = WebApplication.Create();\napp.Run();\n"})
    assert spec["ports"] == [5123] and "launchSettings.json: http: http://localhost:5123" in text
    spec, text, r = init_render(tmp_path / "b", {"Web.csproj": WEB8, "Properties/launchSettings.json": launch,
                                                 "Program.cs": 'var app = WebApplication.Create();\napp.Run("http://0.0.0.0:5005");\n'})
    assert spec["ports"] == [5005] and "Program.cs:2:" in text
    assert r.env(r.final)["ASPNETCORE_HTTP_PORTS"] == "5005"


def test_r20_init_reads_global_json_and_notes_a_disagreeing_sdk(tmp_path):
    directory = write_tree(tmp_path / "g", {"global.json": '{"sdk": {"version": "9.0.100"}}', "Web.csproj": WEB8})
    result = dockgen("init", directory, "--yes")
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert spec["version"] == "8.0" and spec["dependencies"] == ["Web.csproj", "global.json"]
    assert "global.json pins the SDK 9.0.100" in result.stderr
    only = write_tree(tmp_path / "h", {"global.json": '{"sdk": {"version": "9.0.100"}}', "Program.cs": "\n"})
    result = dockgen("init", only, "--yes", "--language", "dotnet")
    assert result.returncode == 0, result.stderr
    assert "version: '9.0'  # global.json: sdk.version 9.0.100" in (only / "dockgen.yaml").read_text()


def test_r20_new_dotnet_repo_is_an_aspnet_app_with_its_lock_and_no_health_check(tmp_path):
    result = dockgen("init", "--new", "demo-dotnet", "--language", "dotnet", "--port", "5080", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "demo-dotnet"
    spec = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert spec["ports"] == [5080] and spec["cmd"] == ["demo-dotnet.dll"] and "healthcheck" not in spec
    assert spec["user"] == {"name": "app", "uid": 1654, "gid": 1654}
    assert '"applicationUrl": "http://localhost:5080"' in (directory / "Properties/launchSettings.json").read_text()
    assert 'MapGet("/health"' in (directory / "Program.cs").read_text()
    assert {"bin/", "obj/"} <= set((directory / ".gitignore").read_text().splitlines())
    dockerfile_text = (directory / "Dockerfile").read_text()
    assert 'ENV ASPNETCORE_HTTP_PORTS="5080"' in dockerfile_text
    assert lint_problems(dockerfile_text, spec) == []


def test_r20_a_solution_with_its_project_in_a_folder_is_dotnet_and_the_note_says_what_to_do(tmp_path):
    directory = write_tree(tmp_path / "sln", {"Shop.sln": "Microsoft Visual Studio Solution File\n",
                                              "src/Shop.Api/Shop.Api.csproj": WEB8})
    result = dockgen("init", directory, "--yes")
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((directory / "dockgen.yaml").read_text())
    assert spec["language"] == "dotnet" and spec["user"] == {"name": "app", "uid": 1654, "gid": 1654}
    assert "the project is src/Shop.Api/Shop.Api.csproj" in result.stderr
