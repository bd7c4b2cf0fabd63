"""Config templates reach the container byte for byte (R17; issue 10, item 8).

The README says config templates are copied byte for byte: CRLF line endings stay CRLF, a
template without a final newline gets none, a lone CR stays. Each case renders a spec with
the CLI and runs the rendered run.sh under dash, BusyBox sh and bash (sandbox.py), then
compares the written file with the template's bytes, a placeholder substituted.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from support import render
from sandbox import bind_dirs, sandbox, shell  # noqa: F401 (shell is a fixture)

CASES = {
    "crlf": b"[db]\r\nuser = app\r\npassword = ${DB_PASSWORD}\r\n",
    "crlf-no-final-newline": b"[db]\r\npassword = ${DB_PASSWORD}",
    "no-final-newline": b"password=${DB_PASSWORD}",
    "placeholder-last": b"a\n${DB_PASSWORD}",
    "lone-cr": b"a\rb\r\r\n${DB_PASSWORD}\r",
    "blank-lines-at-end": b"${DB_PASSWORD}\n\n\n",
    "only-a-newline": b"\n",
    "empty": b"",
    "no-newline-at-all-and-delimiter": b"DOCKGEN_TEMPLATE",
}


def written(root: Path, shell, template: bytes, password: str = "pw") -> bytes:
    """Render a spec with ``template`` as its one config file, run run.sh, return the file's bytes."""
    (root / "app.tmpl").write_bytes(template)
    spec = root / "dockgen.yaml"
    spec.write_text(yaml.safe_dump({"name": "bytes", "language": "none", "base": "alpine:3.20", "secrets": ["DB_PASSWORD"],
                                    "config": [{"source": "app.tmpl", "target": "/etc/app/app.ini"}],
                                    "entrypoint": ["/bin/true"]}))
    files = render(spec, root / "out")
    binds, hosts = bind_dirs(["/var/lib/dockgen/app.ini"], root)
    result = subprocess.run(sandbox([*shell.argv, str(files["run.sh"]), "/bin/true"], binds),
                            env={"DB_PASSWORD": password, "PATH": shell.path}, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return (hosts["/var/lib/dockgen"] / "app.ini").read_bytes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_r17_config_template_bytes_are_kept(tmp_path, shell, name):
    template = CASES[name]
    assert written(tmp_path, shell, template) == template.replace(b"${DB_PASSWORD}", b"pw")


def test_r17_a_value_with_crlf_and_no_final_newline_in_the_template(tmp_path, shell):
    """A value's own CR and newlines are copied too; the template's missing final newline stays missing."""
    assert written(tmp_path, shell, b"x=${DB_PASSWORD}", "a\r\nb\n") == b"x=a\r\nb\n"
