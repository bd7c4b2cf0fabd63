"""``dockgen render`` / ``validate`` / ``--version`` behaviour through the real CLI (issue 2).

Determinism (byte-identical across runs and output directories), ``--check`` (exit 1
listing the differing files, writes nothing; exit 0 when up to date), refusing to
overwrite a differing file without ``--force``, run.sh mode 0755, ``--print-run`` (R13,
R14) and ``validate`` on a valid spec.
"""

from __future__ import annotations

import re
import shlex
import stat
from pathlib import Path

from support import EXAMPLES, dockgen, render

PYTHON_NOTES = next(p for p in EXAMPLES if p.parent.name == "python-notes")


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int, int]]:
    """name -> (content, mode, mtime_ns) of every file in ``directory``."""
    return {p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode), p.stat().st_mtime_ns)
            for p in sorted(directory.iterdir())}


def test_output_is_byte_identical_across_runs_and_directories(any_spec, tmp_path):
    first = render(any_spec, tmp_path / "a")
    second = render(any_spec, tmp_path / "nested" / "elsewhere" / "b")
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes(), name
    # A second run into the same directory changes nothing and says so.
    before = _snapshot(tmp_path / "a")
    again = dockgen("render", any_spec, "-o", tmp_path / "a")
    assert again.returncode == 0 and again.stdout == "" and "up to date" in again.stderr
    assert _snapshot(tmp_path / "a") == before


def test_output_does_not_depend_on_the_working_directory(tmp_path):
    a = dockgen("render", PYTHON_NOTES, "-o", tmp_path / "a")
    b = dockgen("render", PYTHON_NOTES.resolve(), "-o", (tmp_path / "b").resolve(), cwd=tmp_path)
    assert a.returncode == b.returncode == 0
    for name in ("Dockerfile", ".dockerignore", "compose.yaml", "run.sh"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_render_writes_the_expected_files(tmp_path):
    files = render(PYTHON_NOTES, tmp_path / "out")
    assert sorted(files) == [".dockerignore", "Dockerfile", "compose.yaml", "run.sh"]
    result = dockgen("render", PYTHON_NOTES, "-o", tmp_path / "other")
    assert all(line.startswith("wrote ") for line in result.stdout.splitlines()), result.stdout
    assert sorted(Path(line.removeprefix("wrote ")).name for line in result.stdout.splitlines()) == sorted(files)


def test_run_sh_is_executable_0755(tmp_path):
    files = render(PYTHON_NOTES, tmp_path / "out")
    assert stat.S_IMODE(files["run.sh"].stat().st_mode) == 0o755
    for name in (".dockerignore", "Dockerfile", "compose.yaml"):
        assert stat.S_IMODE(files[name].stat().st_mode) == 0o644, name


def test_check_exits_0_when_up_to_date(tmp_path):
    render(PYTHON_NOTES, tmp_path / "out")
    before = _snapshot(tmp_path / "out")
    result = dockgen("render", PYTHON_NOTES, "-o", tmp_path / "out", "--check")
    assert result.returncode == 0, result.stderr
    assert _snapshot(tmp_path / "out") == before


def test_check_exits_1_listing_differing_files_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    render(PYTHON_NOTES, out)
    (out / "Dockerfile").write_text("FROM scratch\n")
    (out / "run.sh").chmod(0o644)  # a mode change is a difference too
    (out / "compose.yaml").unlink()
    before = _snapshot(out)
    result = dockgen("render", PYTHON_NOTES, "-o", out, "--check")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    listed = {Path(line.split(": ", 1)[1]).name: line.split(":")[0].strip() for line in result.stderr.splitlines() if line.startswith("  ")}
    assert listed == {"Dockerfile": "differs", "run.sh": "differs", "compose.yaml": "missing"}
    assert _snapshot(out) == before


def test_check_on_an_empty_directory_lists_everything(tmp_path):
    out = tmp_path / "out"
    result = dockgen("render", PYTHON_NOTES, "-o", out, "--check")
    assert result.returncode == 1
    listed = {Path(line.split(": ", 1)[1]).name: line.split(":")[0].strip() for line in result.stderr.splitlines() if line.startswith("  ")}
    assert listed == dict.fromkeys(["Dockerfile", ".dockerignore", "compose.yaml", "run.sh"], "missing")
    assert not out.exists()


def test_refuses_to_overwrite_a_differing_file_without_force(tmp_path):
    out = tmp_path / "out"
    render(PYTHON_NOTES, out)
    (out / "Dockerfile").write_text("# my own edits\n")
    (out / ".dockerignore").unlink()
    before = _snapshot(out)
    result = dockgen("render", PYTHON_NOTES, "-o", out)
    assert result.returncode == 2
    assert "--force" in result.stderr and "Dockerfile" in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(out) == before, "all or nothing: not even the missing file is written"


def test_force_replaces_a_differing_file(tmp_path):
    out = tmp_path / "out"
    reference = render(PYTHON_NOTES, tmp_path / "reference")
    out.mkdir()
    (out / "Dockerfile").write_text("# my own edits\n")
    (out / "run.sh").write_text("#!/bin/sh\n")
    result = dockgen("render", PYTHON_NOTES, "-o", out, "--force")
    assert result.returncode == 0, result.stderr
    for name, path in reference.items():
        assert (out / name).read_bytes() == path.read_bytes(), name
    assert stat.S_IMODE((out / "run.sh").stat().st_mode) == 0o755
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name not in reference], "no temp files left"


def test_print_run_prints_a_locked_down_docker_run_line(tmp_path):
    result = dockgen("render", PYTHON_NOTES, "--print-run", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\n")
    words = shlex.split(result.stdout.replace("$PWD", "/pwd"))
    assert words[:2] == ["docker", "run"]
    assert "--read-only" in words  # R13
    assert words[words.index("--cap-drop") + 1] == "ALL"  # R14
    assert words[words.index("--security-opt") + 1] == "no-new-privileges:true"  # R14
    assert words[words.index("--user") + 1] == "10001:10001"  # R15
    assert words[-1] == "notes-api:dev"
    assert "--env" in words and "DB_PASSWORD_FILE=/run/secrets/db_password" in words  # R18
    assert not (tmp_path / "out").exists(), "--print-run writes no file"


def test_version():
    result = dockgen("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"dockgen \d+\.\d+\.\d+\S*\n", result.stdout), result.stdout


def test_validate_a_valid_spec_exits_0_and_writes_nothing(any_spec, tmp_path):
    before = sorted(p.name for p in any_spec.parent.iterdir())
    result = dockgen("validate", any_spec)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in any_spec.parent.iterdir()) == before


def test_unknown_option_is_a_usage_error():
    result = dockgen("render", "--no-such-option")
    assert result.returncode == 2 and "Traceback" not in result.stderr
