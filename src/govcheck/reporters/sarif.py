"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; every evaluated rule as a reporting descriptor; waived findings kept as results
with suppressions; at most 25,000 results (GitHub's limit), with a notification when cut.
"""

from __future__ import annotations

import json
from typing import Any

from govcheck.fingerprints import KEY, fingerprints
from govcheck.model import SEVERITY_RANK, Finding, Report, RuleInfo
from govcheck.reporters import provenance as verdict_provenance
from govcheck.reporters.common import baseline_note, encodable, expired_note, skipped_groups
from govcheck.reporters.sarif_locations import (
    SRCROOT,
    physical_location,
    provenance,
    result_locations,
    root_uri,
)
from govcheck.reporters.sarif_rules import descriptor, unique_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/govcheck/govcheck"
MAX_RESULTS = 25_000


def render(report: Report, color: bool = False) -> str:
    report = encodable(report)
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: Report, max_results: int = MAX_RESULTS) -> dict[str, Any]:
    # Fixed findings of a baseline come last, as results with baselineState "absent".
    findings = report.findings + report.absent
    rules = unique_rules(report.rules, findings)
    index = {rule.id: i for i, rule in enumerate(rules)}
    kept = _kept(findings, max_results)
    prints = fingerprints(report.findings) + [f.fingerprint or "" for f in report.absent]
    results = [
        _result(f, index[f.rule_id], rules[index[f.rule_id]], {KEY: prints[i]}, report)
        for i, f in enumerate(findings)
        if i in kept
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "govcheck",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [descriptor(rule) for rule in rules],
            }
        },
        "automationDetails": {"id": "govcheck/"},
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri(report.repo.root)}},
        "invocations": [_invocation(report, len(findings) - len(kept), max_results)],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    vcp = provenance(report.repo)
    if vcp is not None:
        run["versionControlProvenance"] = vcp
    if report.provenance is not None:  # what govcheck verify re-runs
        run["properties"] = {"provenance": verdict_provenance.as_dict(report.provenance)}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _kept(findings: tuple[Finding, ...], limit: int) -> set[int]:
    """Indexes of the findings to report: when over the limit, active and severe ones first."""
    order = sorted(
        range(len(findings)),
        key=lambda i: (
            findings[i].baseline_state == "absent",
            findings[i].suppressed,
            -SEVERITY_RANK.get(findings[i].severity, 0),
            i,
        ),
    )
    return set(order[:limit])


def _result(
    finding: Finding,
    rule_index: int,
    rule: RuleInfo,
    fingerprint: dict[str, str],
    report: Report,
) -> dict[str, Any]:
    text = finding.message
    note = expired_note(finding)
    if note:
        text = f"{text}\n{note}"
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": text},
    }
    result.update(result_locations(finding, rule))
    result["partialFingerprints"] = fingerprint
    if report.baseline is not None:  # every result says how it compares with the baseline
        result["baselineState"] = finding.baseline_state or "new"
    if finding.waiver is not None:
        waiver = finding.waiver
        suppression: dict[str, Any] = {
            "kind": "inSource" if waiver.kind == "inSource" else "external",
            "status": "accepted",
            "justification": waiver.reason,
        }
        if waiver.location is not None:
            suppression["location"] = {"physicalLocation": physical_location(waiver.location)}
        props = {
            k: v for k, v in (("expires", waiver.expires), ("approvedBy", waiver.approved_by)) if v
        }
        if props:
            suppression["properties"] = props
        result["suppressions"] = [suppression]
    return result


def _invocation(report: Report, omitted: int, limit: int) -> dict[str, Any]:
    notes: list[dict[str, Any]] = []
    for reason, ids in skipped_groups(report):
        notes.append(_notification("skipped-rules", "note", f"Skipped {', '.join(ids)}: {reason}"))
    for notice in report.notices:
        notes.append(_notification("notice", "note", notice))
    if report.baseline is not None:
        notes.append(_notification("baseline", "note", baseline_note(report)))
    if omitted:
        notes.append(
            _notification(
                "results-truncated",
                "warning",
                f"{omitted} of {len(report.findings) + len(report.absent)} results omitted: "
                "GitHub code scanning "
                f"accepts at most {limit} results per run. Use --format json for all of them.",
            )
        )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.started_at:
        invocation["startTimeUtc"] = report.started_at
    if report.ended_at:
        invocation["endTimeUtc"] = report.ended_at
    if notes:
        invocation["toolExecutionNotifications"] = notes
    if report.scope or report.empty_scope:
        # What was checked, per resource kind, and what had nothing to check: a run that
        # checked nothing must not look like a clean one in code scanning either.
        invocation["properties"] = {
            "checked": {s.kind: s.count for s in report.scope},
            "emptyScope": list(report.empty_scope),
        }
    return invocation


def _notification(kind: str, level: str, text: str) -> dict[str, Any]:
    return {"descriptor": {"id": f"govcheck/{kind}"}, "level": level, "message": {"text": text}}
