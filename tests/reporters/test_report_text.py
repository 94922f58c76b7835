from __future__ import annotations

import re
from dataclasses import replace

from govcheck.model import Report
from govcheck.reporters import text


def test_no_colour_unless_asked(report: Report) -> None:
    assert "\x1b[" not in text.render(report)
    coloured = text.render(report, color=True)
    assert "\x1b[31merror" in coloured and "\x1b[33mwarning" in coloured


def test_grouped_by_file_then_entity(report: Report) -> None:
    headers = [line for line in text.render(report).splitlines() if line and not line[0].isspace()]
    assert headers[:7] == [
        "configs/européen data.yaml",
        "configs/eval.yaml",
        "models/churn",
        "models/fraud/MODEL_CARD.md",
        "models/legacy-churn/README.md",
        "train.py",
        "mlflow:run/4f2a9c",
    ]


def test_columns_aligned(report: Report) -> None:
    row = re.compile(r"^  \S+ +(error|warning|note) +GC-")
    rows = [line for line in text.render(report).splitlines() if row.match(line)]
    starts = {line.index("GC-") for line in rows}
    assert len(rows) == 7 and len(starts) == 1


def test_suppressed_and_expired_are_said(report: Report) -> None:
    out = text.render(report)
    assert "suppressed: Retired model, removed in Q1 (config waiver, expires 2027-01-31" in out
    assert "suppressed: Legacy name kept for the finance dashboards (inline waiver)" in out
    assert "Waiver expired on 2024-06-30" in out


def test_summary_and_trailing_sections(report: Report) -> None:
    lines = text.render(report).splitlines()
    assert "2 errors, 2 warnings, 1 note; 2 suppressed." in lines
    assert lines.index("Skipped rules:") < lines.index("Notices:")
    assert "  GC-REG-001, GC-REG-002: no registered models in the MLflow snapshot" in lines


def test_no_findings(empty_report: Report, report: Report) -> None:
    assert text.render(empty_report) == "No findings.\nChecked: 1 directory.\n"
    only_waived = replace(
        report,
        findings=tuple(f for f in report.findings if f.suppressed),
        skipped=(),
        notices=(),
        scope=(),
    )
    assert text.render(only_waived).endswith("No findings (2 suppressed).\n")


def test_control_characters_are_shown_not_sent(report: Report) -> None:
    evil = replace(report.findings[0], message="heading \x1b[2J cleared\rback", rule_id="GC-\x1bX")
    out = text.render(replace(report, findings=(evil,)), color=True)
    assert "\\x1b[2J" in out and "\\r" in out and "GC-\\x1bX" in out
    assert "\x1b[2J" not in out and "\x1bX" not in out
