"""Evaluates rules over resources: a pure function of the rules and the facts.

For each rule, every resource of its kind that passes `where` is checked against
`require`; failures become findings stamped with the rule. Findings come out in a
deterministic order (path, line, column, rule, resource) whatever the evaluation order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from govcheck import fieldpath, templates
from govcheck.conditions.base import Scope
from govcheck.errors import clip
from govcheck.facts.base import Facts
from govcheck.model import (
    Checked,
    Finding,
    Location,
    Outcome,
    Resource,
    ResourceStream,
    Skipped,
)
from govcheck.policy import Rule
from govcheck.yamlsrc import value_mark

# A rule reports at most this many findings per resource (for_each items, report: each
# parts); a notice says how many more there were.
MAX_EACH = 20
# A file of 340,000 unpinned references is one problem, not 340,000 findings to render,
# fingerprint and write (it took 24 s and 1.8 GB): each rule reports at most this many per
# file and in all, and a notice says how many more there were.
MAX_FINDINGS_PER_FILE = 100
MAX_FINDINGS_PER_RULE = 1000


@dataclass(frozen=True)
class Evaluation:
    findings: tuple[Finding, ...]
    checked: tuple[Checked, ...]
    skipped: tuple[Skipped, ...]
    notices: tuple[str, ...] = ()


# Given a rule, why it cannot run now (e.g. no MLflow store), or None.
SkipReason = Callable[[Rule], "str | None"]


def _never(rule: Rule) -> str | None:
    return None


def touched(
    resource: Resource, paths: frozenset[str] | None, entities: frozenset[str] | None = None
) -> bool:
    if resource.kind.startswith("mlflow_"):
        # MLflow entities are not files: PATHs do not narrow them, --model does.
        return entities is None or resource.entity in entities
    if paths is None or resource.kind == "repo":
        return True  # repo-wide
    if resource.covers:
        # Any path at or below a covered folder, tracked or not: deleting
        # models/x/monitoring.yaml changes what models/x holds, though the deleted file is
        # no longer among its files.
        prefixes = tuple(c + "/" for c in resource.covers)
        if any(p in resource.covers or p.startswith(prefixes) for p in paths):
            return True
    return any(p in paths for p in resource.touches)


def evaluate(rules: Iterable[Rule], facts: Facts, skip_reason: SkipReason = _never) -> Evaluation:
    rules = list(rules)
    runs: dict[int, _RuleRun | Skipped] = {}
    # Streamed kinds first: an MLflow experiment's run_count is then known from the one
    # pass over the runs instead of a pass of its own. Results are listed in rule order.
    streamed = [i for i, r in enumerate(rules) if facts.streamed(r.info.resource)]
    first = set(streamed)
    others = [i for i in range(len(rules)) if i not in first]
    for i in streamed + others:
        rule = rules[i]
        if i in runs:
            continue  # evaluated in the one pass over its streamed kind
        reason = skip_reason(rule)
        if reason:
            runs[i] = Skipped(rule.id, reason)
            continue
        resources = facts.each(rule.info.resource)
        if not isinstance(resources, ResourceStream):
            one = runs[i] = _RuleRun(rule, facts)
            for resource in resources:
                one.feed(resource)
            continue
        # A stream (100,000 MLflow runs) is read once for every rule of its kind: each
        # resource goes through all of them and is dropped.
        group = [i]
        for j in range(i + 1, len(rules)):
            if rules[j].info.resource == rule.info.resource:
                later = skip_reason(rules[j])
                if later:
                    runs[j] = Skipped(rules[j].id, later)
                else:
                    group.append(j)
        fed = [_RuleRun(rules[j], facts) for j in group]
        runs.update(zip(group, fed))
        for resource in resources:
            for run in fed:
                run.feed(resource)
    findings: list[Finding] = []
    checked: list[Checked] = []
    skipped: list[Skipped] = []
    notices: list[str] = []
    for i in range(len(rules)):
        done = runs[i]
        if isinstance(done, Skipped):
            skipped.append(done)
            continue
        findings += done.findings
        checked += done.checked
        if done.dropped:
            notices.append(
                f"{done.rule.id}: {done.dropped:,} more findings not reported (at most "
                f"{MAX_FINDINGS_PER_FILE:,} per file and {MAX_FINDINGS_PER_RULE:,} per rule); "
                "fix the reported ones first"
            )
    findings.sort(key=sort_key)
    return Evaluation(tuple(findings), tuple(checked), tuple(skipped), tuple(notices))


class _RuleRun:
    """One rule over the resources fed to it: its findings (capped) and checked pairs."""

    def __init__(self, rule: Rule, facts: Facts) -> None:
        self.rule = rule
        self.facts = facts
        self.paths = facts.context.paths
        self.entities = facts.context.entities
        self.findings: list[Finding] = []
        self.checked: list[Checked] = []
        self.per_file: dict[str, int] = {}
        self.kept = 0
        self.dropped = 0

    def feed(self, resource: Resource) -> None:
        rule, facts = self.rule, self.facts
        if not touched(resource, self.paths, self.entities):
            return
        scope = Scope(facts, resource, resource.fields, resource.base_dir)
        if rule.where is not None and not rule.where(scope).ok:
            return
        failures = _each_item(rule, scope) if rule.for_each is not None else _whole(rule, scope)
        failures = _capped(rule, resource, facts, failures)
        located = [
            (message, location or resource.location or _anchor(rule, facts))
            for message, location in failures
        ]
        for message, location in located:
            file_key = location.path if location else ""
            in_file = self.per_file.get(file_key, 0)
            if in_file >= MAX_FINDINGS_PER_FILE or self.kept >= MAX_FINDINGS_PER_RULE:
                self.dropped += 1
                continue
            self.per_file[file_key] = in_file + 1
            self.kept += 1
            self.findings.append(
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
        # One checked pair per resource, failed when any of its items failed.
        if located:
            self.checked.append(Checked(rule.id, resource.id, located[0][1], "failed"))
        else:
            self.checked.append(Checked(rule.id, resource.id, resource.location, "passed"))


Failure = tuple[str, "Location | None"]  # the finding's message, and its most precise place


def _message(rule: Rule, fields: Mapping[str, Any], outcome: Outcome) -> str:
    message = templates.render(rule.message, fields)
    if not outcome.reason:
        return message
    return f"{message.rstrip()} ({clip(outcome.reason, templates.MAX_TEXT)})"


def _whole(rule: Rule, scope: Scope) -> list[Failure]:
    """One finding for a failing resource; with `report: each`, one per located part of
    the failure (each empty section...), each at its place."""
    outcome = rule.require(scope)
    if outcome.ok:
        return []
    pieces = outcome.parts if rule.each and outcome.parts else (outcome,)
    fields = scope.resource.fields
    return [(_message(rule, fields, p), p.location or outcome.location) for p in pieces]


def _capped(rule: Rule, resource: Resource, facts: Facts, failures: list[Failure]) -> list[Failure]:
    """At most MAX_EACH findings of one rule per resource (a template card left unfilled
    has dozens of placeholders); a notice says how many there were."""
    if len(failures) <= MAX_EACH:
        return failures
    where = resource.file or resource.id
    facts.notice(f"{rule.id}: {len(failures)} findings in {where}, the first {MAX_EACH} reported")
    return failures[:MAX_EACH]


def _each_item(rule: Rule, scope: Scope) -> list[Failure]:
    """`for_each: PATH`: require on each item of a list field (or each `{key, value}` entry
    of a mapping); each failing item is its own finding, its message rendered over the
    item's fields, then the resource's."""
    assert rule.for_each is not None
    look = fieldpath.get(scope.resource.fields, rule.for_each)
    items = fieldpath.items_of(look)
    out: list[Failure] = []
    for index, item in enumerate(items):
        outcome = rule.require(Scope(scope.facts, scope.resource, item, scope.base_dir))
        if outcome.ok:
            continue
        fields: Mapping[str, Any] = scope.resource.fields
        if isinstance(item, Mapping):
            fields = _Chain(item, fields)
        declared = _declared_location(scope.resource, item)
        found = outcome.location
        if declared is not None and found is not None and found.line == declared.line:
            declared = found if found.path == declared.path else declared  # it has the column
        location = declared or found
        location = location or _marked_location(look.value, index, item)
        out.append((_message(rule, fields, outcome), location))
    return out


class _Chain(Mapping[str, Any]):
    """An item's fields, then its resource's (read lazily: a file's text only if named)."""

    def __init__(self, item: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        self.item, self.fields = item, fields

    def __getitem__(self, key: str) -> Any:
        return self.item[key] if key in self.item else self.fields[key]

    def __iter__(self) -> Iterator[str]:
        yield from self.item
        yield from (k for k in self.fields if k not in self.item)

    def __len__(self) -> int:
        return len(set(self.item) | set(self.fields))


def _declared_location(resource: Resource, item: Any) -> Location | None:
    """Where an item says it is: `line`, and `file` when not in the resource's own file."""
    if not isinstance(item, Mapping) or not isinstance(item.get("line"), int):
        return None
    path = item.get("file") or (resource.location.path if resource.location else None)
    if not isinstance(path, str):
        return None
    column = item.get("column") if isinstance(item.get("column"), int) else None
    return Location(path, item["line"], column, _snippet(item))


def _marked_location(items: Any, index: int, item: Any) -> Location | None:
    mark = value_mark(items, index)
    return Location(mark.path, mark.line, mark.column, _snippet(item)) if mark else None


def _snippet(item: Any) -> str:
    # Fingerprints hash the snippet: several items on one line must not collide; a line
    # item (a card's `lines`) is its own text.
    if isinstance(item, Mapping):
        parts = [str(item[k]) for k in ("kind", "name", "path", "detail", "text") if item.get(k)]
        if parts:
            return " ".join(parts)[:200]
    return str(item)[:200]


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
