"""The rules as data (``dockgen.rules``): every rule is cited by code and checked by a test.

A rule that nothing in ``generator/`` or ``templates/`` cites is not implemented anywhere; a
rule without a test named ``test_rNN_...`` is not checked. Either fails here. With
``../shared`` present, the module's rules are RULES.md's.
"""

from __future__ import annotations

import ast
import re

import pytest

from support import ROOT, SHARED

from dockgen.rules import Rule

RULES_MODULE = ROOT / "generator" / "dockgen" / "rules.py"


def cited(rule: Rule) -> list[str]:
    """Files of generator/ and templates/ (not rules.py itself) naming ``rule`` by ID."""
    pattern = re.compile(rf"\b{rule.value}\b")
    files = [*(ROOT / "generator").rglob("*.py"), *(ROOT / "templates").rglob("*.j2")]
    return [str(f.relative_to(ROOT)) for f in files if f != RULES_MODULE and pattern.search(f.read_text())]


def all_test_names() -> set[str]:
    """Every test function name in tests/ (parsed, so a name in a string does not count)."""
    names = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def test_rules_are_r01_to_r21_each_equal_to_its_id():
    assert [rule.value for rule in Rule] == [f"R{n:02d}" for n in range(1, 22)]
    for rule in Rule:
        assert rule == rule.value and str(rule) == rule.value and f"({rule})" == f"({rule.value})"
        assert rule.heading and rule.requirement and "\n" not in rule.requirement


@pytest.mark.parametrize("rule", list(Rule), ids=[r.value for r in Rule])
def test_every_rule_is_cited_by_code(rule: Rule):
    assert cited(rule), f"{rule} ({rule.heading}) is cited nowhere in generator/ or templates/"


@pytest.mark.parametrize("rule", list(Rule), ids=[r.value for r in Rule])
def test_every_rule_has_a_test_named_after_it(rule: Rule):
    # test_r04_..., or a test of several rules: test_r04_r08_r10_...
    pattern = re.compile(rf"test_(r\d\d_)*{rule.value.lower()}_")
    assert any(pattern.match(name) for name in all_test_names()), f"no test_{rule.value.lower()}_* for {rule} ({rule.heading})"


@pytest.mark.skipif(not (SHARED / "RULES.md").exists(), reason="../shared/RULES.md is not here (a plain clone)")
def test_the_rules_are_those_of_rules_md():
    table = re.findall(r"^\| (R\d\d) \| ([^|]+?) \|", (SHARED / "RULES.md").read_text(), re.MULTILINE)
    assert [(rule.value, rule.heading) for rule in Rule] == table
