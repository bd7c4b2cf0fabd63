"""``files.write`` with names that hold subdirectories (what ``dockgen init --new`` writes, R20).

Flat names are covered through the CLI by test_render_cli.py; these tests call ``write``
directly because only ``init`` writes nested names, and they pin down what init relies on:
parents are created, the overwrite check covers every file before anything is written,
identical files are left alone, and nothing is left behind but the files themselves.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dockgen.errors import UsageError
from dockgen.files import OutputFile, write

FILES = [
    OutputFile("dockgen.yaml", b"name: demo\n"),
    OutputFile(".github/workflows/container.yml", b"name: container\n"),
    OutputFile("bin/start", b"#!/bin/sh\n", 0o755),
]


def on_disk(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(directory).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in directory.rglob("*") if p.is_file()}


def test_r20_write_creates_subdirectories_with_content_and_mode(tmp_path: Path):
    assert write(FILES, tmp_path / "out") == [f.name for f in FILES]
    assert on_disk(tmp_path / "out") == {f.name: (f.content, f.mode) for f in FILES}  # no temp files left
    assert write(FILES, tmp_path / "out") == []  # identical: untouched


def test_r20_write_refuses_a_differing_nested_file_and_writes_nothing(tmp_path: Path):
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/container.yml").write_bytes(b"mine\n")
    with pytest.raises(UsageError) as raised:
        write(FILES, tmp_path, refusal="refusing to overwrite existing files:")
    assert str(raised.value) == f"refusing to overwrite existing files:\n  {tmp_path / '.github/workflows/container.yml'}"
    assert on_disk(tmp_path) == {".github/workflows/container.yml": (b"mine\n", 0o644)}  # all or nothing
    assert write(FILES, tmp_path, force=True) == [f.name for f in FILES]
    assert on_disk(tmp_path)[".github/workflows/container.yml"] == (b"name: container\n", 0o644)


def test_r20_write_reports_a_parent_that_is_a_file_and_changes_nothing(tmp_path: Path):
    """The second file cannot be written: the first, already complete in a temporary file,
    is not put in place either, and no temporary file is left."""
    (tmp_path / "dockgen.yaml").write_bytes(b"name: old\n")
    (tmp_path / ".github").write_bytes(b"a file\n")
    with pytest.raises(UsageError, match=r"cannot write to .*\.github/workflows"):
        write(FILES, tmp_path, force=True)
    assert on_disk(tmp_path) == {"dockgen.yaml": (b"name: old\n", 0o644), ".github": (b"a file\n", 0o644)}


@pytest.mark.parametrize("name", ["../outside", "/etc/outside", "a/../../outside"])
def test_write_refuses_names_outside_the_directory(tmp_path: Path, name: str):
    with pytest.raises(ValueError, match="not inside the output directory"):
        write([OutputFile(name, b"x\n")], tmp_path / "out")
    assert not (tmp_path / "outside").exists() and not (tmp_path / "out").exists()
