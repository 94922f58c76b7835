"""The machine-readable report, documented by schemas/report.schema.json."""

from __future__ import annotations

import json
from typing import Any

from govcheck.fingerprints import fingerprints
from govcheck.model import Finding, Location, Report, RuleInfo, Waiver, source_text
from govcheck.reporters import provenance
from govcheck.reporters.common import encodable

FORMAT_VERSION = 1


def render(report: Report, color: bool = False) -> str:
    report = encodable(report)
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def report_dict(report: Report) -> dict[str, Any]:
    statuses = [c.status for c in report.checked]
    prints = fingerprints(report.findings)
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "govcheck", "version": report.tool_version},
        "repo": {
            "root": report.repo.root,
            "head": report.repo.head,
            "branch": report.repo.branch,
            "remote_url": report.repo.remote_url,
        },
        "started_at": report.started_at or None,
        "ended_at": report.ended_at or None,
        "fail_on": report.fail_on,
        "counts": report.counts(),
        "checked": {
            "total": len(statuses),
            "passed": statuses.count("passed"),
            "failed": statuses.count("failed"),
            "waived": statuses.count("waived"),
        },
        "rules": [_rule(r) for r in report.rules],
        "findings": [_finding(f, fp) for f, fp in zip(report.findings, prints)],
        "baseline": report.baseline,
        "absent": [_finding(f, f.fingerprint or "") for f in report.absent],
        "skipped": [{"rule_id": s.rule_id, "reason": s.reason} for s in report.skipped],
        "notices": list(report.notices),
        "provenance": provenance.as_dict(report.provenance) if report.provenance else None,
        "scope": {
            "checked": [{"kind": s.kind, "noun": s.noun, "count": s.count} for s in report.scope],
            "empty": list(report.empty_scope),
            "fail_on_empty": report.fail_on_empty,
        },
    }


def _rule(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": rule.severity,
        "resource": rule.resource,
        "description": rule.description,
        "help": rule.help,
        "help_uri": rule.help_uri,
        "tags": list(rule.tags),
        "source": source_text(rule.source),
    }


def _finding(f: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity,
        "message": f.message,
        "location": _location(f.location),
        "resource_kind": f.resource_kind,
        "resource_id": f.resource_id,
        "entity": f.entity,
        "suppressed": f.suppressed,
        "waiver": _waiver(f.waiver),
        "expired_waiver": _waiver(f.expired_waiver),
        "fingerprint": fingerprint,
        "baseline_state": f.baseline_state,
    }


def _location(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"path": loc.path, "line": loc.line, "column": loc.column, "snippet": loc.snippet}


def _waiver(w: Waiver | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {
        "rule": w.rule,
        "target": w.target,
        "reason": w.reason,
        "kind": w.kind,
        "expires": w.expires,
        "approved_by": w.approved_by,
        "location": _location(w.location),
    }
