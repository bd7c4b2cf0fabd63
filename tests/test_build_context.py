"""The build context is checked before anything is written (issue 10, item 7): a ``copy`` or
``dependencies`` entry that leaves the context through a symlink is refused (the build would
fail later with ``lstat ... no such file``); a misspelt manifest with a near-identical file
beside it is refused with the suggestion; a manifest missing with no near match is a warning.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from support import dockgen

BASE = {"name": "demo", "language": "python", "version": "3.12", "entrypoint": ["python", "app.py"]}


def spec_at(root: Path, **fields) -> Path:
    path = root / "dockgen.yaml"
    path.write_text(yaml.safe_dump({**BASE, **fields}, default_flow_style=False, sort_keys=False))
    return path


def refused(spec: Path, out: Path) -> str:
    result = dockgen("render", spec, "-o", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not out.exists()
    return result.stderr


def line_of(spec: Path, text: str) -> int:
    return next(i for i, line in enumerate(spec.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("link_to", ["outside", "outside/dir"])
def test_a_copy_entry_that_is_a_symlink_out_of_the_context_is_refused(tmp_path: Path, link_to: str):
    (tmp_path / "outside" / "dir").mkdir(parents=True)
    context = tmp_path / "app"
    context.mkdir()
    (context / "requirements.txt").write_text("")
    os.symlink(tmp_path / link_to, context / "shared")
    spec = spec_at(context, copy=["app.py", "shared"])
    message = refused(spec, tmp_path / "out")
    assert f"{spec}:{line_of(spec, '- shared')}:" in message and "copy[1]:" in message, message
    assert "leads out of the build context" in message and "lstat" in message, message


def test_a_dangling_symlink_is_refused_and_a_link_inside_the_context_is_fine(tmp_path: Path):
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / "src").mkdir()
    os.symlink("src", tmp_path / "code")
    os.symlink("gone", tmp_path / "broken")
    assert dockgen("validate", spec_at(tmp_path, copy=["code"])).returncode == 0
    message = refused(spec_at(tmp_path, copy=["code", "broken"]), tmp_path / "out")
    assert "copy[1]:" in message and "does not exist" in message, message


def test_r07_a_misspelt_manifest_beside_the_right_one_is_refused_with_the_name(tmp_path: Path):
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    spec = spec_at(tmp_path, dependencies=["requirments.txt"])
    message = refused(spec, tmp_path / "out")
    assert f"{spec}:{line_of(spec, 'requirments.txt')}:" in message and "dependencies[0]:" in message, message
    assert "did you mean `requirements.txt`?" in message, message


def test_r07_a_misspelt_manifest_in_a_folder_names_the_file_there(tmp_path: Path):
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "requirements.txt").write_text("")
    message = refused(spec_at(tmp_path, dependencies=["deps/requirement.txt"]), tmp_path / "out")
    assert "did you mean `deps/requirements.txt`?" in message, message


def test_r07_a_missing_manifest_without_a_near_name_stays_a_warning(tmp_path: Path):
    (tmp_path / "app.py").write_text("")
    (tmp_path / "requirements-dev.txt").write_text("")  # another file, not a typo
    result = dockgen("render", spec_at(tmp_path, dependencies=["requirements.txt"]), "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "dependencies: requirements.txt not found in the build context" in result.stderr
    assert (tmp_path / "out" / "Dockerfile").exists()


def test_r17_a_file_in_the_context_at_a_config_target_stays_out_of_the_image(tmp_path) -> None:
    """A stale local notes.ini (with a dev password) would replace the link to the file run.sh
    writes: .dockerignore leaves it out, as Docker's own matching reads the pattern."""
    import shutil

    from e2b_dockerfile_utils import PatternMatcher  # Docker's matching, as files.py uses it

    from support import ROOT, dockgen

    app = tmp_path / "pn"
    shutil.copytree(ROOT / "specs" / "python-notes", app)
    (app / "notes.ini").write_text("password=devpw\n")
    result = dockgen("render", app / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    patterns = (tmp_path / "out" / ".dockerignore").read_text().splitlines()
    assert "notes.ini" in patterns and "notes.ini.tmpl" in patterns
    matcher = PatternMatcher(patterns)
    assert matcher.matches("notes.ini") and not matcher.matches("notes/app.py")


@pytest.mark.parametrize("example, stale, kept", [
    ("node-vite-spa", "dist/index.html", "src/main.jsx"),     # static.root, rebuilt by the builder
    ("node-next-pnpm", ".next/BUILD_ID", "next.config.mjs"),     # Next.js's build output, rebuilt too
    ("static-docs", None, "public/index.html"),               # no build: static.root IS the app
])
def test_r19_r07_a_local_build_output_stays_out_of_the_context(tmp_path: Path, example: str, stale, kept):
    """A stale local dist/ or .next/ would enter the context (and bust the code COPY's cache)
    though the builder rebuilds it; without a build, static.root is what is served."""
    from e2b_dockerfile_utils import PatternMatcher  # Docker's matching, as files.py uses it

    from support import ROOT

    result = dockgen("render", ROOT / "specs" / example / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    matcher = PatternMatcher((tmp_path / "out" / ".dockerignore").read_text().splitlines())
    assert stale is None or matcher.matches(stale), stale
    assert not matcher.matches(kept) and not matcher.matches("package.json")
