"""One-line checks of the policy language, in the yamllint style:

    assert holds("{field: x, gte: 3}", {"x": 4})

This is the only test module that touches govcheck's condition-building API (Build,
build_condition, Scope, Facts), so when that API moves only this file changes. Conditions
are YAML flow text parsed by govcheck's own loader, so load errors carry real marks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, cast

from govcheck.check import CheckOptions, run
from govcheck.conditions.base import Build, Evaluator, Scope, build_condition
from govcheck.conditions.registry import CONDITIONS
from govcheck.context import CheckContext
from govcheck.errors import Mark
from govcheck.facts.base import Facts, RepoSource
from govcheck.facts.registry import PROVIDERS
from govcheck.model import Outcome, Resource
from govcheck.operators import OPERATORS
from govcheck.yamlsrc import load_one

RULE = "LANG-001"
CONDITION_NAMES: frozenset[str] = frozenset(CONDITIONS)
OPERATOR_NAMES: frozenset[str] = frozenset(OPERATORS)
Params = Mapping[str, Any] | None


class _NoRepository:
    """Stands where the repository would be: a condition given only fields must not read it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a condition on fields alone read the repository ({name})")


def _build(text: str, params: Params) -> tuple[Evaluator, list[str]]:
    b = Build(RULE, dict(params or {}), CONDITIONS, kinds=frozenset(PROVIDERS))
    node = load_one(text, "policy.yaml")
    # A scalar carries no mark of its own; in a policy its parent knows it, here it is 1:1.
    evaluator = build_condition(node, getattr(node, "mark", None) or Mark("policy.yaml", 1, 1), b)
    # Every message names the rule; here it is always RULE, so that part is dropped.
    errors = [(f"{m.line}:{m.column}: " if m else "") + msg for m, msg in b.errors]
    return evaluator, [e.replace(f" in rule {RULE}", "") for e in errors]


def outcome(text: str, fields: Mapping[str, Any], params: Params = None) -> Outcome:
    """The condition evaluated on a resource with these fields; it must build cleanly."""
    evaluator, errors = _build(text, params)
    if errors:
        raise AssertionError(f"{text} does not build: {errors}")
    context = CheckContext(root=Path("/nonexistent"), params=dict(params or {}))
    facts = Facts(cast(RepoSource, _NoRepository()), context, PROVIDERS)
    return evaluator(Scope(facts, Resource("test", "test", fields), fields, ""))


def holds(text: str, fields: Mapping[str, Any], params: Params = None) -> bool:
    return outcome(text, fields, params).ok


def reason(text: str, fields: Mapping[str, Any], params: Params = None) -> str:
    return outcome(text, fields, params).reason


def build_errors(text: str, params: Params = None) -> list[str]:
    """Load-time errors as "line:col: message", marks counted within `text`."""
    return _build(text, params)[1]


class Verdict(NamedTuple):
    ok: bool
    reason: str


def check_rule(
    repo: Path, resource: str, require: str, where: str | None = None, params: Params = None
) -> dict[str, Verdict]:
    """A real `govcheck check` of one rule over a git repository: resource id -> verdict.

    The policy is written beside the repository, not in it, so it is not a resource itself.
    """
    policy = repo.parent / f"{repo.name}-policy.yaml"
    policy.write_text(
        "version: 1\n"
        + (f"params: {json.dumps(dict(params))}\n" if params else "")
        + f"rules:\n  - id: {RULE}\n    name: lang-test\n    resource: {resource}\n"
        + "    message: failed\n"
        + f"    require: {require}\n"
        + (f"    where: {where}\n" if where else ""),
        encoding="utf-8",
    )
    report = run(
        CheckOptions(repo=str(repo), policies=(str(policy),), select=(RULE,), no_mlflow=True)
    )
    # A finding's message is "failed (REASON)", or just "failed" when there is no reason.
    reasons = {f.resource_id: f.message[len("failed (") : -1] for f in report.findings}
    return {
        c.resource_id: Verdict(c.status == "passed", reasons.get(c.resource_id, ""))
        for c in report.checked
        if c.rule_id == RULE
    }


def reads(text: str, params: Params = None) -> set[tuple[tuple[Any, ...], bool]]:
    """The field paths (None: every list item) a condition reads, and whether only their
    presence matters: what a snapshot must record for it."""
    b = Build(RULE, dict(params or {}), CONDITIONS)
    build_condition(load_one(text, "policy.yaml"), Mark("policy.yaml", 1, 1), b)
    return {(path, presence) for kind, path, presence in b.field_reads if kind is None}
