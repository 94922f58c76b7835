from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
import xmlschema

from govcheck.model import Checked, Finding, Location, Report
from govcheck.reporters import junit


@pytest.fixture(scope="module", params=["junit-10-jenkins-xunit.xsd", "junit-windyroad.xsd"])
def xsd(request: pytest.FixtureRequest, vendor: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(vendor / request.param))


def _errors(schema: xmlschema.XMLSchema, document: str) -> list[str]:
    return [str(e.reason) for e in schema.iter_errors(document)]


def test_valid_against_both_xsds(
    xsd: xmlschema.XMLSchema, report: Report, empty_report: Report, baselined_report: Report
) -> None:
    for r in (report, empty_report, baselined_report):
        assert _errors(xsd, junit.render(r)) == []


def test_xsd_catches_a_broken_document(xsd: xmlschema.XMLSchema, report: Report) -> None:
    broken = junit.render(report).replace(' failures="1"', "", 1)  # required by both
    assert _errors(xsd, broken)


def test_suite_per_rule_case_per_checked_pair(report: Report) -> None:
    root = ET.fromstring(junit.render(report))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites][:2] == [
        "GC-CARD-001 model-card-present",
        "GC-CARD-002 model-card-sections",
    ]
    assert len(suites) == len(report.rules) + len(report.skipped)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(report.checked) + len(report.skipped)
    assert {(c.get("classname"), c.get("name")) for c in cases} >= {
        (c.rule_id, c.resource_id) for c in report.checked
    }


def test_totals_consistent(report: Report) -> None:
    for suite in ET.fromstring(junit.render(report)).findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases)
        assert int(suite.get("failures", "")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("skipped", "")) == sum(c.find("skipped") is not None for c in cases)
        assert suite.get("timestamp") == "2026-01-02T03:04:05"


def test_failure_skip_and_pass_content(report: Report) -> None:
    root = ET.fromstring(junit.render(report))
    case = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    failure = case[("GC-CARD-002", "models/fraud/MODEL_CARD.md")].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message") == "models/fraud/MODEL_CARD.md is missing required sections:"
    assert (failure.text or "").startswith("models/fraud/MODEL_CARD.md:3:1: error GC-CARD-002\n")
    waived = case[("GC-MON-001", "models/legacy-churn")].find("skipped")
    assert waived is not None and waived.get("message") == "waived: Retired model, removed in Q1"
    skipped = case[("GC-REG-001", "GC-REG-001")].find("skipped")
    assert skipped is not None and "no registered models" in (skipped.get("message") or "")
    assert list(case[("GC-CARD-001", "models/fraud")]) == []  # a passing case is empty
    mlflow = case[("GC-RUN-001", "mlflow:run/4f2a9c")].find("failure")
    assert mlflow is not None and "entity: mlflow:run/4f2a9c" in (mlflow.text or "")


def test_finding_without_checked_pair_still_fails(report: Report, xsd: xmlschema.XMLSchema) -> None:
    stray = Finding(
        "GC-CARD-001",
        "model-card-present",
        "error",
        "bad \x1b[31m control",
        Location("models/x"),
        "directory",
        "models/x",
    )
    doc = junit.render(replace(report, findings=(stray,), checked=()))
    assert _errors(xsd, doc) == []
    case = ET.fromstring(doc).find("testsuite/testcase")
    assert case is not None and case.get("name") == "models/x" and case.find("failure") is not None


def test_several_findings_for_one_pair(report: Report) -> None:
    a = report.findings[2]
    b = replace(a, message="second reason", severity="error")
    doc = junit.render(
        replace(
            report,
            findings=(a, b),
            checked=(Checked(a.rule_id, a.resource_id, a.location, "failed"),),
        )
    )
    failure = ET.fromstring(doc).find(
        "testsuite[@name='GC-DATA-001 data-reference-pinned']/testcase/failure"
    )
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message") == "second reason (and 1 more)"
    assert "s3://ml-data" in (failure.text or "") and "second reason" in (failure.text or "")


def test_findings_decide_over_a_stale_status(report: Report) -> None:
    waived, active = report.findings[6], report.findings[3]  # GC-MON-001 waived, GC-DATA-001 active
    doc = junit.render(
        replace(
            report,
            findings=(waived, active),
            checked=(
                Checked(waived.rule_id, waived.resource_id, waived.location, "failed"),
                Checked(active.rule_id, active.resource_id, active.location, "waived"),
            ),
            skipped=(),
        )
    )
    cases = {c.get("classname"): c for c in ET.fromstring(doc).iter("testcase")}
    assert cases["GC-MON-001"].find("skipped") is not None
    assert cases["GC-DATA-001"].find("failure") is not None


def test_baselined_findings_are_skipped_not_failed(baselined_report: Report) -> None:
    root = ET.fromstring(junit.render(baselined_report))
    cards = root.find("testsuite[@name='GC-CARD-001 model-card-present']")
    assert cards is not None
    churn = cards.find("testcase[@name='models/churn']")
    assert churn is not None and churn.find("failure") is None
    skipped = churn.find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("baselined")
    assert cards.get("failures") == "0" and cards.get("skipped") == "1"
    assert len(root.findall(".//failure")) == 2  # the two new data references
