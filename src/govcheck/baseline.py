"""Baselines: the findings a team already knows about, so a check fails only on new ones.

`govcheck baseline` records every active finding by fingerprint (fingerprints.py: the same
`partialFingerprints` SARIF carries, blind to line numbers). `check --baseline FILE` (or
`--baseline-rev REV`, the same record computed from a commit's tree) then marks each finding
`new` or `unchanged`, and each recorded finding that is gone `absent` - once, and only where
this check could have seen it again.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from govcheck.errors import UsageError
from govcheck.fingerprints import KEY, fingerprints
from govcheck.model import BaselineState, Finding, Location, Report, Severity
from govcheck.structure import first_problem

FORMAT = "govcheck-baseline"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    source: str  # as reports name it: ".govcheck/baseline.json", "commit 1a2b3c4d5e6f"
    findings: tuple[Finding, ...]  # recorded findings, each with its fingerprint
    # Recorded by a check over the same paths as this one (--baseline-rev): everything it
    # holds was within this check's reach, so whatever is not found again is fixed.
    same_scope: bool = False


def document(report: Report) -> dict[str, Any]:
    """The baseline file for a report: its active findings, fingerprinted."""
    prints = fingerprints(report.findings)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fingerprints": KEY,
        "tool_version": report.tool_version,
        "commit": report.repo.head,
        "findings": [_entry(f, fp) for f, fp in zip(report.findings, prints) if not f.suppressed],
    }


def _entry(f: Finding, fingerprint: str) -> dict[str, Any]:
    loc = f.location
    return {
        "fingerprint": fingerprint,
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity,
        "message": f.message,
        "path": loc.path if loc else None,
        "line": loc.line if loc else None,
        "column": loc.column if loc else None,
        "resource_kind": f.resource_kind,
        "resource_id": f.resource_id,
        "entity": f.entity,
    }


def from_report(report: Report, source: str) -> Baseline:
    """A baseline computed on the fly (--baseline-rev) from the check of a commit."""
    prints = fingerprints(report.findings)
    return Baseline(
        source,
        tuple(
            replace(f, fingerprint=fp) for f, fp in zip(report.findings, prints) if not f.suppressed
        ),
        same_scope=True,
    )


def read(path: str) -> Baseline:
    """A baseline file, checked against schemas/baseline.schema.json; errors name the file."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"baseline file not found: {path} (write one with govcheck baseline)"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"cannot read baseline {path}: {exc}") from None
    problem = first_problem(document, "baseline")
    if problem:
        raise UsageError(f"{path}: not a govcheck baseline: {problem}")
    return Baseline(path, tuple(_finding(e) for e in document["findings"]))


def _finding(entry: dict[str, Any]) -> Finding:
    path = entry["path"]
    severity: Severity = entry["severity"]
    return Finding(
        rule_id=entry["rule_id"],
        rule_name=entry["rule_name"],
        severity=severity,
        message=entry["message"],
        location=Location(path, entry["line"], entry["column"]) if path else None,
        resource_kind=entry["resource_kind"],
        resource_id=entry["resource_id"],
        entity=entry["entity"],
        fingerprint=entry["fingerprint"],
    )


def compare(
    findings: tuple[Finding, ...],
    baseline: Baseline,
    ran: Collection[str],
    complete: bool,
    passed: Collection[tuple[str, str]],
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(findings marked new or unchanged, recorded findings now absent).

    A recorded finding is absent only if its rule ran (`ran`: rule ids neither skipped nor
    left out) and this check could have found it again: it saw everything (`complete`),
    or the baseline covers the same paths, or the finding's (rule, resource) pair was
    checked and passed (`passed`) in this PATH-limited check.
    """
    known = {f.fingerprint: f for f in baseline.findings}
    marked = []
    for f, fp in zip(findings, fingerprints(findings)):
        state: BaselineState = "unchanged" if known.pop(fp, None) is not None else "new"
        marked.append(replace(f, fingerprint=fp, baseline_state=state))
    everywhere = complete or baseline.same_scope
    absent = tuple(
        replace(f, baseline_state="absent")
        for f in known.values()
        if f.rule_id in ran and (everywhere or (f.rule_id, f.resource_id) in passed)
    )
    return tuple(marked), absent
