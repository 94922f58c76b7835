"""JUnit XML for CI test tabs: a testsuite per rule, a testcase per (rule, resource) checked.

Shaped to validate under both the Jenkins xUnit XSD and the Ant (windyroad) XSD: a bare
<testsuites> root; every suite with properties, system-out and system-err; timestamps
without a timezone suffix; a decimal time on every testcase. The first suite's properties
also say what the verdict was reached on (govcheck.commit, govcheck.policy_hash...).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from govcheck.model import SEVERITY_RANK, Finding, Report, source_text
from govcheck.reporters import provenance
from govcheck.reporters.common import encodable, expired_note, scope_text, where

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class _Case:
    name: str
    status: str  # passed | failed | waived | baselined | skipped
    findings: list[Finding] = field(default_factory=list)
    reason: str = ""


def render(report: Report, color: bool = False) -> str:
    report = encodable(report)
    suites = _collect(report)
    root = ET.Element("testsuites")
    timestamp = _timestamp(report.started_at)
    titles = {r.id: r for r in report.rules}
    for index, (rule_id, cases) in enumerate(suites.items()):
        rule = titles.get(rule_id)
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{rule_id} {rule.name}" if rule and rule.name else rule_id,
                "tests": str(len(cases)),
                "failures": str(sum(c.status == "failed" for c in cases)),
                "errors": "0",
                "skipped": str(sum(c.status in ("waived", "baselined", "skipped") for c in cases)),
                "time": "0",
                "timestamp": timestamp,
                "hostname": "localhost",
                "id": str(index),
                "package": "govcheck",
            },
        )
        props = ET.SubElement(suite, "properties")
        if rule is not None:
            for name, value in (
                ("title", rule.title),
                ("severity", rule.severity),
                ("tags", ", ".join(rule.tags)),
                ("source", source_text(rule.source)),
            ):
                if value:
                    ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        if index == 0:
            # JUnit has no run-level properties: the first suite carries what the verdict
            # was reached on and what was checked (a run that checked nothing says so).
            run_level = list(provenance.labelled(report.provenance)) if report.provenance else []
            run_level = [("govcheck." + k.lower().replace(" ", "_"), v) for k, v in run_level]
            run_level += [
                ("govcheck.checked", scope_text(report)),
                ("govcheck.empty_scope", "; ".join(report.empty_scope)),
            ]
            for name, value in run_level:
                if value:
                    ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        for case in cases:
            _testcase(suite, rule_id, case)
        ET.SubElement(suite, "system-out")
        ET.SubElement(suite, "system-err")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _collect(report: Report) -> dict[str, list[_Case]]:
    """Suites in rule order; every checked pair, then findings no checked pair accounts for."""
    suites: dict[str, list[_Case]] = {r.id: [] for r in report.rules}
    by_pair: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        by_pair.setdefault((f.rule_id, f.resource_id), []).append(f)
    for checked in report.checked:
        found = by_pair.pop((checked.rule_id, checked.resource_id), [])
        # The findings themselves decide when there are any (an expired waiver, say).
        status = _status(found) if found else checked.status
        suites.setdefault(checked.rule_id, []).append(_Case(checked.resource_id, status, found))
    for (rule_id, resource_id), found in by_pair.items():
        suites.setdefault(rule_id, []).append(_Case(resource_id, _status(found), found))
    for skip in report.skipped:
        suites.setdefault(skip.rule_id, []).append(
            _Case(skip.rule_id, "skipped", reason=skip.reason)
        )
    return suites


def _status(found: list[Finding]) -> str:
    if any(not f.suppressed and not f.baselined for f in found):
        return "failed"
    return "waived" if all(f.suppressed for f in found) else "baselined"


def _testcase(suite: ET.Element, rule_id: str, case: _Case) -> None:
    element = ET.SubElement(
        suite,
        "testcase",
        {
            "name": _clean(case.name),
            "classname": _clean(rule_id),
            "time": "0",
        },
    )
    active = [f for f in case.findings if not f.suppressed and not f.baselined]
    if case.status == "failed":
        worst = max(
            active or case.findings, key=lambda f: SEVERITY_RANK.get(f.severity, 0), default=None
        )
        message = (worst.message.splitlines() or [""])[0] if worst else "failed"
        if len(active) > 1:
            message += f" (and {len(active) - 1} more)"
        failure = ET.SubElement(
            element,
            "failure",
            {
                "message": _clean(message),
                "type": worst.severity if worst else "error",
            },
        )
        failure.text = _clean("\n\n".join(_describe(f) for f in active or case.findings))
    elif case.status == "waived":
        reasons = [f.waiver.reason for f in case.findings if f.waiver is not None]
        text = f"waived: {'; '.join(dict.fromkeys(reasons))}" if reasons else "waived"
        ET.SubElement(element, "skipped", {"message": _clean(text)})
    elif case.status == "baselined":
        ET.SubElement(element, "skipped", {"message": "baselined: known before this change"})
    elif case.status == "skipped":
        ET.SubElement(element, "skipped", {"message": _clean(f"rule skipped: {case.reason}")})


def _describe(f: Finding) -> str:
    lines = [f"{where(f)}: {f.severity} {f.rule_id}", f.message]
    if f.entity and f.location is not None:
        lines.insert(1, f"entity: {f.entity}")
    note = expired_note(f)
    if note:
        lines.append(note)
    return "\n".join(lines)


def _timestamp(started_at: str) -> str:
    match = _TIMESTAMP.match(started_at)
    return match.group(0) if match else "1970-01-01T00:00:00"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
