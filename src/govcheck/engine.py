"""Evaluates rules over resources: a pure function of the rules and the facts.

For each rule, every resource of its kind that passes `where` is checked against
`require`; failures become findings stamped with the rule. Findings come out in a
deterministic order (path, line, column, rule, resource) whatever the evaluation order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from govcheck import templates
from govcheck.conditions.base import Scope
from govcheck.facts.base import Facts
from govcheck.model import Checked, Finding, Location, Resource, Skipped
from govcheck.policy import Rule


@dataclass(frozen=True)
class Evaluation:
    findings: tuple[Finding, ...]
    checked: tuple[Checked, ...]
    skipped: tuple[Skipped, ...]


# Given a rule, why it cannot run now (e.g. no MLflow store), or None.
SkipReason = Callable[[Rule], "str | None"]


def _never(rule: Rule) -> str | None:
    return None


def touched(resource: Resource, paths: frozenset[str] | None) -> bool:
    if paths is None or resource.kind == "repo" or resource.kind.startswith("mlflow_"):
        return True  # repo-wide and MLflow entities are not files; PATHs do not narrow them
    if resource.kind == "directory":
        # Any path at or below it, tracked or not: deleting models/x/monitoring.yaml
        # changes what models/x holds, though the deleted file is no longer among its files.
        prefix = resource.id + "/"
        return any(p == resource.id or p.startswith(prefix) for p in paths)
    return any(p in paths for p in resource.touches)


def evaluate(rules: Iterable[Rule], facts: Facts, skip_reason: SkipReason = _never) -> Evaluation:
    findings: list[Finding] = []
    checked: list[Checked] = []
    skipped: list[Skipped] = []
    paths = facts.context.paths
    for rule in rules:
        reason = skip_reason(rule)
        if reason:
            skipped.append(Skipped(rule.id, reason))
            continue
        for resource in facts.resources(rule.info.resource):
            if not touched(resource, paths):
                continue
            base = resource.id if resource.kind == "directory" else ""
            scope = Scope(facts, resource, resource.fields, base)
            if rule.where is not None and not rule.where(scope).ok:
                continue
            outcome = rule.require(scope)
            location = outcome.location or resource.location or _anchor(rule, facts)
            if outcome.ok:
                checked.append(Checked(rule.id, resource.id, resource.location, "passed"))
                continue
            message = templates.render(rule.message, resource.fields)
            if outcome.reason:
                message = f"{message.rstrip()} ({outcome.reason})"
            findings.append(
                Finding(
                    rule_id=rule.id,
                    rule_name=rule.info.name,
                    severity=rule.info.severity,
                    message=message,
                    location=location,
                    resource_kind=resource.kind,
                    resource_id=resource.id,
                    entity=resource.entity,
                )
            )
            checked.append(Checked(rule.id, resource.id, location, "failed"))
    findings.sort(key=sort_key)
    return Evaluation(tuple(findings), tuple(checked), tuple(skipped))


def _anchor(rule: Rule, facts: Facts) -> Location | None:
    """Where a finding about a non-file entity points: the config's mlflow: line, else the
    rule's own line when its policy file is part of the repository."""
    configured = facts.context.mlflow.anchor
    if configured is not None:
        return configured
    if not rule.mark.path.startswith("builtin:"):
        return Location(rule.mark.path, rule.mark.line, rule.mark.column, f"rule {rule.id}")
    return None


def sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    loc = f.location
    return (
        loc.path if loc else "\uffff",
        loc.line or 0 if loc else 0,
        loc.column or 0 if loc else 0,
        f.rule_id,
        f.resource_id,
    )
