"""``copy`` entries (issue 10, items 2 and 3; R07, R15): each entry lands at its own path
under the workdir, a mapping entry puts a directory's contents (or a file) at its target,
and ``copy: []`` renders no application COPY at all. Rendered through the CLI, read back
with the BuildKit Dockerfile parser and linted with hadolint.
"""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest
import yaml

from support import dockgen, lint_problems

BASE = {"name": "demo", "language": "none", "base": "busybox:1.36.1", "entrypoint": ["httpd"], "cmd": ["-f"]}


def rendered(tmp_path: Path, **fields) -> tuple[str, list]:
    """(Dockerfile text, parsed instructions of its final stage) for BASE plus ``fields``."""
    spec = {**BASE, **fields}
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    result = dockgen("render", tmp_path / "dockgen.yaml")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "Dockerfile").read_text()
    commands = dockerfile.parse_string(text)
    last = max(i for i, c in enumerate(commands) if c.cmd == "FROM")
    assert lint_problems(text, spec) == [], text
    return text, list(commands[last:])


def app_copies(final: list) -> list[tuple[str, ...]]:
    """The value (sources..., dest) of each COPY from the build context, but run.sh's."""
    return [c.value for c in final if c.cmd == "COPY" and not c.flags and c.value[0] != "run.sh"]


def test_r07_empty_copy_renders_no_application_copy(tmp_path: Path):
    """``copy: []`` used to write ``COPY  ./`` (no source), which hadolint and the engine refuse."""
    text, final = rendered(tmp_path, copy=[])
    assert app_copies(final) == []
    assert "COPY  " not in text and "COPY ./" not in text
    assert dockgen("validate", tmp_path / "dockgen.yaml").returncode == 0


def test_r07_each_entry_lands_at_its_own_relative_path(tmp_path: Path):
    """Directories and files keep their place: nothing is flattened into the workdir."""
    _, final = rendered(tmp_path, copy=["src/app/deep", "web/", "src/top.txt", "."])
    assert app_copies(final) == [("src/app/deep", "./src/app/deep"), ("web/", "./web"),
                                 ("src/top.txt", "./src/top.txt"), (".", "./")]
    index = [i for i, c in enumerate(final) if c.cmd == "COPY" and c.value[0] == "src/app/deep"][0]
    assert [c.cmd for c in final[index:index + 4]] == ["COPY"] * 4
    assert final[index + 4].cmd == "USER"  # still the last build steps, then the app's user (R07, R15)


def test_r07_a_mapping_entry_puts_the_contents_at_its_target(tmp_path: Path):
    _, final = rendered(tmp_path, workdir="/www", copy=[{"source": "public/", "target": "/www"},
                                                        {"source": "conf/httpd.conf", "target": "etc/httpd.conf"}])
    assert app_copies(final) == [("public/", "/www"), ("conf/httpd.conf", "etc/httpd.conf")]


@pytest.mark.parametrize("entry, words", [
    ({"source": "public", "target": "../etc"}, ["copy[0].target", "no .."]),
    ({"source": "public", "target": "/www x"}, ["copy[0].target", "absolute path"]),
    ({"source": "/etc", "target": "/www"}, ["copy[0].source", "relative path"]),
    ({"src": "public", "target": "/www"}, ["copy[0]", "unknown key `src`", "did you mean `source`?"]),
    (5, ["copy[0]", "expected text, got a number"]),
])
def test_r07_bad_copy_entries_are_refused_with_the_field(tmp_path: Path, entry, words):
    (tmp_path / "dockgen.yaml").write_text(yaml.safe_dump({**BASE, "copy": [entry]}))
    result = dockgen("render", tmp_path / "dockgen.yaml", "-o", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert "[mapping]" not in result.stderr and "[path]" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_r07_the_static_docs_example_serves_the_site_from_www(tmp_path: Path):
    """specs/static-docs relied on flattening (``public/`` into /www); its mapping entry says so now."""
    spec = Path(__file__).resolve().parents[1] / "specs" / "static-docs" / "dockgen.yaml"
    result = dockgen("render", spec, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    final = dockerfile.parse_file(str(tmp_path / "Dockerfile"))
    assert ("public", "/www") in app_copies(list(final))
