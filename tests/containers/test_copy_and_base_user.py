"""Built for real with podman (issue 10, items 1 and 3).

1: a base whose default USER is not root (a stand-in: the python stand-in ending in
   ``USER 1000:1000``, as jupyter or bitnami images do) builds: the builder creates
   /opt/venv and the final stage runs apt and useradd, because each stage from the spec's
   base switches to root first; the image still runs as the app's numeric user (R15).
3: ``copy`` entries keep their place: listing the built image shows each entry at its own
   relative path under the workdir (two files named a.txt both there), and a mapping entry's
   directory contents at its target (R07).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from container_harness import DOCKGEN, LABEL, TAG_PREFIX, image_config, image_files
from standins import full_name

pytestmark = pytest.mark.container

NONROOT_BASE = f"{TAG_PREFIX}nonroot-python:3.11-slim"


def render(context: Path, spec: dict) -> None:
    (context / "dockgen.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    result = subprocess.run([str(DOCKGEN), "render", str(context / "dockgen.yaml")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def nonroot_base(engine, tmp_path_factory) -> str:
    """The python stand-in with a user of its own and ``USER 1000:1000`` as its last word."""
    directory = tmp_path_factory.mktemp("nonroot-base")
    (directory / "Containerfile").write_text(
        f"FROM {full_name('python:3.11-slim')}\n"
        "RUN useradd --uid 1000 --create-home runner\n"
        "USER 1000:1000\n")
    engine.build(directory, NONROOT_BASE)
    assert image_config(engine, NONROOT_BASE)["Config"]["User"] == "1000:1000"
    return NONROOT_BASE


def test_r15_a_base_whose_user_is_not_root_builds_and_runs_as_the_app_user(engine, nonroot_base, tmp_path):
    context = tmp_path / "app"
    context.mkdir()
    (context / "requirements.txt").write_text("")
    (context / "app.py").write_text("import os, sys\nprint(f'uid={os.getuid()} gid={os.getgid()} venv={sys.prefix}')\n")
    render(context, {"name": "nonroot-base", "language": "python", "version": "3.11", "base": nonroot_base,
                     "dependencies": ["requirements.txt"], "entrypoint": ["python", "/app/app.py"]})
    tag = f"{TAG_PREFIX}nonroot-app:dev"
    engine.build(context, tag)  # raises with the build log on "Permission denied" (the old output)
    try:
        assert image_config(engine, tag)["Config"]["User"] == "10001:10001"
        result = engine.run("run", "--rm", f"--label={LABEL}", "--read-only", "--cap-drop=ALL", tag)
        assert "uid=10001 gid=10001 venv=/opt/venv" in result.stdout, result.stdout + result.stderr
    finally:
        engine.run("rmi", "-f", tag, check=False)


def test_r07_each_copy_entry_lands_at_its_own_path_in_the_built_image(engine, tmp_path):
    context = tmp_path / "site"
    for name, text in {"src/app/deep/a.txt": "deep\n", "src/top.txt": "top\n", "web/index.html": "<p>web</p>\n",
                       "web/a.txt": "web\n", "public/index.html": "<p>public</p>\n", "public/css/site.css": "p{}\n"}.items():
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        (context / name).write_text(text)
    render(context, {"name": "copy-layout", "language": "none", "base": "busybox:1.36.1", "workdir": "/app",
                     "copy": ["src/app/deep", "web/", "src/top.txt", {"source": "public", "target": "/www"}],
                     "entrypoint": ["httpd"], "cmd": ["-f", "-h", "/www"]})
    tag = f"{TAG_PREFIX}copy-layout:dev"
    engine.build(context, tag)
    try:
        files, _ = image_files(engine, tag)
        for path in ("app/src/app/deep/a.txt", "app/src/top.txt", "app/web/index.html", "app/web/a.txt",
                     "www/index.html", "www/css/site.css"):
            assert path in files and files[path].isfile(), f"{path} is not in the image"
            assert files[path].uid == 0, f"{path} is not root's (R15)"
        for flattened in ("app/a.txt", "app/top.txt", "app/index.html", "www/public/index.html"):
            assert flattened not in files, f"{flattened}: copy entries were flattened"
    finally:
        engine.run("rmi", "-f", tag, check=False)
