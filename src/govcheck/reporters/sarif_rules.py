"""SARIF reporting descriptors for rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govcheck.errors import Mark
from govcheck.model import Finding, RuleInfo

MAX_TAGS = 20  # GitHub code scanning ignores tags beyond 20


def unique_rules(rules: Iterable[RuleInfo], findings: Iterable[Finding]) -> list[RuleInfo]:
    """Every evaluated rule once, plus any rule a finding names that the report did not list."""
    seen: dict[str, RuleInfo] = {}
    for rule in rules:
        seen.setdefault(rule.id, rule)
    for f in findings:
        if f.rule_id not in seen:
            seen[f.rule_id] = RuleInfo(
                id=f.rule_id,
                name=f.rule_name,
                title=f.rule_name,
                severity=f.severity,
                resource=f.resource_kind,
                description="",
                help="",
                help_uri=None,
                tags=(),
                source=Mark("", 0, 0),  # defined nowhere the report knows
            )
    return list(seen.values())


def descriptor(rule: RuleInfo) -> dict[str, Any]:
    title = rule.title or rule.name or rule.id
    description = rule.description or title
    help_text = rule.help or description
    out: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name or rule.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
    }
    if rule.help_uri:
        out["helpUri"] = rule.help_uri
    out["help"] = {"text": help_text, "markdown": help_text}
    out["defaultConfiguration"] = {"level": rule.severity}
    tags = list(dict.fromkeys(rule.tags))[:MAX_TAGS]
    if tags:
        out["properties"] = {"tags": tags}
    return out
