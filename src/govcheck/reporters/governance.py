"""The governance view of a report, as data: rule families, models x families cells, each
rule's status overall and per model, and the compliance frameworks the rules are tagged
with. The HTML page draws it; nothing here knows HTML.

A rule's families come from its tags (what built-in rules already carry: `model-cards`,
`data`, `monitoring`, `experiments`, `lineage`, `fairness`), else from its pack's name; a
rule in none of them is in `other`. A rule may be in several (GC-MON-006: monitoring and
fairness).

A status summarises checked (rule, resource) pairs: `fail` when one failed (waived or
not, a finding known from a baseline still fails), else `waived` when one was waived,
else `pass` when one passed; with none, `skipped` when a rule that would have counted was
skipped, else `na` (nothing of that kind to check).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from govcheck.errors import Mark
from govcheck.model import Finding, Report, RuleInfo

CellStatus = Literal["pass", "fail", "waived", "skipped", "na"]

# (key, column title, the tags or pack names that put a rule in it), in column order.
FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("cards", "Cards", ("cards", "model-cards", "dataset-cards")),
    ("data", "Data", ("data", "dvc")),
    ("monitoring", "Monitoring", ("monitoring",)),
    ("experiments", "Experiments", ("experiments",)),
    ("lineage", "Lineage", ("lineage", "reproducibility")),
    ("fairness", "Fairness", ("fairness",)),
)
OTHER = ("other", "Other")

# Compliance frameworks: tag prefix -> (title, how one control is named).
FRAMEWORKS: tuple[tuple[str, str, str], ...] = (
    ("eu-ai-act/", "EU AI Act", "Article"),
    ("nist-ai-rmf/", "NIST AI RMF", "Subcategory"),
    ("iso-42001/", "ISO/IEC 42001", "Control"),
)

NO_MODEL = -1  # the row of what belongs to no model


def families(rule: RuleInfo) -> tuple[str, ...]:
    """The family keys of a rule: by its tags, else its pack's name, else ("other",)."""
    tags = {t.lower() for t in rule.tags}
    found = tuple(key for key, _, names in FAMILIES if tags.intersection(names))
    if found:
        return found
    path = rule.source.path
    pack = path.removeprefix("builtin:") if path.startswith("builtin:") else ""
    by_pack = tuple(key for key, _, names in FAMILIES if pack in names)
    return by_pack or (OTHER[0],)


def control_title(tag: str) -> tuple[str, str] | None:
    """ "eu-ai-act/art-10" -> ("EU AI Act", "Art. 10"), "nist-ai-rmf/map-2.3" -> ("NIST AI
    RMF", "MAP 2.3"), "iso-42001/a.7.5" -> ("ISO/IEC 42001", "A.7.5"); None for other tags."""
    for prefix, framework, _ in FRAMEWORKS:
        if not tag.lower().startswith(prefix):
            continue
        control = tag[len(prefix) :]
        if prefix == "eu-ai-act/":
            control = re.sub(r"(?i)^art-?", "Art. ", control)
        elif prefix == "nist-ai-rmf/":
            function, _, number = control.partition("-")
            control = f"{function.upper()} {number}".strip()
        else:
            control = control.upper()
        return framework, control
    return None


def _natural(text: str) -> list[tuple[int, str]]:
    return [(int(p), "") if p.isdigit() else (0, p) for p in re.split(r"(\d+)", text) if p]


@dataclass
class Tally:
    """Checked pairs by status, and findings, of one rule (overall, or in one row)."""

    counts: Counter[str] = field(default_factory=Counter)
    findings: int = 0

    def status(self, skipped: bool) -> CellStatus:
        return _status(self.counts, skipped)


def _status(counts: Counter[str], skipped: bool) -> CellStatus:
    if counts["failed"]:
        return "fail"
    if counts["waived"]:
        return "waived"
    if counts["passed"]:
        return "pass"
    return "skipped" if skipped else "na"


@dataclass(frozen=True)
class Row:
    index: int  # position in report.models; NO_MODEL for what belongs to no model
    name: str
    folder: str | None
    registered: str | None


@dataclass
class View:
    """Everything the page draws, computed once from the report."""

    rules: tuple[RuleInfo, ...]  # the report's rules, and any only findings name
    rule_families: dict[str, tuple[str, ...]]
    columns: tuple[tuple[str, str], ...]  # (family key, title) shown
    rows: tuple[Row, ...]  # models in order, then NO_MODEL when something belongs to none
    skipped: dict[str, str]  # rule id -> why it was skipped
    overall: dict[str, Tally]  # rule id -> its pairs everywhere
    per_row: dict[int, dict[str, Tally]]  # row index -> rule id -> its pairs there
    findings: dict[int, dict[str, list[Finding]]]  # row index -> rule id -> findings
    members: dict[str, list[str]] = field(default_factory=dict)  # family -> rule ids, cached
    rule_index: dict[str, RuleInfo] = field(default_factory=dict)  # id -> rule, cached

    @property
    def by_id(self) -> dict[str, RuleInfo]:
        if not self.rule_index:
            self.rule_index.update((r.id, r) for r in self.rules)
        return self.rule_index

    def cell(self, row: int, family: str) -> CellStatus:
        counts: Counter[str] = Counter()
        skipped = False
        for rule_id in self.family_rules(family):
            tally = self.per_row.get(row, {}).get(rule_id)
            if tally is not None:
                counts.update(tally.counts)
            skipped = skipped or rule_id in self.skipped
        return _status(counts, skipped)

    def cell_findings(self, row: int, family: str) -> int:
        found = self.findings.get(row, {})
        return sum(len(found.get(r, ())) for r in self.family_rules(family))

    def family_rules(self, family: str) -> list[str]:
        if not self.members:
            for r in self.rules:
                for key in self.rule_families[r.id]:
                    self.members.setdefault(key, []).append(r.id)
        return self.members.get(family, [])

    def rule_status(self, rule_id: str, row: int | None = None) -> CellStatus:
        tally = self.overall.get(rule_id) if row is None else self.per_row.get(row, {}).get(rule_id)
        return (tally or Tally()).status(rule_id in self.skipped)

    def compliance(self) -> list[tuple[str, list[tuple[str, str, list[str]]]]]:
        """[(framework, [(tag, control, rule ids)])], controls in natural order."""
        by_framework: dict[str, dict[str, tuple[str, list[str]]]] = {}
        for rule in self.rules:
            for tag in rule.tags:
                named = control_title(tag)
                if named is not None:
                    controls = by_framework.setdefault(named[0], {})
                    controls.setdefault(tag, (named[1], []))[1].append(rule.id)
        out = []
        for _, framework, _ in FRAMEWORKS:
            found = by_framework.get(framework, {})
            rows = sorted(
                ((tag, control, ids) for tag, (control, ids) in found.items()),
                key=lambda c: _natural(c[1]),
            )
            if rows:
                out.append((framework, rows))
        return out


def view(report: Report) -> View:
    rules = list(report.rules)
    known = {r.id for r in rules}
    for f in report.findings:  # a finding of a rule the report does not describe
        if f.rule_id not in known:
            known.add(f.rule_id)
            rules.append(_bare_rule(f))
    rule_families = {r.id: families(r) for r in rules}
    row_of: dict[str, int] = {}
    rows = [Row(i, m.name, m.folder, m.registered) for i, m in enumerate(report.models)]
    for row, model in zip(rows, report.models):
        for resource_id in model.resources:
            row_of.setdefault(resource_id, row.index)
    overall: dict[str, Tally] = {}
    per_row: dict[int, dict[str, Tally]] = {}
    for c in report.checked:
        index = row_of.get(c.resource_id, NO_MODEL)
        overall.setdefault(c.rule_id, Tally()).counts[c.status] += 1
        per_row.setdefault(index, {}).setdefault(c.rule_id, Tally()).counts[c.status] += 1
    findings: dict[int, dict[str, list[Finding]]] = {}
    for f in report.findings:
        index = row_of.get(f.resource_id, NO_MODEL)
        findings.setdefault(index, {}).setdefault(f.rule_id, []).append(f)
        overall.setdefault(f.rule_id, Tally()).findings += 1
        per_row.setdefault(index, {}).setdefault(f.rule_id, Tally()).findings += 1
    if NO_MODEL in per_row or NO_MODEL in findings:
        rows.append(Row(NO_MODEL, "Not tied to a model", None, None))
    used = {k for fams in rule_families.values() for k in fams}
    columns = tuple((key, title) for key, title, _ in FAMILIES) + (
        (OTHER,) if OTHER[0] in used else ()
    )
    skipped: dict[str, str] = {}
    for s in report.skipped:
        skipped.setdefault(s.rule_id, s.reason)
    return View(
        tuple(rules), rule_families, columns, tuple(rows), skipped, overall, per_row, findings
    )


def _bare_rule(f: Finding) -> RuleInfo:
    return RuleInfo(
        f.rule_id,
        f.rule_name,
        f.rule_name,
        f.severity,
        f.resource_kind,
        "",
        "",
        None,
        (),
        Mark("", 0, 0),
    )
