"""Hostile and odd spec files through the real CLI: the loader must end quickly with one clean
error (exit 2, file:line:col, no traceback), never recurse, hang or build a huge value.

Covers YAML anchors/aliases (a self-referencing alias, "billion laughs"), merge keys, deep
nesting (PyYAML's composer recurses per level), binary and non-UTF-8 files, a directory given
as SPEC, syntax errors located where the unclosed bracket or quote opened, and problems
listed in the order of the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support import dockgen

OK = 'name: x\nlanguage: python\nversion: "3.12"\nentrypoint: [python]\n'
ALIASES = "anchors and aliases (&name, *name) are not supported in a spec; write the value out"

LAUGHS = "".join(
    f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9 if prev else ['"lol"'] * 9) + "]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi")
)


def _error(spec: Path, text: str | bytes, command: str = "validate") -> str:
    """Write ``text`` to ``spec``, run the CLI, check exit 2 and no traceback; the one error line."""
    spec.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = dockgen(command, spec, timeout=30)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Error" not in result.stderr.replace("error:", ""), result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr[-2000:]
    assert result.stdout == ""
    return errors[0]


# id: (spec text, the exact message after "error: <file>")
REFUSED = {
    "self-alias-sequence": ("name: &a [*a]\n", f":1:7: {ALIASES}"),
    "self-alias-mapping": (OK + "env: &e {A: *e}\n", f":5:6: {ALIASES}"),
    "alias-to-earlier-value": (OK + "env: {A: b}\nlabels: &l {a: b}\nannotations: *l\n", f":6:9: {ALIASES}"),
    "anchor-alone": (OK + "ports: &p [80]\n", f":5:8: {ALIASES}"),
    "billion-laughs": (LAUGHS, f":1:4: {ALIASES}"),
    "merge-key": (OK + "user: {<<: {name: app}}\n", ":5:8: merge keys (<<:) are not supported in a spec; write each key out"),
    "merge-key-block": (OK + "user:\n  <<: {name: app}\n", ":6:3: merge keys (<<:) are not supported in a spec; write each key out"),
}


@pytest.mark.parametrize("command", ["validate", "render"])
@pytest.mark.parametrize("text, expected", REFUSED.values(), ids=REFUSED.keys())
def test_anchors_aliases_and_merge_keys_are_refused_with_their_place(command, text, expected, tmp_path):
    spec = tmp_path / "dockgen.yaml"
    assert len(LAUGHS) < 600  # the small file that expands to 9**8 strings
    assert _error(spec, text, command) == f"error: {spec}{expected}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dockgen.yaml"], "nothing written"


def test_a_quoted_merge_key_is_just_an_unknown_key(tmp_path):
    """Only the plain ``<<`` is YAML's merge key; a quoted one is an ordinary (unknown) key."""
    spec = tmp_path / "dockgen.yaml"
    assert "unknown key `<<`" in _error(spec, OK + "user: {'<<': x}\n")


DEEP = {
    "flow-sequence-5000": "name: " + "[" * 5000 + "]" * 5000 + "\n",
    "flow-mapping-3000": "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "block-mapping-3000": "".join(" " * i + "a:\n" for i in range(3000)) + " " * 3000 + "b\n",
    "block-sequence-3000": "name:\n" + "".join(" " * i + "-\n" for i in range(3000)) + " " * 3000 + "x\n",
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_a_clean_error_not_a_recursion_error(text, tmp_path):
    spec = tmp_path / "dockgen.yaml"
    message = _error(spec, text)
    # a deep block structure is also over the 1 MiB size limit, which stops it before parsing
    assert f"{spec}:" in message and ("nested more than 32 levels deep" in message or "larger than" in message)


def test_nesting_a_real_spec_uses_is_accepted(tmp_path):
    spec = tmp_path / "dockgen.yaml"
    spec.write_text('name: x\nlanguage: python\nversion: "3.12"\n'
                    "processes:\n  web:\n    command: [python, -m, http.server]\n  worker:\n    command: [python, w.py]\n")
    result = dockgen("validate", spec)
    assert result.returncode == 0, result.stderr


def test_binary_file(tmp_path):
    spec = tmp_path / "dockgen.yaml"
    message = _error(spec, b"\x7fELF\x02\x01\x01\x00\x00\x00name: x\n")
    assert message == f"error: {spec}:1:1: not YAML text: character U+007F is not allowed in YAML (is this a binary file?)"


def test_non_utf8_file_is_located(tmp_path):
    spec = tmp_path / "dockgen.yaml"
    message = _error(spec, OK.encode() + b"labels: {a: caf\xe9}\n")
    assert message == (f"error: {spec}:5:16: cannot read the spec: it is not UTF-8 text (byte 0xe9); "
                       "a spec is a YAML text file")


@pytest.mark.parametrize("command", ["validate", "render"])
def test_a_directory_given_as_spec(command, tmp_path):
    directory = tmp_path / "app"
    directory.mkdir()
    result = dockgen(command, directory)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == (f"error: {directory}: cannot read the spec: it is a directory; "
                             f"give the spec file, e.g. {directory / 'dockgen.yaml'}\n")
    assert list(directory.iterdir()) == []


SYNTAX = {
    # An unclosed [ is found only at the end of the file: say where it opened.
    "unclosed-bracket-at-eof": (OK + "ports: [80]\ncmd: [a,\n  b\n", ":8:1:", "(the `[` opened at 6:6)"),
    "unclosed-bracket-next-key": (OK + "cmd: [a, b\nports: [1]\n", ":6:6:", "(the `[` opened at 5:6)"),
    "unclosed-brace": (OK + "env: {A: b\n", ":6:1:", "(the `{` opened at 5:6)"),
    "unclosed-quote": (OK + 'cmd: ["a\n', ":6:1:", '(the `"` opened at 5:7)'),
}


@pytest.mark.parametrize("text, where, opened", SYNTAX.values(), ids=SYNTAX.keys())
def test_syntax_error_names_where_the_construct_opened(text, where, opened, tmp_path):
    spec = tmp_path / "dockgen.yaml"
    message = _error(spec, text)
    assert message.startswith(f"error: {spec}{where} malformed YAML: ")
    assert message.endswith(opened)


def test_syntax_error_without_a_separate_start_has_no_opened_note(tmp_path):
    spec = tmp_path / "dockgen.yaml"
    message = _error(spec, OK + "env:\n\tA: b\n")
    assert message.startswith(f"error: {spec}:6:1: malformed YAML: ") and "opened" not in message


def test_validate_lists_problems_in_file_order(tmp_path):
    """The model reports fields in its own order; the user reads the file top to bottom."""
    spec = tmp_path / "dockgen.yaml"
    spec.write_text('pakages: [flask]\ninit: maybe\nports: [http]\nenv: [A]\nname: x\nlanguage: pyhton\n'
                    'version: "3.12"\nentrypoint: [python]\n')
    result = dockgen("validate", spec)
    assert result.returncode == 2, result.stderr
    places = [tuple(int(n) for n in line.split(":")[2:4]) for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(places) >= 4, result.stderr
    assert places == sorted(places), result.stderr
