"""A secret too large for one environment variable stops the start with the right message
(R17, R18; issue 10, item 9).

run.sh hands secrets to awk (which writes the config files) in the environment, and Linux
refuses to start a program with a variable over MAX_ARG_STRLEN (131072 bytes, ``NAME=value``
and its NUL). Such a secret used to fail with an unrelated message ("its directory is not
writable", or another secret's file named). Real secret files of the limit's size and one
byte more are run through the rendered run.sh under dash, BusyBox sh and bash.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from support import render
from sandbox import bind_dirs, sandbox, shell  # noqa: F401 (shell is a fixture)

MAX_ARG_STRLEN = 131072  # linux/binfmts.h: 32 pages of 4 KiB


def start(root: Path, shell, sizes: dict[str, int]) -> tuple[subprocess.CompletedProcess, Path]:
    """Run the rendered run.sh with each secret NAME as a NAME_FILE of ``sizes[NAME]`` bytes.

    Returns (the completed process, the config file run.sh writes on the host).
    """
    (root / "app.tmpl").write_text("".join(f"{name}=${{{name}}}\n" for name in sizes))
    spec = root / "dockgen.yaml"
    spec.write_text(yaml.safe_dump({"name": "big", "language": "none", "base": "alpine:3.20", "secrets": list(sizes),
                                    "config": [{"source": "app.tmpl", "target": "/etc/app/app.ini"}],
                                    "entrypoint": ["/bin/true"]}))
    files = render(spec, root / "out")
    env = {"PATH": shell.path}
    for name, size in sizes.items():
        secret = root / f"secret-{name.lower()}"
        secret.write_bytes(b"s" * size + b"\n")
        env[f"{name}_FILE"] = str(secret)
    binds, hosts = bind_dirs(["/var/lib/dockgen/app.ini"], root)
    result = subprocess.run(sandbox([*shell.argv, str(files["run.sh"]), "/bin/true"], binds), env=env,
                            capture_output=True, text=True, timeout=60)
    return result, hosts["/var/lib/dockgen"] / "app.ini"


def largest(name: str) -> int:
    """The largest value Linux passes as ``name=value``."""
    return MAX_ARG_STRLEN - len(name) - 2


def test_r18_a_secret_of_the_largest_size_linux_passes_reaches_the_config(tmp_path, shell):
    result, written = start(tmp_path, shell, {"DB_PASSWORD": largest("DB_PASSWORD"), "API_TOKEN": 10})
    assert result.returncode == 0, result.stderr
    assert written.read_text() == f"DB_PASSWORD={'s' * largest('DB_PASSWORD')}\nAPI_TOKEN={'s' * 10}\n"


@pytest.mark.parametrize("extra", [1, 200 * 1024], ids=["one-byte-over", "200KiB-over"])
def test_r18_a_secret_over_the_limit_is_named_with_the_reason(tmp_path, shell, extra):
    """The first secret is fine, the second too large, a third comes after: the message names
    the second one and the limit, not a directory or another secret's file."""
    sizes = {"API_TOKEN": 10, "DB_PASSWORD": largest("DB_PASSWORD") + extra, "SESSION_SECRET": 10}
    result, written = start(tmp_path, shell, sizes)
    assert result.returncode == 78, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("run.sh: DB_PASSWORD_FILE: the secret in "), result.stderr
    assert "larger than 128 KiB" in result.stderr and "environment variable" in result.stderr
    assert "writable" not in result.stderr and "SESSION_SECRET" not in result.stderr
    assert not written.exists()
