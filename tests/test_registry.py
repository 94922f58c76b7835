"""Invariants over the registries and the built-in packs.

Every built-in rule is documented, tagged for compliance and has both test cases; the
policy schema allows exactly the conditions and operators the code registers; the
built-in policy files pass `govcheck validate`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from govcheck import builtin
from govcheck.check import load_rules
from govcheck.conditions.registry import CONDITIONS
from govcheck.config import Config
from govcheck.model import SEVERITIES, RuleInfo
from govcheck.operators import OPERATORS
from support import govcheck

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).parent / "cases"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
BUILTIN_ID = re.compile(r"^GC-[A-Z]+-\d{3}$")
COMPLIANCE = ("eu-ai-act/", "nist-ai-rmf/", "iso-42001/")


def builtin_rules() -> list[RuleInfo]:
    rules, _ = load_rules(Config(path=None), ROOT)
    return [r.info for r in rules]


RULES = builtin_rules()


def by_id() -> list[object]:
    return [pytest.param(r, id=r.id) for r in RULES]


def test_the_repo_packs_are_all_there() -> None:
    expected = {
        "GC-CARD-001",
        "GC-CARD-002",
        "GC-CARD-003",
        "GC-CARD-004",
        "GC-DATA-001",
        "GC-DATA-002",
        "GC-MON-001",
        "GC-MON-002",
        "GC-EXP-001",
    }
    assert expected <= {r.id for r in RULES}


def test_ids_and_names_are_unique() -> None:
    ids = Counter(r.id for r in RULES)
    names = Counter(r.name for r in RULES)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [i for i, n in names.items() if n > 1] == []


@pytest.mark.parametrize("rule", by_id())
def test_rule_is_documented(rule: RuleInfo) -> None:
    assert BUILTIN_ID.match(rule.id)
    assert KEBAB.match(rule.name), f"{rule.id}: name {rule.name!r} is not kebab-case"
    assert rule.title.strip()
    assert rule.severity in SEVERITIES
    assert len(rule.description.split()) >= 10, f"{rule.id}: description says too little"
    assert "```" in rule.help, f"{rule.id}: help has no fenced example"
    assert rule.source.path.startswith("builtin:") and rule.source.line > 1


@pytest.mark.parametrize("rule", by_id())
def test_rule_has_a_compliance_tag(rule: RuleInfo) -> None:
    assert any(t.startswith(COMPLIANCE) for t in rule.tags), rule.tags


@pytest.mark.parametrize("rule", by_id())
def test_rule_has_pass_and_fail_cases(rule: RuleInfo) -> None:
    folder = CASES / rule.id
    # MLflow cases are run by tests/mlflow/ and may state their expectations differently
    wanted = (
        ("pass", "fail")
        if rule.resource.startswith("mlflow_")
        else ("pass", "fail", "expected.yaml")
    )
    missing = [p for p in wanted if not (folder / p).exists()]
    assert missing == [], f"{folder}: missing {', '.join(missing)}"
    for tree in ("pass", "fail"):
        assert any(p.is_file() for p in (folder / tree).rglob("*")), f"{folder / tree} is empty"


def test_policy_schema_names_match_the_registries() -> None:
    schema = json.loads(builtin.schema_file("policy").read_text(encoding="utf-8"))
    in_schema = set(schema["$defs"]["condition"]["properties"])
    registered = (set(CONDITIONS) - {"field"}) | set(OPERATORS) | {"field", "require"}
    assert in_schema == registered


def test_builtin_policies_validate() -> None:
    files = sorted(builtin.pack_files().values())
    assert files
    done = govcheck("validate", *map(str, files), cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": ok (") == len(files)
