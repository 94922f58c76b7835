from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from govcheck.model import Report
from govcheck.reporters import json_report


def validator(schema_path: Path) -> Draft202012Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_valid_against_report_schema(
    report: Report, empty_report: Report, baselined_report: Report, report_schema: Path
) -> None:
    v = validator(report_schema)
    for r in (report, empty_report, baselined_report):
        errors = [
            f"{list(e.absolute_path)}: {e.message}"
            for e in v.iter_errors(json.loads(json_report.render(r)))
        ]
        assert errors == []


def test_schema_rejects_inconsistent_suppression(report: Report, report_schema: Path) -> None:
    data = json.loads(json_report.render(report))
    data["findings"][0]["suppressed"] = True  # suppressed without a waiver
    assert not validator(report_schema).is_valid(data)


def test_content(report: Report) -> None:
    data = json.loads(json_report.render(report))
    assert data["tool"] == {"name": "govcheck", "version": "0.1.0"}
    assert data["counts"] == {
        "error": 2,
        "warning": 2,
        "note": 1,
        "suppressed": 2,
        "baselined": 0,
        "absent": 0,
    }
    assert (data["baseline"], data["absent"]) == (None, [])
    assert {f["baseline_state"] for f in data["findings"]} == {None}
    assert data["checked"] == {"total": 14, "passed": 7, "failed": 5, "waived": 2}
    waived = [f for f in data["findings"] if f["suppressed"]]
    assert [w["waiver"]["kind"] for w in waived] == ["inSource", "external"]
    mlflow = next(f for f in data["findings"] if f["entity"])
    assert mlflow["location"] == {
        "path": ".govcheck.yaml",
        "line": 9,
        "column": 3,
        "snippet": "tracking_uri",
    }
    assert [s["rule_id"] for s in data["skipped"]] == ["GC-REG-001", "GC-REG-002", "GC-EXP-003"]


def test_baseline_states_and_fixed_findings(baselined_report: Report) -> None:
    data = json.loads(json_report.render(baselined_report))
    assert data["baseline"] == "commit 89abcdef0123"
    states = {(f["rule_id"], f["baseline_state"]) for f in data["findings"]}
    assert states == {
        ("GC-CARD-002", "unchanged"),
        ("GC-CARD-001", "unchanged"),
        ("GC-RUN-001", "unchanged"),
        ("GC-EXP-001", "unchanged"),
        ("GC-DATA-001", "new"),
        ("GC-MON-001", "new"),
    }
    # Only the new, unwaived findings count; known ones are counted apart.
    assert data["counts"] == {
        "error": 0,
        "warning": 2,
        "note": 0,
        "suppressed": 2,
        "baselined": 3,
        "absent": 1,
    }
    [fixed] = data["absent"]
    assert (fixed["baseline_state"], fixed["fingerprint"]) == ("absent", "5" * 64 + ":1")
    assert fixed["location"]["path"] == "configs/old.yaml"
