from __future__ import annotations

from dataclasses import replace

import pytest

from govcheck.model import Finding, Location, RepoInfo, Report
from govcheck.reporters import github


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),  # an already-escaped-looking text is escaped, not kept
        ("::error::", "::error::", "%3A%3Aerror%3A%3A"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_one_command_per_active_finding(report: Report) -> None:
    lines = github.render(report).splitlines()
    annotations = [line for line in lines if "title=GC-" in line]
    assert len(annotations) == sum(1 for _ in report.active())
    assert not any("GC-EXP-001" in line or "GC-MON-001" in line for line in annotations)
    assert lines[0] == (
        "::error file=models/fraud/MODEL_CARD.md,line=3,col=1,title=GC-CARD-002 model-card-sections"
        "::models/fraud/MODEL_CARD.md is missing required sections:%0A- limitations%0A- ethical considerations"
    )


def test_severity_commands_and_no_line_when_unknown(report: Report) -> None:
    out = github.render(report)
    assert "::warning file=configs/eval.yaml,line=4,col=11," in out
    assert (
        "::notice file=.govcheck.yaml,line=9,col=3,title=GC-RUN-001 run-has-owner::mlflow:run/4f2a9c: "
        in out
    )
    assert "::error file=models/churn,title=GC-CARD-001 model-card-present::" in out


def test_properties_escaped_in_file_and_title() -> None:
    finding = Finding(
        "X-1",
        "odd,name",
        "error",
        "50% done\nnext",
        Location("a:b,c.yaml", 2),
        "file",
        "a:b,c.yaml",
    )
    report = Report("0.1.0", RepoInfo("/r", None, None, None), (), (finding,))
    assert (
        github.render(report)
        == "::error file=a%3Ab%2Cc.yaml,line=2,title=X-1 odd%2Cname::50%25 done%0Anext\n"
    )


def test_without_file(report: Report) -> None:
    finding = replace(report.findings[5], location=None)
    out = github.render(replace(report, findings=(finding,), skipped=(), notices=()))
    assert (
        out
        == "::notice title=GC-RUN-001 run-has-owner::mlflow:run/4f2a9c: run 4f2a9c in experiment fraud-detector has no owner tag\n"
    )


def test_empty(empty_report: Report) -> None:
    assert github.render(empty_report) == ""
